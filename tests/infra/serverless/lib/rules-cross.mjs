// Cross-tool invariants (IAC-RULES) and the names Terraform relies on (its deploy policy, alarms,
// key policies and log groups are written for orders-<stage>-...). ctx.tf holds Terraform's values
// (lib/terraform.mjs) and ctx.stage the stage packaged.
import { asArray, functionIdsIn, props, resourcesOfType } from './template.mjs';

// API Gateway ends a REST integration at 29 s.
const API_GATEWAY_LIMIT_S = 29;
// Aurora Serverless v2 PostgreSQL max_connections at its smallest maximum capacity (1 ACU):
// LEAST(DBInstanceClassMemory / 9531392, 5000) ~ 189 (AWS documentation's table).
const MAX_CONNECTIONS_AT_MIN_ACU = 189;
// Each sandbox holds one connection to RDS Proxy (functions/common keeps one session per process).
const CONNECTIONS_PER_INVOCATION = 1;

const fnByName = (t, suffix) => resourcesOfType(t, 'AWS::Lambda::Function')
  .find(([, f]) => String(props(f).FunctionName || '').endsWith(`-${suffix}`));

function concurrencyOf(t, id, fn) {
  const reserved = props(fn).ReservedConcurrentExecutions;
  if (Number.isInteger(reserved)) return reserved;
  const max = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping')
    .filter(([, m]) => functionIdsIn(t, props(m).FunctionName).includes(id))
    .map(([, m]) => (props(m).ScalingConfig || {}).MaximumConcurrency);
  return max.length && max.every(Number.isInteger) ? max.reduce((a, b) => a + b, 0) : Infinity;
}

export default [
  {
    id: 'X1', refs: 'cross-tool: timeouts',
    title: 'proxy borrow timeout < api timeout < 29 s',
    check(t, ctx) {
      const api = fnByName(t, 'api');
      if (!api) return ['no api function'];
      const timeout = props(api[1]).Timeout;
      const borrow = ctx.tf.proxyBorrowTimeoutS;
      const out = [];
      if (!(timeout < API_GATEWAY_LIMIT_S)) out.push(`api timeout ${timeout} s is not below API Gateway's ${API_GATEWAY_LIMIT_S} s`);
      if (!(borrow < timeout)) out.push(`proxy borrow timeout ${borrow} s is not below the api timeout ${timeout} s`);
      return out;
    },
  },
  {
    id: 'X2', refs: 'cross-tool: ES6000 visibility >= 6 x timeout',
    title: "queue visibility (6 x Terraform's worker timeout) >= 6 x the worker's timeout",
    check(t, ctx) {
      const worker = fnByName(t, 'worker');
      if (!worker) return ['no worker function'];
      const timeout = props(worker[1]).Timeout;
      const visibility = 6 * ctx.tf.workerTimeoutS;
      return visibility >= 6 * timeout ? [] : [`visibility ${visibility} s < 6 x worker timeout ${timeout} s`];
    },
  },
  {
    id: 'X3', refs: 'cross-tool: connections <= 80 % of the proxy pool',
    title: 'all functions at full concurrency x 1 connection <= 80 % of the proxy pool at 1 ACU',
    check(t, ctx) {
      const pool = Math.floor(MAX_CONNECTIONS_AT_MIN_ACU * ctx.tf.proxyMaxConnectionsPercent / 100);
      const budget = Math.floor(0.8 * pool);
      let used = 0;
      const parts = [];
      for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
        const c = concurrencyOf(t, id, fn) * CONNECTIONS_PER_INVOCATION;
        used += c;
        parts.push(`${id}=${c}`);
      }
      return used <= budget ? [] : [`${used} connections (${parts.join(' ')}) > 80 % of a ${pool}-connection pool (${budget})`];
    },
  },
  {
    id: 'X4', refs: "cross-tool: Terraform's names",
    title: 'functions, roles, rules, API and access log named orders-<stage>-... as Terraform expects',
    check(t, ctx) {
      const prefix = `orders-${ctx.stage}`;
      const out = [];
      const expectName = (type, key, re) => {
        for (const [id, r] of resourcesOfType(t, type)) {
          const name = props(r)[key];
          if (typeof name !== 'string' || !re.test(name)) out.push(`${id}: ${key} ${JSON.stringify(name)} does not match ${re}`);
        }
      };
      expectName('AWS::Lambda::Function', 'FunctionName', new RegExp(`^${prefix}-(api|worker|cleanup|migrate|predeploy)$`));
      expectName('AWS::IAM::Role', 'RoleName', new RegExp(`^${prefix}-`));
      expectName('AWS::Events::Rule', 'Name', new RegExp(`^${prefix}-`));
      expectName('AWS::ApiGateway::RestApi', 'Name', new RegExp(`^${prefix}$`));
      expectName('AWS::Logs::LogGroup', 'LogGroupName', new RegExp(`^/aws/api-gateway/${prefix}`));
      for (const fn of ['api', 'worker', 'cleanup', 'migrate']) {
        if (!fnByName(t, fn)) out.push(`no ${fn} function`);
      }
      return out;
    },
  },
  {
    id: 'X5', refs: 'cross-tool: one owner per log group',
    title: "the stack makes no /aws/lambda log group (Terraform's, with retention and KMS)",
    check: (t) => resourcesOfType(t, 'AWS::Logs::LogGroup')
      .filter(([, g]) => String(props(g).LogGroupName || '').startsWith('/aws/lambda/'))
      .map(([id]) => `${id}: function log group made by serverless`),
  },
  {
    id: 'X6', refs: 'cross-tool: worker mapping',
    title: 'worker: SQS mapping batch <= 10 with partial batch responses',
    check(t) {
      const worker = fnByName(t, 'worker');
      if (!worker) return ['no worker function'];
      const maps = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping')
        .filter(([, m]) => functionIdsIn(t, props(m).FunctionName).includes(worker[0]));
      if (maps.length !== 1) return [`worker has ${maps.length} event source mappings`];
      const p = props(maps[0][1]);
      const out = [];
      if (!(p.BatchSize <= 10)) out.push(`batch size ${p.BatchSize}`);
      if (!asArray(p.FunctionResponseTypes).includes('ReportBatchItemFailures')) out.push('no ReportBatchItemFailures');
      return out;
    },
  },
  {
    id: 'X7', refs: 'cross-tool: KMS key policy',
    title: "log groups this stack encrypts are ones Terraform's lambda key lets CloudWatch Logs use",
    check(t, ctx) {
      const patterns = ctx.tf.keyLogGroups.map((g) => new RegExp(`^${g
        .replace(/\$\{var\.name\}/g, `orders-${ctx.stage}`)
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
      return resourcesOfType(t, 'AWS::Logs::LogGroup')
        .filter(([, g]) => props(g).KmsKeyId)
        .filter(([, g]) => !patterns.some((re) => re.test(String(props(g).LogGroupName))))
        .map(([id, g]) => `${id}: ${props(g).LogGroupName} is not among ${ctx.tf.keyLogGroups.join(', ')}`);
    },
  },
  {
    id: 'X8', refs: 'cross-tool: EMF alarms',
    title: "functions emit EMF metrics under the namespace and Service dimension Terraform's alarms watch",
    check(t, ctx) {
      const fns = resourcesOfType(t, 'AWS::Lambda::Function');
      if (!fns.length) return ['no function'];
      const out = [];
      for (const [id, f] of fns) {
        const env = (props(f).Environment || {}).Variables || {};
        if (env.METRICS_NAMESPACE !== ctx.tf.metricsNamespace) out.push(`${id}: METRICS_NAMESPACE is ${JSON.stringify(env.METRICS_NAMESPACE)}, Terraform's alarms watch ${ctx.tf.metricsNamespace}`);
        if (env.SERVICE_NAME !== ctx.tf.service) out.push(`${id}: SERVICE_NAME is ${JSON.stringify(env.SERVICE_NAME)}, Terraform's alarms watch Service=${ctx.tf.service}`);
      }
      return out;
    },
  },
];
