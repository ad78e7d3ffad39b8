// IAC-RULES 45 on the functions' roles, and "one least-privilege role per function" (STYLE).
import { arnText, asArray, props, resourcesOfType } from './template.mjs';

// Actions IAM accepts with no narrower resource than "*" (serverless.yml says why beside them).
export const STAR_RESOURCE_OK = new Set([
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
]);

function policyDocuments(t) {
  const docs = [];
  for (const [id, role] of resourcesOfType(t, 'AWS::IAM::Role')) {
    for (const p of asArray(props(role).Policies)) docs.push([`${id}/${p.PolicyName}`, p.PolicyDocument]);
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, pol] of resourcesOfType(t, type)) docs.push([id, props(pol).PolicyDocument]);
  }
  return docs;
}

// An ARN with a wildcard where the service, region or account belongs ("arn:aws:sqs:*:*:q").
function wildArn(text) {
  const parts = text.split(':');
  return parts[0] === 'arn' && parts.slice(1, 5).some((p) => p.includes('*'));
}

function statementProblems(where, st) {
  const out = [];
  if (st.Effect !== 'Allow') return out;
  if (st.NotAction || st.NotResource) out.push(`${where}: NotAction/NotResource`);
  const actions = asArray(st.Action);
  for (const a of actions) {
    if (typeof a === 'string' && (a === '*' || /^[a-z0-9-]+:\*$/i.test(a))) out.push(`${where}: action ${a}`);
  }
  for (const r of asArray(st.Resource)) {
    const text = arnText(r);
    if (text === '*') {
      const bad = actions.filter((a) => !STAR_RESOURCE_OK.has(a));
      if (bad.length) out.push(`${where}: Resource "*" for ${bad.join(', ')}`);
    } else if (text && wildArn(text)) {
      out.push(`${where}: wildcard in the ARN's partition, service, region or account: ${text}`);
    }
  }
  return out;
}

function trustProblems(id, role, service) {
  const out = [];
  for (const st of asArray((props(role).AssumeRolePolicyDocument || {}).Statement)) {
    const p = st.Principal;
    const services = p && typeof p === 'object' ? asArray(p.Service) : [];
    if (p === '*' || (p && typeof p === 'object' && (p.AWS || p.Federated)) ||
        !services.length || services.some((s) => s !== service)) {
      out.push(`${id}: trusts ${JSON.stringify(p)}, not only ${service}`);
    }
  }
  return out;
}

// Roles the stack's CodeDeploy deployment groups run as (the canary): trusted by CodeDeploy.
function codeDeployRoleIds(t) {
  const ids = new Set();
  for (const [, g] of resourcesOfType(t, 'AWS::CodeDeploy::DeploymentGroup')) {
    const arn = props(g).ServiceRoleArn || {};
    const id = (arn['Fn::GetAtt'] || [])[0];
    if (id) ids.add(id);
  }
  return ids;
}

export default [
  {
    id: 'R45a', refs: 'CKV_AWS_62, CKV_AWS_63, CKV_AWS_355, IAM.1, IAM.21, F2, F3, F6',
    title: 'function roles: no "*" action, no "*" resource outside the documented exceptions',
    check(t) {
      const out = [];
      for (const [where, doc] of policyDocuments(t)) {
        asArray((doc || {}).Statement).forEach((st, i) => out.push(...statementProblems(`${where}#${st.Sid || i}`, st)));
      }
      return out;
    },
  },
  {
    id: 'R45b', refs: 'IAM.1, F2',
    title: 'roles: trusted by Lambda only (CodeDeploy only for the deployment groups\' role), no managed policies, inline only',
    check(t) {
      const out = [];
      const codeDeploy = codeDeployRoleIds(t);
      for (const [id, role] of resourcesOfType(t, 'AWS::IAM::Role')) {
        out.push(...trustProblems(id, role, codeDeploy.has(id) ? 'codedeploy.amazonaws.com' : 'lambda.amazonaws.com'));
        if (asArray(props(role).ManagedPolicyArns).length) out.push(`${id}: managed policies attached`);
      }
      return out;
    },
  },
  {
    id: 'R45c', refs: 'STYLE serverless.yml 4', title: 'one role per function, each a role of this stack',
    check(t) {
      const out = [];
      const seen = new Map();
      for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
        const role = props(fn).Role || {};
        const roleId = (role['Fn::GetAtt'] || [])[0];
        if (!roleId || !t.Resources[roleId]) { out.push(`${id}: role is not a role of this stack`); continue; }
        if (seen.has(roleId)) out.push(`${id}: shares role ${roleId} with ${seen.get(roleId)}`);
        seen.set(roleId, id);
      }
      return out;
    },
  },
];

// What each function's role may do, exactly: a new permission is a deliberate change here too.
const BASE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses', 'kms:Decrypt', 'rds-db:connect'];
export const ROLE_ACTIONS = {
  api: [...BASE, 'sqs:SendMessage', 'kms:GenerateDataKey'],
  worker: [...BASE, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  // AbortMultipartUpload: the archive's multipart upload that failed (functions/cleanup/README.md)
  cleanup: [...BASE, 'sqs:SendMessage', 'kms:GenerateDataKey', 's3:PutObject', 's3:AbortMultipartUpload'],
  migrate: [...BASE],
  // CodeDeploy's pre-traffic hook: outside the VPC (no ENI actions) and no data at all (no
  // rds-db:connect, no orders queue or bucket): reads and reports the api's deployments, invokes
  // the api's new version, sends a failed async event to the async-failure queue.
  predeploy: ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
    'kms:Decrypt', 'kms:GenerateDataKey', 'sqs:SendMessage', 'codedeploy:GetDeployment',
    'codedeploy:PutLifecycleEventHookExecutionStatus', 'lambda:InvokeFunction'],
};
// Resources some actions must be pinned to (the text of the ARN, Fn::Sub variables included).
const PINNED = {
  'rds-db:connect': /:rds-db:\$\{AWS::Region\}:\$\{AWS::AccountId\}:dbuser:prx-[0-9a-z]+\/[A-Za-z0-9_]+$/,
  's3:PutObject': /^arn:aws:s3:::[a-z0-9.-]+\/[A-Za-z0-9/_-]+\/\*$/,
  's3:AbortMultipartUpload': /^arn:aws:s3:::[a-z0-9.-]+\/[A-Za-z0-9/_-]+\/\*$/,
  'logs:PutLogEvents': /:log-group:\/aws\/lambda\/orders-[a-z]+-(api|worker|cleanup|migrate|predeploy):\*$/,
  // The api's deployment group (the plugin's application) and the api's versions, nothing else.
  'codedeploy:GetDeployment': /:codedeploy:\$\{AWS::Region\}:\$\{AWS::AccountId\}:deploymentgroup:\$\{Orders[a-z]+DeploymentApplication\}\/orders-[a-z]+-ApiLambdaFunctionDeploymentGroup$/,
  'codedeploy:PutLifecycleEventHookExecutionStatus': /:codedeploy:\$\{AWS::Region\}:\$\{AWS::AccountId\}:deploymentgroup:\$\{Orders[a-z]+DeploymentApplication\}\/orders-[a-z]+-ApiLambdaFunctionDeploymentGroup$/,
  'lambda:InvokeFunction': /:lambda:\$\{AWS::Region\}:\$\{AWS::AccountId\}:function:orders-[a-z]+-api:\*$/,
};

// Each function that reaches the database logs in as its own database user (DB_USER) and its
// role may connect as that user only: not the master user, not another function's. A function
// whose role cannot connect at all (predeploy, outside the VPC) needs no user.
function ownDbUserProblems(id, fn, roleId, statements, dbUsers) {
  const out = [];
  const user = ((props(fn).Environment || {}).Variables || {}).DB_USER;
  const connects = statements.some((x) => asArray(x.Action).includes('rds-db:connect'));
  if (!connects && (typeof user !== 'string' || !user)) return [];
  if (typeof user !== 'string' || !user) return [`${id}: no DB_USER of its own`];
  if (dbUsers.has(user)) out.push(`${id}: DB_USER ${user} is also ${dbUsers.get(user)}'s`);
  dbUsers.set(user, id);
  for (const st of statements.filter((x) => asArray(x.Action).includes('rds-db:connect'))) {
    for (const r of asArray(st.Resource)) {
      const target = String(arnText(r)).split('/').pop();
      if (target !== user) out.push(`${roleId}: rds-db:connect as ${target}, not its DB_USER ${user}`);
    }
  }
  return out;
}

// migrate creates the users and grants to them (db/migrations/0006): the names it is given must
// be the ones the functions log in as.
const MIGRATE_USER_VARS = { api: 'DB_API_USER', worker: 'DB_WORKER_USER', cleanup: 'DB_CLEANUP_USER', migrate: 'DB_MIGRATOR_USER' };
function migrateGrantsProblems(t) {
  const env = new Map(resourcesOfType(t, 'AWS::Lambda::Function').map(([, fn]) => [
    String(props(fn).FunctionName || '').split('-').pop(), (props(fn).Environment || {}).Variables || {}]));
  const migrate = env.get('migrate');
  if (!migrate) return [];
  return Object.entries(MIGRATE_USER_VARS)
    .filter(([fn, v]) => env.has(fn) && migrate[v] !== env.get(fn).DB_USER)
    .map(([fn, v]) => `migrate: ${v} ${migrate[v]} is not ${fn}'s DB_USER ${env.get(fn).DB_USER}`);
}

function roleStatements(role) {
  return asArray(props(role).Policies).flatMap((p) => asArray((p.PolicyDocument || {}).Statement));
}

export const roleMatrixRule = {
  id: 'R45d', refs: 'CKV_AWS_355, IAM.21 (least privilege)',
  title: "each function's role grants exactly its function's actions, pinned to its resources",
  check(t) {
    const out = [];
    const dbUsers = new Map(); // DB_USER -> function id: no two functions share a database user
    for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
      const name = String(props(fn).FunctionName || '').split('-').pop();
      const want = ROLE_ACTIONS[name];
      const roleId = ((props(fn).Role || {})['Fn::GetAtt'] || [])[0];
      const role = t.Resources[roleId];
      if (!want || !role) { out.push(`${id}: unknown function ${name} or role ${roleId}`); continue; }
      const statements = roleStatements(role).filter((st) => st.Effect === 'Allow');
      const got = new Set(statements.flatMap((st) => asArray(st.Action)));
      const extra = [...got].filter((a) => !want.includes(a));
      const missing = want.filter((a) => !got.has(a));
      if (extra.length) out.push(`${roleId}: grants more than ${name} needs: ${extra.join(', ')}`);
      if (missing.length) out.push(`${roleId}: lacks ${missing.join(', ')}`);
      for (const st of statements) {
        for (const action of asArray(st.Action).filter((a) => PINNED[a])) {
          for (const r of asArray(st.Resource)) {
            const text = arnText(r);
            if (!text || !PINNED[action].test(text)) out.push(`${roleId}: ${action} on ${JSON.stringify(r)}`);
          }
        }
      }
      out.push(...ownDbUserProblems(id, fn, roleId, statements, dbUsers));
      const logs = statements.find((st) => asArray(st.Action).includes('logs:PutLogEvents'));
      if (logs && !asArray(logs.Resource).every((r) => String(arnText(r)).includes(`-${name}:*`))) {
        out.push(`${roleId}: writes to another function's log group`);
      }
    }
    out.push(...migrateGrantsProblems(t));
    return out;
  },
};
