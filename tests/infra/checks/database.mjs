// Aurora PostgreSQL and RDS Proxy (IAC-RULES.md 1-11). Each rule is checked
// on hand-written aws_rds_cluster / aws_db_proxy resources and on the calls of
// terraform-aws-modules/rds-aurora and rds-proxy, whose input names match the
// resource's for these settings unless noted.
import { all, verdict } from '../lib/result.mjs';
import {
  customerKeyProblem, mustBeTrue, mustNotBeTrue, declaredTimeouts, FUNCTION_TIMEOUT,
  isObj, show, refersTo,
} from '../lib/policy.mjs';

const aurora = (ctx) => [...ctx.blocks('resource', 'aws_rds_cluster'), ...ctx.registryCalls('rds-aurora')];
const proxies = (ctx) => [...ctx.blocks('resource', 'aws_db_proxy'), ...ctx.registryCalls('rds-proxy')];
const isModule = (t) => t.block.kind === 'module';

/** Instances of a cluster: the module's `instances` map, or aws_rds_cluster_instance resources. */
function clusterInstances(ctx, t) {
  if (isModule(t)) {
    const v = t.get('instances');
    if (!isObj(v)) return { problem: `instances is ${show(v)}: cannot count the cluster's instances` };
    return { list: Object.values(v).map((i) => ({ get: (n) => (isObj(i) ? i[n] : undefined) })) };
  }
  const id = `aws_rds_cluster.${t.block.name}`;
  const blocks = ctx.blocks('resource', 'aws_rds_cluster_instance')
    .filter((i) => i.inst === t.inst && refersTo(i.get('cluster_identifier'), id));
  const list = blocks.flatMap((b) => b.expand());
  const bad = list.find((i) => i.problem);
  return bad ? { problem: bad.problem } : { list };
}

export const auroraEncryption = {
  name: 'aurora_encryption', ids: ['CKV_AWS_96', 'CKV_AWS_327', 'AVD-AWS-0079', 'RDS.27', 'F26'],
  run: (ctx) => aurora(ctx).map((t) => all(t, [
    mustBeTrue(t.get('storage_encrypted'), 'storage_encrypted'),
    customerKeyProblem(t.get('kms_key_id'), 'kms_key_id'),
  ])),
};

export const auroraIamAuth = {
  name: 'aurora_iam_auth', ids: ['CKV_AWS_162', 'AVD-AWS-0176', 'RDS.12'],
  run: (ctx) => aurora(ctx).map((t) => verdict(t, mustBeTrue(t.get('iam_database_authentication_enabled'), 'iam_database_authentication_enabled'))),
};

export const auroraDeletionProtection = {
  name: 'aurora_deletion_protection', ids: ['CKV_AWS_139', 'AVD-AWS-0343', 'RDS.7'],
  run: (ctx) => aurora(ctx).map((t) => verdict(t, mustBeTrue(t.get('deletion_protection'), 'deletion_protection'))),
};

export const auroraBackups = {
  name: 'aurora_backups', ids: ['CKV_AWS_133', 'AVD-AWS-0077'],
  run: (ctx) => aurora(ctx).map((t) => {
    const v = t.get('backup_retention_period');
    return verdict(t, typeof v === 'number' && v > 1 ? null : `backup_retention_period is ${show(v)}, must be set above 1 day`);
  }),
};

export const auroraLogExports = {
  name: 'aurora_log_exports', ids: ['CKV_AWS_324', 'RDS.37'],
  run: (ctx) => aurora(ctx).map((t) => {
    const v = t.get('enabled_cloudwatch_logs_exports');
    return verdict(t, Array.isArray(v) && v.includes('postgresql') ? null : `enabled_cloudwatch_logs_exports is ${show(v)}, must include "postgresql"`);
  }),
};

export const auroraMultiAz = {
  name: 'aurora_multi_az', ids: ['RDS.15'],
  run: (ctx) => aurora(ctx).map((t) => {
    const inst = clusterInstances(ctx, t);
    if (inst.problem) return verdict(t, inst.problem);
    const n = inst.list.length;
    if (n < 2) return verdict(t, `${n} instance(s): a reader in another AZ needs at least 2`);
    // RDS places unpinned instances as it likes, possibly in one AZ: the AZs must be stated.
    const azs = inst.list.map((i) => i.get('availability_zone'));
    if (azs.some((a) => typeof a !== 'string')) return verdict(t, `instance availability zones are ${show(azs)}: pin each instance to an AZ`);
    return verdict(t, new Set(azs).size < 2 ? `all instances pinned to ${azs[0]}` : null);
  }),
};

export const auroraCopyTags = {
  name: 'aurora_copy_tags', ids: ['CKV_AWS_313', 'RDS.16'],
  run: (ctx) => aurora(ctx).map((t) => verdict(t, mustBeTrue(t.get('copy_tags_to_snapshot'), 'copy_tags_to_snapshot'))),
};

// Engine defaults an attacker would try first.
const DEFAULT_ADMINS = new Set(['postgres', 'admin', 'root', 'master', 'rdsadmin', 'administrator']);

export const auroraMasterCredentials = {
  name: 'aurora_master_credentials', ids: ['RDS.24', 'F34'],
  run: (ctx) => aurora(ctx).map((t) => {
    const user = t.get('master_username');
    const p = [mustBeTrue(t.get('manage_master_user_password'), 'manage_master_user_password')];
    for (const n of ['master_password', 'master_password_wo']) {
      const v = t.get(n);
      if (v !== undefined && v !== null) p.push(`${n} is set: the password must only live in Secrets Manager`);
    }
    if (typeof user !== 'string' || !user) p.push(`master_username is ${show(user)}: set a non-default name`);
    else if (DEFAULT_ADMINS.has(user.toLowerCase())) p.push(`master_username "${user}" is a default name`);
    return all(t, p);
  }),
};

export const auroraPerformanceInsights = {
  name: 'aurora_performance_insights', ids: ['RDS.35', 'CKV_AWS_353', 'CKV_AWS_354'],
  run: (ctx) => aurora(ctx).map((t) => {
    const p = [];
    // rds-aurora 10 takes these per instance (instances.<k>.performance_insights_*), with
    // cluster_performance_insights_* as the fallback for instances that do not say.
    const perInstance = isModule(t) && t.body.performance_insights_enabled === undefined && t.body.instances !== undefined;
    if (perInstance) {
      const inst = clusterInstances(ctx, t);
      if (inst.problem) return verdict(t, inst.problem);
      const cluster = (n) => t.get(`cluster_${n}`);
      inst.list.forEach((i, n) => {
        const pick = (k) => (i.get(k) === undefined || i.get(k) === null ? cluster(k) : i.get(k));
        p.push(mustBeTrue(pick('performance_insights_enabled'), `instance ${n} performance_insights_enabled`));
        p.push(customerKeyProblem(pick('performance_insights_kms_key_id'), `instance ${n} performance_insights_kms_key_id`));
        const m = i.get('auto_minor_version_upgrade');
        if (m !== undefined && m !== true) p.push(`instance ${n} auto_minor_version_upgrade is ${show(m)}`);
      });
    } else {
      const prefix = isModule(t) && t.body.cluster_performance_insights_enabled !== undefined ? 'cluster_' : '';
      p.push(mustBeTrue(t.get(`${prefix}performance_insights_enabled`), `${prefix}performance_insights_enabled`));
      p.push(customerKeyProblem(t.get(`${prefix}performance_insights_kms_key_id`), `${prefix}performance_insights_kms_key_id`));
    }
    const minor = t.get('auto_minor_version_upgrade');
    if (minor !== undefined && minor !== true) p.push(`auto_minor_version_upgrade is ${show(minor)}`);
    return all(t, p);
  }),
};

export const auroraNotPublic = {
  name: 'aurora_not_public', ids: ['CKV_AWS_17', 'AVD-AWS-0180', 'RDS.2'],
  run: (ctx) => aurora(ctx).map((t) => {
    const p = [mustNotBeTrue(t.get('publicly_accessible'), 'publicly_accessible')];
    const inst = clusterInstances(ctx, t);
    if (inst.problem) p.push(inst.problem);
    else inst.list.forEach((i, n) => p.push(mustNotBeTrue(i.get('publicly_accessible'), `instance ${n} publicly_accessible`)));
    return all(t, p);
  }),
};

/** Auth entries of a proxy: module `auth` map values or resource `auth` blocks. */
function proxyAuth(t) {
  if (isModule(t)) {
    const v = t.get('auth');
    if (v === undefined && t.get('default_auth_scheme') === 'IAM_AUTH') return { problem: 'auth is unset: the module then adds a SECRETS entry; pass auth = {} with IAM_AUTH' };
    if (!isObj(v)) return { problem: `auth is ${show(v)}` };
    return { list: Object.values(v).map((a) => (isObj(a) ? a : {})) };
  }
  return { list: t.sub('auth').map((a) => ({ iam_auth: t.value(a.iam_auth) })) };
}

/** The borrow timeout: module input, or the default target group's pool config. */
function borrowTimeout(ctx, t) {
  if (isModule(t)) return t.get('connection_borrow_timeout');
  const id = `aws_db_proxy.${t.block.name}`;
  const tg = ctx.blocks('resource', 'aws_db_proxy_default_target_group').find((g) => g.inst === t.inst && refersTo(g.get('db_proxy_name'), id));
  const pool = tg && tg.sub('connection_pool_config')[0];
  return pool ? tg.value(pool.connection_borrow_timeout) : undefined;
}

export const proxySettings = {
  name: 'proxy_settings', ids: ['RDS.43', 'IAC.11'],
  run: (ctx) => proxies(ctx).map((t) => {
    const p = [mustBeTrue(t.get('require_tls'), 'require_tls'), mustNotBeTrue(t.get('debug_logging'), 'debug_logging')];
    // End-to-end IAM authentication (default_auth_scheme IAM_AUTH) needs no auth entry: every
    // client logs in with an IAM token. Any auth entry given must still require IAM.
    const scheme = t.get('default_auth_scheme');
    const auth = proxyAuth(t);
    if (scheme !== undefined && scheme !== null && scheme !== 'IAM_AUTH' && scheme !== 'NONE') p.push(`default_auth_scheme is ${show(scheme)}`);
    if (auth.problem) p.push(auth.problem);
    else if (!auth.list.length && scheme !== 'IAM_AUTH') p.push('no auth configured (and default_auth_scheme is not "IAM_AUTH")');
    else auth.list.forEach((a, i) => { if (a.iam_auth !== 'REQUIRED') p.push(`auth ${i} iam_auth is ${show(a.iam_auth)}, must be "REQUIRED"`); });
    const borrow = borrowTimeout(ctx, t);
    const timeouts = declaredTimeouts(ctx.tree, t.inst, FUNCTION_TIMEOUT);
    if (typeof borrow !== 'number') p.push(`connection borrow timeout is ${show(borrow)}: must be set below the function timeout`);
    else if (!timeouts.length) p.push('no function timeout declared (e.g. variable api_timeout_seconds) to compare the borrow timeout with');
    else {
      for (const f of timeouts) {
        if (typeof f.value !== 'number') p.push(`${f.name} is ${show(f.value)}`);
        else if (borrow >= f.value) p.push(`borrow timeout ${borrow} s is not below ${f.name} = ${f.value} s`);
      }
    }
    return all(t, p);
  }),
};

/** The cluster parameters as [{ name, value }]: the module's cluster_parameter_group, or the group a cluster resource names. */
function clusterParameters(ctx, t) {
  if (isModule(t)) {
    const g = t.get('cluster_parameter_group');
    if (!isObj(g)) return { problem: `cluster_parameter_group is ${show(g)}: the cluster would run with a group this tree does not show` };
    const list = g.parameters;
    return Array.isArray(list) ? { list: list.map((x) => (isObj(x) ? x : {})) } : { problem: `cluster_parameter_group.parameters is ${show(list)}` };
  }
  const name = t.get('db_cluster_parameter_group_name');
  const group = ctx.blocks('resource', 'aws_rds_cluster_parameter_group').find((g) => g.inst === t.inst && refersTo(name, `aws_rds_cluster_parameter_group.${g.block.name}`));
  if (!group) return { problem: `db_cluster_parameter_group_name is ${show(name)}: not a parameter group of this tree` };
  return { list: group.sub('parameter').map((x) => ({ name: group.value(x.name, x.__scope), value: group.value(x.value, x.__scope) })) };
}

export const auroraForceSsl = {
  name: 'aurora_force_ssl', ids: ['IAC.DB_TLS'],
  run: (ctx) => aurora(ctx).map((t) => {
    const ps = clusterParameters(ctx, t);
    if (ps.problem) return verdict(t, ps.problem);
    const p = ps.list.find((x) => x.name === 'rds.force_ssl');
    return verdict(t, p && String(p.value) === '1' ? null : `rds.force_ssl is ${show(p && p.value)}, must be 1 (no plain-text connection to the cluster)`);
  }),
};

export default [
  auroraEncryption, auroraIamAuth, auroraDeletionProtection, auroraBackups, auroraLogExports,
  auroraMultiAz, auroraCopyTags, auroraMasterCredentials, auroraPerformanceInsights, auroraNotPublic,
  auroraForceSsl, proxySettings,
];
