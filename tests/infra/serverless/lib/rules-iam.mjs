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

function trustProblems(id, role) {
  const out = [];
  for (const st of asArray((props(role).AssumeRolePolicyDocument || {}).Statement)) {
    const p = st.Principal;
    const services = p && typeof p === 'object' ? asArray(p.Service) : [];
    if (p === '*' || (p && typeof p === 'object' && (p.AWS || p.Federated)) ||
        !services.length || services.some((s) => s !== 'lambda.amazonaws.com')) {
      out.push(`${id}: trusts ${JSON.stringify(p)}, not only lambda.amazonaws.com`);
    }
  }
  return out;
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
    id: 'R45b', refs: 'IAM.1, F2', title: 'function roles: trusted by Lambda only, no managed policies, inline only',
    check(t) {
      const out = [];
      for (const [id, role] of resourcesOfType(t, 'AWS::IAM::Role')) {
        out.push(...trustProblems(id, role));
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
