// Canary deploys and signed code (issue 14) on the emitted template: the api shifts through an
// alias with CodeDeploy (10 % for 5 minutes, rollback on its 5XX, error and p99 alarms), worker
// and cleanup run through aliases too, every invoker points at an alias, every function deploys
// only signed code (IAC-RULES 29), and the CodeDeploy role moves only this stack's aliases.
import { aliasOf, arnText, asArray, props, refersTo, resourcesOfType } from './template.mjs';

// Functions and how each must move to a new version; migrate is invoked by the pipeline, unqualified.
export const ALIASED = { api: 'Canary10Percent5Minutes', worker: 'AllAtOnce', cleanup: 'AllAtOnce' };
const ALARM_PERIOD_MAX_S = 60; // a 5-minute canary needs alarms that can fire inside it

const fnShort = (fn) => String(props(fn).FunctionName || '').split('-').pop();

function deploymentGroupOf(t, alias) {
  const update = ((alias.UpdatePolicy || {}).CodeDeployLambdaAliasUpdate) || {};
  const groupId = (update.DeploymentGroupName || {}).Ref;
  const appId = (update.ApplicationName || {}).Ref;
  const group = t.Resources[groupId];
  const app = t.Resources[appId];
  if (!group || group.Type !== 'AWS::CodeDeploy::DeploymentGroup') return { problem: 'no CodeDeploy deployment group in its UpdatePolicy' };
  if (!app || app.Type !== 'AWS::CodeDeploy::Application' || props(app).ComputePlatform !== 'Lambda') {
    return { problem: 'no Lambda CodeDeploy application in its UpdatePolicy' };
  }
  if (!refersTo(props(group).ApplicationName, appId)) return { problem: 'deployment group of another application' };
  return { groupId, group, update };
}

// "CodeDeployDefault.Lambda<type>", written out or as the plugin's Fn::Sub.
function deploymentConfig(group) {
  const v = props(group).DeploymentConfigName;
  if (typeof v === 'string') return v.replace(/^CodeDeployDefault\.Lambda/, '');
  const sub = v && v['Fn::Sub'];
  if (Array.isArray(sub) && sub[0] === 'CodeDeployDefault.Lambda${ConfigName}') return String((sub[1] || {}).ConfigName);
  return null;
}

function alarmsOf(t, group) {
  const cfg = props(group).AlarmConfiguration || {};
  if (cfg.Enabled !== true) return [];
  return asArray(cfg.Alarms).map((a) => t.Resources[(a.Name || {}).Ref]).filter((r) => r && r.Type === 'AWS::CloudWatch::Alarm');
}

function apiAlarmProblems(t, group) {
  const out = [];
  const alarms = alarmsOf(t, group).map(props);
  const has = (pred, what) => { if (!alarms.some(pred)) out.push(`api deployment group: no ${what} alarm`); };
  has((a) => a.Namespace === 'AWS/ApiGateway' && a.MetricName === '5XXError', '5XXError');
  has((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors', 'Lambda Errors');
  has((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Duration' && a.ExtendedStatistic === 'p99', 'p99 Duration');
  for (const a of alarms) {
    if (!(Number(a.Period) <= ALARM_PERIOD_MAX_S)) out.push(`${a.AlarmName}: period ${a.Period} s cannot fire inside the canary`);
  }
  const rollback = props(group).AutoRollbackConfiguration || {};
  const events = asArray(rollback.Events);
  if (rollback.Enabled !== true || !events.includes('DEPLOYMENT_FAILURE') || !events.includes('DEPLOYMENT_STOP_ON_ALARM')) {
    out.push('api deployment group: automatic rollback on failure and on alarm is not enabled');
  }
  return out;
}

// Every resource that invokes `fnId` must name its alias, not the function (else a rollback of the
// alias would leave that invoker on the new code).
function invokerProblems(t, fnId, aliasId) {
  const out = [];
  const check = (where, value) => { if (refersTo(value, fnId)) out.push(`${where}: invokes ${fnId}, not its alias ${aliasId}`); };
  for (const [id, r] of resourcesOfType(t, 'AWS::Lambda::EventSourceMapping')) check(id, props(r).FunctionName);
  for (const [id, r] of resourcesOfType(t, 'AWS::Lambda::Permission')) check(id, props(r).FunctionName);
  for (const [id, r] of resourcesOfType(t, 'AWS::Events::Rule')) asArray(props(r).Targets).forEach((x) => check(id, x.Arn));
  for (const [id, r] of resourcesOfType(t, 'AWS::ApiGateway::Method')) check(id, (props(r).Integration || {}).Uri);
  return out;
}

export default [
  {
    id: 'C1', refs: 'issue 14 (canary deploys)',
    title: 'api, worker, cleanup run through an alias moved by CodeDeploy (api: Canary10Percent5Minutes, rollback on 5XX/errors/p99)',
    check(t) {
      const out = [];
      const fns = resourcesOfType(t, 'AWS::Lambda::Function');
      for (const [name, type] of Object.entries(ALIASED)) {
        const fn = fns.find(([, f]) => fnShort(f) === name);
        if (!fn) { out.push(`no ${name} function`); continue; }
        const aliasId = aliasOf(t, fn[0]);
        if (!aliasId) { out.push(`${fn[0]}: no alias`); continue; }
        const alias = t.Resources[aliasId];
        const fv = props(alias).FunctionVersion || {};
        const versionId = (fv['Fn::GetAtt'] || [])[0];
        if (!t.Resources[versionId] || t.Resources[versionId].Type !== 'AWS::Lambda::Version' ||
            !refersTo(props(t.Resources[versionId]).FunctionName, fn[0])) {
          out.push(`${aliasId}: does not point at a published version of ${fn[0]}`);
        }
        const dg = deploymentGroupOf(t, alias);
        if (dg.problem) { out.push(`${aliasId}: ${dg.problem}`); continue; }
        const got = deploymentConfig(dg.group);
        if (got !== type) out.push(`${dg.groupId}: deployment config ${got}, want ${type}`);
        if (name === 'api') out.push(...apiAlarmProblems(t, dg.group));
      }
      return out;
    },
  },
  {
    id: 'C2', refs: 'issue 14 (API Gateway and the event source mapping point at the aliases)',
    title: 'every API method, permission, SQS mapping and schedule target of an aliased function names the alias',
    check(t) {
      const out = [];
      for (const [fnId, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
        if (!ALIASED[fnShort(fn)]) continue;
        const aliasId = aliasOf(t, fnId);
        if (aliasId) out.push(...invokerProblems(t, fnId, aliasId));
      }
      return out;
    },
  },
  {
    id: 'C3', refs: 'issue 14 (CodeDeploy role); CKV_AWS_355, IAM.21',
    title: "the deployment groups' role reads this stage's alarms, moves only this stack's aliases and runs only its hook",
    check(t) {
      const out = [];
      const roles = new Set(resourcesOfType(t, 'AWS::CodeDeploy::DeploymentGroup')
        .map(([, g]) => ((props(g).ServiceRoleArn || {})['Fn::GetAtt'] || [])[0]));
      if (roles.size === 0 && resourcesOfType(t, 'AWS::CodeDeploy::DeploymentGroup').length) out.push('deployment group role is not a role of this stack');
      const allowed = {
        'cloudwatch:DescribeAlarms': /:alarm:orders-[a-z]+-\*$/,
        'lambda:GetAlias': /:function:orders-[a-z]+-(api|worker|cleanup):Live$/,
        'lambda:UpdateAlias': /:function:orders-[a-z]+-(api|worker|cleanup):Live$/,
        'lambda:GetProvisionedConcurrencyConfig': /:function:orders-[a-z]+-(api|worker|cleanup):Live$/,
        // The api's pre-traffic hook (the managed policy would allow only CodeDeployHook_* names).
        'lambda:InvokeFunction': /:function:orders-[a-z]+-predeploy$/,
      };
      for (const roleId of roles) {
        const role = t.Resources[roleId];
        if (!role) { out.push(`unknown role ${roleId}`); continue; }
        if (asArray(props(role).ManagedPolicyArns).length) out.push(`${roleId}: managed policies attached`);
        for (const p of asArray(props(role).Policies)) {
          for (const st of asArray((p.PolicyDocument || {}).Statement).filter((s) => s.Effect === 'Allow')) {
            for (const a of asArray(st.Action)) {
              if (!allowed[a]) { out.push(`${roleId}: grants ${a}`); continue; }
              for (const r of asArray(st.Resource)) {
                const text = arnText(r);
                if (!text || !allowed[a].test(text)) out.push(`${roleId}: ${a} on ${JSON.stringify(r)}`);
              }
            }
          }
        }
      }
      return out;
    },
  },
  {
    id: 'R29', refs: 'CKV_AWS_272',
    title: "every function deploys only code signed with the stage's profile (code signing config from Terraform)",
    check(t) {
      const out = [];
      for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
        const arn = props(fn).CodeSigningConfigArn;
        const text = typeof arn === 'string' ? arn : null;
        if (!text || !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:code-signing-config:csc-[a-z0-9]{17}$/.test(text)) {
          out.push(`${id}: no code signing config (${JSON.stringify(arn)})`);
        }
      }
      return out;
    },
  },
];
