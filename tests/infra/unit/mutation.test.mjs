// The checks must bite on the real tree, not only on fixtures: copy
// terraform/, break one security setting per area, and expect the check that
// guards it to fail. Each mutation is a pattern on an attribute any correct
// tree has; if terraform/ is restructured so that a pattern no longer
// matches, this test says which one to update (it never passes silently).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecks } from '../lib/runner.mjs';
import { ALL_CHECKS } from '../checks/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TERRAFORM = path.resolve(here, '../../../terraform');

// [file under terraform/, pattern, replacement, check that must fail, text in its target]
const MUTATIONS = [
  ['modules/database/main.tf', /require_tls(\s*)=\s*true/, 'require_tls$1= false', 'proxy_settings', 'module.'],
  ['modules/database/main.tf', /storage_encrypted(\s*)=\s*true/, 'storage_encrypted$1= false', 'aurora_encryption', 'module.'],
  ['modules/database/main.tf', /default_auth_scheme(\s*)=\s*"IAM_AUTH"/, 'default_auth_scheme$1= "NONE"', 'proxy_settings', 'module.'],
  // Errors 1-4 of issue 13, put back.
  ['modules/observability/alarms.tf', /\n\s*period\s*=\s*300\n(\s*stat\s*=\s*"Maximum")/, '\n$1', 'tf_schema', 'aws_cloudwatch_metric_alarm.proxy_connections'],
  ['modules/bucket/main.tf', /count = var\.access_logging_enabled \? 1 : 0/, 'count = var.access_log_bucket == null ? 0 : 1', 'tf_plan_known', 'aws_s3_bucket_logging.this'],
  ['modules/ci/deploy_policy.tf', /resources = local\.function_role_arns\n(\s*\}\n\n\s*statement \{\n\s*sid\s*=\s*"PassFunctionRolesToLambda")/, 'resources = ["arn:${local.partition}:iam::${local.account_id}:role/${var.name}-*"]\n$1', 'iam_no_role_escalation', 'aws_iam_role.this'],
  ['modules/ci/security_services.tf', /\n\s*depends_on = \[module\.security_logs\]\n/, '\n', 'delivery_after_bucket_policy', 'aws_cloudtrail.this'],
  ['modules/messaging/main.tf', /visibility_timeout_seconds(\s*)=\s*6 \* var\.worker_timeout_seconds/, 'visibility_timeout_seconds$1= 2 * var.worker_timeout_seconds', 'sqs_visibility', 'aws_sqs_queue.'],
  ['modules/network/main.tf', /enable_flow_log(\s*)=\s*true/, 'enable_flow_log$1= false', 'vpc_flow_logs', 'module.vpc'],
  ['modules/network/main.tf', /manage_default_security_group(\s*)=\s*true/, 'manage_default_security_group$1= false', 'vpc_default_sg_closed', 'module.vpc'],
  ['modules/edge/main.tf', /security_policy(\s*)=\s*"TLS_1_2"/, 'security_policy$1= "TLS_1_0"', 'api_domain_tls', 'aws_api_gateway_domain_name.'],
  ['modules/edge/waf.tf', /"AWSManagedRulesKnownBadInputsRuleSet"/, '"AWSManagedRulesAnonymousIpList"', 'waf_web_acl', 'aws_wafv2_web_acl.'],
  ['modules/kms-key/main.tf', /enable_key_rotation(\s*)=\s*true/, 'enable_key_rotation$1= false', 'kms_rotation', 'aws_kms_key.'],
  ['modules/bucket/main.tf', /block_public_acls(\s*)=\s*true/, 'block_public_acls$1= false', 's3_public_access_block', 'aws_s3_bucket.'],
  ['environments/prod/terraform.tfvars', /db_deletion_protection_enabled(\s*)=\s*true/, 'db_deletion_protection_enabled$1= false', 'aurora_deletion_protection', 'environments/prod'],
];

test('every mutation of a security setting in terraform/ is caught by its check', { skip: !fs.existsSync(TERRAFORM) && 'no terraform/' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-mutation-'));
  try {
    fs.cpSync(TERRAFORM, path.join(dir, 'terraform'), { recursive: true });
    const root = path.join(dir, 'terraform');
    const stale = [];
    for (const [file, re, rep] of MUTATIONS) {
      const f = path.join(root, file);
      const text = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
      if (!re.test(text)) { stale.push(`${file}: ${re}`); continue; }
      fs.writeFileSync(f, text.replace(re, rep));
    }
    assert.deepEqual(stale, [], 'terraform/ changed shape: update MUTATIONS in tests/infra/unit/mutation.test.mjs');
    const { results } = await runChecks(root, ALL_CHECKS);
    const missed = MUTATIONS.filter(([, , , check, target]) => !results.some((r) => !r.ok && r.check.name === check && r.target.includes(target)))
      .map(([file, , , check]) => `${check} did not catch the mutation of ${file}`);
    assert.deepEqual(missed, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
