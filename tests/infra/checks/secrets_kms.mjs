// Secrets Manager and KMS (IAC-RULES.md 12-15).
import { all, verdict } from '../lib/result.mjs';
import {
  customerKeyProblem, mustBeTrue, companions, policyStatements, hasStarPrincipal, show,
} from '../lib/policy.mjs';

const secrets = (ctx) => ctx.blocks('resource', 'aws_secretsmanager_secret');
const auroraManaged = (ctx) => [...ctx.blocks('resource', 'aws_rds_cluster'), ...ctx.registryCalls('rds-aurora')]
  .filter((t) => t.get('manage_master_user_password') === true);

export const secretCmk = {
  name: 'secret_cmk', ids: ['CKV_AWS_149', 'AVD-AWS-0098', 'W77'],
  run: (ctx) => [
    ...secrets(ctx).map((t) => verdict(t, customerKeyProblem(t.get('kms_key_id'), 'kms_key_id'))),
    ...auroraManaged(ctx).map((t) => verdict(t, customerKeyProblem(t.get('master_user_secret_kms_key_id'), 'master_user_secret_kms_key_id'))),
  ],
};

// Rotation at least every 30 days (SecretsManager.4's default threshold).
export const MAX_ROTATION_DAYS = 30;

/** Days between rotations from days or a schedule expression; null if unknowable. */
export function rotationDays(days, schedule) {
  if (typeof days === 'number') return days;
  if (typeof schedule === 'string') {
    const m = /^rate\(\s*(\d+)\s+days?\s*\)$/.exec(schedule.trim());
    if (m) return Number(m[1]);
    const h = /^rate\(\s*(\d+)\s+hours?\s*\)$/.exec(schedule.trim());
    if (h) return Number(h[1]) / 24;
  }
  return null;
}

function rotationProblem(days, schedule, what) {
  const d = rotationDays(days, schedule);
  if (d === null) return `${what}: rotation interval is ${show(days !== undefined ? days : schedule)}, must be at most ${MAX_ROTATION_DAYS} days (a rate() expression or days)`;
  return d > 0 && d <= MAX_ROTATION_DAYS ? null : `${what}: rotation every ${d} days, must be at most ${MAX_ROTATION_DAYS}`;
}

function resourceRotation(ctx, t) {
  const rots = companions(ctx, t, 'aws_secretsmanager_secret_rotation', 'secret_id');
  if (!rots.length) return 'no aws_secretsmanager_secret_rotation for this secret';
  return rots.map((r) => {
    const rules = r.sub('rotation_rules')[0];
    if (!rules) return `${r.id} has no rotation_rules`;
    return rotationProblem(r.value(rules.automatically_after_days), r.value(rules.schedule_expression), r.id);
  }).find(Boolean) || null;
}

export const secretRotation = {
  name: 'secret_rotation', ids: ['CKV2_AWS_57', 'CKV_AWS_304', 'SecretsManager.1', 'SecretsManager.4'],
  run: (ctx) => [
    ...secrets(ctx).map((t) => verdict(t, resourceRotation(ctx, t))),
    ...auroraManaged(ctx).map((t) => {
      if (t.block.kind !== 'module') return verdict(t, resourceRotation(ctx, t));
      return all(t, [
        mustBeTrue(t.get('manage_master_user_password_rotation'), 'manage_master_user_password_rotation'),
        rotationProblem(t.get('master_user_password_rotation_automatically_after_days'),
          t.get('master_user_password_rotation_schedule_expression'), 'master user secret'),
      ]);
    }),
  ],
};

export const kmsRotation = {
  name: 'kms_rotation', ids: ['CKV_AWS_7', 'AVD-AWS-0065', 'F19', 'KMS.4'],
  run: (ctx) => ctx.blocks('resource', 'aws_kms_key').map((t) => {
    const p = [mustBeTrue(t.get('enable_key_rotation'), 'enable_key_rotation')];
    const period = t.get('rotation_period_in_days');
    if (period !== undefined && !(typeof period === 'number' && period <= 365)) p.push(`rotation_period_in_days is ${show(period)}, must be at most 365`);
    return all(t, p);
  }),
};

export const kmsKeyPolicy = {
  name: 'kms_key_policy', ids: ['CKV2_AWS_64', 'CKV_AWS_33', 'F76', 'KMS.1', 'KMS.2', 'KMS.5'],
  run: (ctx) => ctx.blocks('resource', 'aws_kms_key').map((t) => {
    let policy = t.policy('policy');
    if (policy === undefined) {
      const kp = companions(ctx, t, 'aws_kms_key_policy', 'key_id')[0];
      policy = kp && kp.policy('policy');
    }
    if (policy === undefined) return verdict(t, 'no key policy: the default grants the whole account');
    const { statements, problem } = policyStatements(ctx, policy);
    if (problem) return verdict(t, problem);
    const open = statements.filter((s) => s.effect === 'Allow' && hasStarPrincipal(s) && !s.conditions.length);
    return verdict(t, open.length ? 'key policy allows principal "*" without a condition' : null);
  }),
};

export default [secretCmk, secretRotation, kmsRotation, kmsKeyPolicy];
