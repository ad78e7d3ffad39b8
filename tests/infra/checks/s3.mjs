// The S3 buckets (IAC-RULES.md 16-21). Every setting lives in its own
// companion resource since AWS provider v4; a companion belongs to a bucket
// when its `bucket` argument refers to that aws_s3_bucket in the same instance.
import { all, verdict, withCompanions } from '../lib/result.mjs';
import {
  customerKeyProblem, companions, policyStatements, isTlsDeny, hasStarPrincipal, show,
} from '../lib/policy.mjs';

const buckets = (ctx) => ctx.blocks('resource', 'aws_s3_bucket');
const one = (ctx, t, type) => companions(ctx, t, type, 'bucket');

const PAB = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];

export const s3PublicAccessBlock = {
  name: 's3_public_access_block', ids: ['CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56', 'S3.1', 'S3.8'],
  run: (ctx) => buckets(ctx).map((t) => {
    const pab = one(ctx, t, 'aws_s3_bucket_public_access_block')[0];
    if (!pab) return verdict(t, 'no aws_s3_bucket_public_access_block');
    return all(t, PAB.map((k) => (pab.get(k) === true ? null : `${k} is ${show(pab.get(k))}`)));
  }),
};

export const s3KmsEncryption = {
  name: 's3_kms_encryption', ids: ['CKV_AWS_145', 'AVD-AWS-0088', 'AVD-AWS-0132', 'W41'],
  run: (ctx) => buckets(ctx).map((t) => {
    const sse = one(ctx, t, 'aws_s3_bucket_server_side_encryption_configuration')[0];
    if (!sse) return verdict(t, 'no aws_s3_bucket_server_side_encryption_configuration');
    const rules = sse.sub('rule');
    if (!rules.length) return verdict(t, 'encryption configuration has no rule');
    return withCompanions(all(t, rules.map((r) => {
      const def = (Array.isArray(r.apply_server_side_encryption_by_default) ? r.apply_server_side_encryption_by_default : [])[0];
      if (!def) return 'rule without apply_server_side_encryption_by_default';
      const algo = sse.value(def.sse_algorithm);
      if (algo !== 'aws:kms' && algo !== 'aws:kms:dsse') return `sse_algorithm is ${show(algo)}, must be "aws:kms"`;
      return customerKeyProblem(sse.value(def.kms_master_key_id), 'kms_master_key_id');
    })), [sse]);
  }),
};

export const s3Versioning = {
  name: 's3_versioning', ids: ['CKV_AWS_21', 'AVD-AWS-0090'],
  run: (ctx) => buckets(ctx).map((t) => {
    const v = one(ctx, t, 'aws_s3_bucket_versioning')[0];
    if (!v) return verdict(t, 'no aws_s3_bucket_versioning');
    const cfg = v.sub('versioning_configuration')[0];
    const status = cfg && v.value(cfg.status);
    return verdict(t, status === 'Enabled' ? null : `versioning status is ${show(status)}, must be "Enabled"`);
  }),
};

export const s3AccessLogging = {
  name: 's3_access_logging', ids: ['CKV_AWS_18', 'S3.9', 'W35'],
  run: (ctx) => buckets(ctx).map((t) => {
    const l = one(ctx, t, 'aws_s3_bucket_logging')[0];
    if (!l) return verdict(t, 'no aws_s3_bucket_logging');
    const target = l.get('target_bucket');
    return verdict(t, target === undefined || target === null || target === '' ? 'target_bucket is not set' : null);
  }),
};

export const s3Lifecycle = {
  name: 's3_lifecycle', ids: ['CKV2_AWS_61', 'CKV_AWS_300', 'S3.13'],
  run: (ctx) => buckets(ctx).map((t) => {
    const lc = one(ctx, t, 'aws_s3_bucket_lifecycle_configuration')[0];
    if (!lc) return verdict(t, 'no aws_s3_bucket_lifecycle_configuration');
    const rules = lc.sub('rule').filter((r) => lc.value(r.status) === 'Enabled');
    if (!rules.length) return verdict(t, 'no enabled lifecycle rule');
    const aborts = rules.some((r) => (Array.isArray(r.abort_incomplete_multipart_upload) ? r.abort_incomplete_multipart_upload : [])
      .some((a) => typeof lc.value(a.days_after_initiation) === 'number'));
    return verdict(t, aborts ? null : 'no enabled rule aborts incomplete multipart uploads');
  }),
};

export const s3TlsOnly = {
  name: 's3_tls_only', ids: ['S3.5', 'CKV_AWS_70', 'S3.12'],
  run: (ctx) => buckets(ctx).map((t) => {
    const p = [];
    const pol = one(ctx, t, 'aws_s3_bucket_policy')[0];
    if (!pol) p.push('no aws_s3_bucket_policy (a TLS-only policy is required)');
    else {
      const { statements, problem } = policyStatements(ctx, pol.policy('policy'));
      if (problem) p.push(problem);
      else {
        if (!statements.some(isTlsDeny)) p.push('policy has no Deny on aws:SecureTransport = false');
        if (statements.some((s) => s.effect === 'Allow' && hasStarPrincipal(s))) p.push('policy allows principal "*"');
      }
    }
    const own = one(ctx, t, 'aws_s3_bucket_ownership_controls')[0];
    const rule = own && own.sub('rule')[0];
    const ownership = rule && own.value(rule.object_ownership);
    if (ownership !== 'BucketOwnerEnforced') p.push(`object_ownership is ${show(ownership)}, must be "BucketOwnerEnforced" (ACLs disabled)`);
    return all(t, p);
  }),
};

export default [s3PublicAccessBlock, s3KmsEncryption, s3Versioning, s3AccessLogging, s3Lifecycle, s3TlsOnly];
