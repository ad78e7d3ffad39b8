// CloudWatch log groups (IAC-RULES.md 40): retention set and a customer key,
// for hand-written groups and for the groups the community modules create.
import { all } from '../lib/result.mjs';
import { customerKeyProblem, show } from '../lib/policy.mjs';

// CloudWatch accepts only these retention values; 0 would mean "never expire".
const RETENTION = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);

function retentionProblem(v, what) {
  return typeof v === 'number' && RETENTION.has(v) ? null : `${what} is ${show(v)}, must be set to a CloudWatch retention period`;
}

/** Module calls that create a log group: [target, retention input, key input, created?]. */
const MODULE_GROUPS = [
  ['rds-aurora', 'cloudwatch_log_group_retention_in_days', 'cloudwatch_log_group_kms_key_id', (t) => t.get('create_cloudwatch_log_group') === true],
  ['rds-proxy', 'log_group_retention_in_days', 'log_group_kms_key_id', (t) => t.get('manage_log_group') !== false],
  ['vpc', 'flow_log_cloudwatch_log_group_retention_in_days', 'flow_log_cloudwatch_log_group_kms_key_id',
    (t) => t.get('enable_flow_log') === true && t.get('create_flow_log_cloudwatch_log_group') === true],
];

export const logGroups = {
  name: 'log_groups', ids: ['CKV_AWS_66', 'CKV_AWS_338', 'CKV_AWS_158', 'W84', 'W86'],
  run: (ctx) => [
    ...ctx.blocks('resource', 'aws_cloudwatch_log_group').map((t) => all(t, [
      retentionProblem(t.get('retention_in_days'), 'retention_in_days'),
      customerKeyProblem(t.get('kms_key_id'), 'kms_key_id'),
    ])),
    ...MODULE_GROUPS.flatMap(([mod, ret, key, creates]) => ctx.registryCalls(mod).filter(creates).map((t) => all(t, [
      retentionProblem(t.get(ret), ret),
      customerKeyProblem(t.get(key), key),
    ]))),
  ],
};

export default [logGroups];
