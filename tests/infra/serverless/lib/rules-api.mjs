// IAC-RULES 34-39 (API Gateway REST stage) and 40 (log groups the stack makes).
import { asArray, props, refersTo, resourcesOfType } from './template.mjs';

const stages = (t) => resourcesOfType(t, 'AWS::ApiGateway::Stage');

// A REST API whose stage is made implicitly by a Deployment's StageName has no stage settings
// in the template (osls's default, see packaging/serverless/rest-api-stage.js): flag it.
function implicitStages(t) {
  return resourcesOfType(t, 'AWS::ApiGateway::Deployment')
    .filter(([, dep]) => props(dep).StageName && !(props(dep).StageDescription || {}).AccessLogSetting)
    .map(([id, dep]) => `${id}: creates stage ${props(dep).StageName} implicitly, without settings`);
}

function catchAllSetting(stage) {
  return asArray(props(stage).MethodSettings)
    .find((m) => m.ResourcePath === '/*' && m.HttpMethod === '*');
}

export default [
  {
    id: 'R34', refs: 'CKV_AWS_76, APIGateway.1, W69, ES2000',
    title: 'every REST API stage writes access logs (destination and format)',
    check(t) {
      const out = implicitStages(t);
      if (resourcesOfType(t, 'AWS::ApiGateway::RestApi').length > 0 && stages(t).length === 0) {
        out.push('REST API without an AWS::ApiGateway::Stage resource');
      }
      for (const [id, s] of stages(t)) {
        const log = props(s).AccessLogSetting || {};
        if (!log.DestinationArn) out.push(`${id}: no access log destination`);
        if (!log.Format || !String(log.Format).includes('$context.requestId')) out.push(`${id}: access log format without $context.requestId`);
      }
      return out;
    },
  },
  {
    id: 'R35', refs: 'CKV2_AWS_29, APIGateway.4', title: 'a WAF web ACL is associated with every stage',
    check(t) {
      const assocs = resourcesOfType(t, 'AWS::WAFv2::WebACLAssociation');
      return stages(t)
        .filter(([id]) => !assocs.some(([, a]) => refersTo(props(a).ResourceArn, id) && props(a).WebACLArn))
        .map(([id]) => `${id}: no WAFv2 WebACLAssociation refers to it`);
    },
  },
  {
    id: 'R36', refs: 'CKV_AWS_206, W62',
    title: 'custom domains use TLS_1_2; an API without its default endpoint is mapped to one',
    check(t) {
      const out = [];
      for (const [id, dn] of resourcesOfType(t, 'AWS::ApiGateway::DomainName')) {
        if (props(dn).SecurityPolicy !== 'TLS_1_2') out.push(`${id}: SecurityPolicy ${props(dn).SecurityPolicy}`);
      }
      const mappings = resourcesOfType(t, 'AWS::ApiGateway::BasePathMapping');
      for (const [id, api] of resourcesOfType(t, 'AWS::ApiGateway::RestApi')) {
        if (props(api).DisableExecuteApiEndpoint !== true) out.push(`${id}: the execute-api endpoint is open beside the custom domain`);
        if (!mappings.some(([, m]) => refersTo(props(m).RestApiId, id) && props(m).DomainName)) {
          out.push(`${id}: not mapped to a custom domain`);
        }
      }
      return out;
    },
  },
  {
    id: 'R37', refs: 'CKV_AWS_308, CKV_AWS_276, APIGateway.5',
    title: 'no data trace; cache encrypted when caching is on',
    check(t) {
      const out = [];
      for (const [id, s] of stages(t)) {
        const cacheOn = props(s).CacheClusterEnabled === true;
        for (const m of asArray(props(s).MethodSettings)) {
          if (m.DataTraceEnabled === true) out.push(`${id}: data trace on ${m.HttpMethod} ${m.ResourcePath}`);
          if ((cacheOn || m.CachingEnabled) && m.CacheDataEncrypted !== true) out.push(`${id}: cache not encrypted`);
        }
      }
      return out;
    },
  },
  {
    id: 'R38', refs: 'CKV_AWS_73, APIGateway.3, WS2002', title: 'X-Ray tracing on every stage',
    check: (t) => stages(t).filter(([, s]) => props(s).TracingEnabled !== true)
      .map(([id]) => `${id}: TracingEnabled is not true`),
  },
  {
    id: 'R39a', refs: 'CKV2_AWS_70, CKV_AWS_59', title: 'every method requires an API key or an authorizer',
    check: (t) => resourcesOfType(t, 'AWS::ApiGateway::Method')
      .filter(([, m]) => props(m).ApiKeyRequired !== true && (props(m).AuthorizationType || 'NONE') === 'NONE')
      .map(([id]) => `${id}: open method`),
  },
  {
    id: 'R39b', refs: 'ES2003', title: 'stage throttling, and a usage plan with throttle and quota on the stage',
    check(t) {
      const out = [];
      const plans = resourcesOfType(t, 'AWS::ApiGateway::UsagePlan');
      for (const [id, s] of stages(t)) {
        const m = catchAllSetting(s);
        if (!m || !(m.ThrottlingRateLimit > 0) || !(m.ThrottlingBurstLimit > 0)) out.push(`${id}: no stage-wide throttling (/* *)`);
        const name = props(s).StageName;
        const plan = plans.find(([, p]) => asArray(props(p).ApiStages).some((a) => a.Stage === name));
        if (!plan) out.push(`${id}: no usage plan covers stage ${name}`);
        else if (!props(plan[1]).Throttle || !props(plan[1]).Quota) out.push(`${plan[0]}: usage plan without throttle or quota`);
      }
      return out;
    },
  },
  {
    id: 'R40', refs: 'CKV_AWS_66, CKV_AWS_158, W84, W86', title: 'log groups of the stack: retention and KMS key',
    check: (t) => resourcesOfType(t, 'AWS::Logs::LogGroup')
      .filter(([, g]) => !props(g).RetentionInDays || !props(g).KmsKeyId)
      .map(([id]) => `${id}: missing RetentionInDays or KmsKeyId`),
  },
];
