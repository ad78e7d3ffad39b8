// Resources whose rules (IAC-RULES.md 25-35, 37-39) are enforced only on
// serverless.yml's CloudFormation by tests/infra/serverless. If Terraform ever
// declared one, those rules would silently go unchecked, so this check fails
// instead: the design puts them in serverless.yml.
import { all } from '../lib/result.mjs';

export const SERVERLESS_OWNED = [
  'aws_lambda_function', 'aws_lambda_permission', 'aws_lambda_event_source_mapping', 'aws_lambda_function_url',
  'aws_api_gateway_rest_api', 'aws_api_gateway_stage', 'aws_api_gateway_deployment', 'aws_api_gateway_method',
  'aws_api_gateway_method_settings', 'aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target',
  'aws_scheduler_schedule', 'aws_wafv2_web_acl_association',
];

export const serverlessOwned = {
  name: 'serverless_owned', ids: ['IAC.SCOPE'],
  run(ctx) {
    const roots = ctx.instances().filter((i) => !i.parent);
    const found = ctx.blocks('resource', SERVERLESS_OWNED);
    return roots.map((root) => {
      const inRoot = (inst) => { let i = inst; while (i.parent) i = i.parent; return i === root; };
      const mine = found.filter((t) => inRoot(t.inst));
      const t = { file: ctx.rel(root.mod.dir), label: root.label, inst: root, block: { kind: 'root', file: root.mod.dir } };
      return all(t, mine.map((m) => `${m.id} (${m.file}) belongs in serverless.yml, whose checks enforce its rules`));
    });
  },
};

export default [serverlessOwned];
