// IAC-RULES 25-33 (Lambda functions), on the CloudFormation template of `osls package`.
// Each rule: { id, refs (the public rule ids it stands for), title, check(template, ctx) -> [problem] }.
import { asArray, functionIdsIn, isIntrinsic, props, resourcesOfType } from './template.mjs';

const functions = (t) => resourcesOfType(t, 'AWS::Lambda::Function');

// Functions that run outside the VPC, and why: predeploy (CodeDeploy's pre-traffic hook) calls
// CodeDeploy and Lambda, which the private subnets cannot reach (no NAT, no interface endpoints
// for them). It is exempt only while its role reaches no data (R45d pins its exact actions).
const OUTSIDE_VPC = { predeploy: 'CodeDeploy and Lambda are not reachable from the private subnets' };
const DATA_ACTIONS = /^(rds-db:|s3:|sqs:ReceiveMessage|sqs:DeleteMessage|dynamodb:|secretsmanager:)/;

function roleReachesData(t, fn) {
  const role = t.Resources[((props(fn).Role || {})['Fn::GetAtt'] || [])[0]];
  return asArray(props(role || {}).Policies)
    .flatMap((p) => asArray((p.PolicyDocument || {}).Statement))
    .some((st) => st.Effect === 'Allow' && asArray(st.Action).some((a) => DATA_ACTIONS.test(String(a))));
}

// Names of variables that hold a secret when they hold a literal value (CKV_AWS_45's idea).
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|ACCESS_?KEY|CREDENTIAL)/i;
// Values that are secrets whatever their name: AWS access key ids, PEM private keys.
const SECRET_VALUE = /(\b(AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

// Sources that invoke a function asynchronously (Lambda retries, then needs somewhere to put failures).
const ASYNC_PRINCIPALS = new Set(['events.amazonaws.com', 's3.amazonaws.com', 'sns.amazonaws.com',
  'scheduler.amazonaws.com', 'logs.amazonaws.com', 'iot.amazonaws.com']);

function asyncInvokedFunctions(t) {
  const ids = new Set();
  for (const [, rule] of resourcesOfType(t, 'AWS::Events::Rule')) {
    for (const target of asArray(props(rule).Targets)) functionIdsIn(t, target.Arn).forEach((id) => ids.add(id));
  }
  for (const [, perm] of resourcesOfType(t, 'AWS::Lambda::Permission')) {
    if (ASYNC_PRINCIPALS.has(props(perm).Principal)) {
      functionIdsIn(t, props(perm).FunctionName).forEach((id) => ids.add(id));
    }
  }
  return ids;
}

export default [
  {
    id: 'R25', refs: 'CKV_AWS_117, W89, Lambda.3/.5',
    title: 'every function runs in the VPC, in >= 2 subnets (AZs), with a security group (predeploy: outside, without data rights)',
    check(t) {
      const out = [];
      for (const [id, fn] of functions(t)) {
        const vpc = props(fn).VpcConfig;
        const short = String(props(fn).FunctionName || '').split('-').pop();
        if (!vpc && OUTSIDE_VPC[short] && !roleReachesData(t, fn)) continue;
        if (!vpc) { out.push(`${id}: no VpcConfig${OUTSIDE_VPC[short] ? ' and its role reaches data' : ''}`); continue; }
        const subnets = vpc.SubnetIds;
        if (!Array.isArray(subnets)) out.push(`${id}: SubnetIds is not a literal list (cannot count AZs)`);
        else if (new Set(subnets.map((s) => JSON.stringify(s))).size < 2) out.push(`${id}: fewer than 2 subnets`);
        if (!Array.isArray(vpc.SecurityGroupIds) || vpc.SecurityGroupIds.length === 0) {
          out.push(`${id}: no security group`);
        }
      }
      return out;
    },
  },
  {
    id: 'R26', refs: 'CKV_AWS_50, WS1000', title: 'X-Ray active tracing on every function',
    check: (t) => functions(t)
      .filter(([, fn]) => (props(fn).TracingConfig || {}).Mode !== 'Active')
      .map(([id]) => `${id}: TracingConfig.Mode is not Active`),
  },
  {
    id: 'R27', refs: 'CKV_AWS_115, W92',
    title: 'concurrency bounded: reserved concurrency, or every SQS mapping has a maximum concurrency',
    check(t) {
      const out = [];
      const mappings = resourcesOfType(t, 'AWS::Lambda::EventSourceMapping');
      for (const [id, fn] of functions(t)) {
        const reserved = props(fn).ReservedConcurrentExecutions;
        if (Number.isInteger(reserved) && reserved > 0) continue;
        const mine = mappings.filter(([, m]) => functionIdsIn(t, props(m).FunctionName).includes(id));
        const bounded = mine.length > 0 &&
          mine.every(([, m]) => Number.isInteger((props(m).ScalingConfig || {}).MaximumConcurrency));
        const otherSources = resourcesOfType(t, 'AWS::Lambda::Permission')
          .some(([, p]) => functionIdsIn(t, props(p).FunctionName).includes(id));
        if (!bounded || otherSources) out.push(`${id}: no reserved concurrency and not bounded by its event source mappings alone`);
      }
      return out;
    },
  },
  {
    id: 'R28', refs: 'CKV_AWS_116, ES1007, ES4000',
    title: 'asynchronously invoked functions have a failure destination; rule targets have a DLQ',
    check(t) {
      const out = [];
      const configs = resourcesOfType(t, 'AWS::Lambda::EventInvokeConfig');
      for (const id of asyncInvokedFunctions(t)) {
        const fn = t.Resources[id];
        const dlq = (props(fn).DeadLetterConfig || {}).TargetArn;
        const dest = configs.some(([, c]) => functionIdsIn(t, props(c).FunctionName).includes(id) &&
          ((props(c).DestinationConfig || {}).OnFailure || {}).Destination);
        if (!dlq && !dest) out.push(`${id}: invoked asynchronously but has no onFailure destination or DLQ`);
      }
      for (const [id, rule] of resourcesOfType(t, 'AWS::Events::Rule')) {
        for (const target of asArray(props(rule).Targets)) {
          if (!(target.DeadLetterConfig || {}).Arn) out.push(`${id}: target ${target.Id} has no DeadLetterConfig`);
        }
      }
      return out;
    },
  },
  {
    id: 'R30a', refs: 'CKV_AWS_45', title: 'no secrets in function environment variables',
    check(t) {
      const out = [];
      for (const [id, fn] of functions(t)) {
        const vars = (props(fn).Environment || {}).Variables || {};
        for (const [name, value] of Object.entries(vars)) {
          if (isIntrinsic(value)) continue;
          if (SECRET_NAME.test(name) && String(value) !== '') out.push(`${id}: ${name} holds a literal value`);
          if (SECRET_VALUE.test(String(value))) out.push(`${id}: ${name} looks like a key`);
        }
      }
      return out;
    },
  },
  {
    id: 'R30b', refs: 'CKV_AWS_173', title: 'function environment encrypted with a customer key (KmsKeyArn)',
    check: (t) => functions(t)
      .filter(([, fn]) => Object.keys((props(fn).Environment || {}).Variables || {}).length > 0 && !props(fn).KmsKeyArn)
      .map(([id]) => `${id}: environment without KmsKeyArn`),
  },
  {
    id: 'R31', refs: 'CKV_AWS_363, Lambda.2',
    title: 'runtime provided.al2023 on x86_64 (what scripts/package builds), zip package',
    check(t) {
      const out = [];
      for (const [id, fn] of functions(t)) {
        const p = props(fn);
        if (p.Runtime !== 'provided.al2023') out.push(`${id}: runtime ${p.Runtime}`);
        if (JSON.stringify(p.Architectures || ['x86_64']) !== '["x86_64"]') out.push(`${id}: architecture ${p.Architectures}`);
        if (p.PackageType === 'Image') out.push(`${id}: image package`);
      }
      return out;
    },
  },
  {
    id: 'R32', refs: 'CKV_AWS_301, CKV_AWS_364, Lambda.1, F13',
    title: 'invoke permissions name a service principal and are scoped by SourceArn',
    check(t) {
      const out = [];
      for (const [id, perm] of resourcesOfType(t, 'AWS::Lambda::Permission')) {
        const p = props(perm);
        if (typeof p.Principal !== 'string' || p.Principal.includes('*')) out.push(`${id}: principal ${JSON.stringify(p.Principal)}`);
        if (!p.SourceArn) out.push(`${id}: no SourceArn`);
        if (p.FunctionUrlAuthType === 'NONE') out.push(`${id}: public function URL`);
      }
      return out;
    },
  },
  {
    id: 'R33', refs: 'ES1005, ES1006', title: 'every function sets its timeout and memory explicitly',
    check(t, ctx) {
      const out = [];
      for (const [id, fn] of functions(t)) {
        if (!Number.isInteger(props(fn).Timeout)) out.push(`${id}: no Timeout`);
        if (!Number.isInteger(props(fn).MemorySize)) out.push(`${id}: no MemorySize`);
      }
      // The template always carries the provider defaults; explicitness is a property of the config.
      for (const [name, fn] of Object.entries((ctx && ctx.functionsConfig) || {})) {
        if (fn.timeout == null) out.push(`serverless.yml functions.${name}: no timeout`);
        if (fn.memorySize == null) out.push(`serverless.yml functions.${name}: no memorySize`);
      }
      return out;
    },
  },
];
