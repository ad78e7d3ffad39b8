// Offline checks of serverless.yml (IAC-RULES 25-40, 45, the cross-tool invariants and the canary
// and code signing of issue 14: lib/rules-canary.mjs), on the
// CloudFormation template `osls package` makes, for every stage, without AWS:
//   1. every rule fails its fixture (fixtures/*.json): no check that cannot fail;
//   2. the rest-api-stage plugin wires the stage, and refuses what it cannot wire;
//   3. offline path (ORDERS_INFRA_SOURCE=offline, SSM unreachable): dev and prod pass every rule;
//   3b. the optional Cognito authoriser (params.cognitoUserPoolArn): off as committed (no
//      authoriser, every method NONE), and on in a copy with an ARN set for prod (every rule still
//      passes; the order routes and the catch-all carry it, the health routes do not);
//   4. deploy path (SSM, served by a local fake that knows only Terraform's names): dev passes
//      every rule, and every name serverless.yml reads is one terraform/ssm.tf writes.
// Usage: node tests/infra/serverless/run.mjs [repo root]. Ends with "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import lambdaRules from './lib/rules-lambda.mjs';
import apiRules from './lib/rules-api.mjs';
import iamRules, { roleMatrixRule } from './lib/rules-iam.mjs';
import crossRules from './lib/rules-cross.mjs';
import canaryRules from './lib/rules-canary.mjs';
import { refRule, specRule } from './lib/rules-spec.mjs';
import { readTerraform } from './lib/terraform.mjs';
import { packageStack, REFUSED_ENDPOINT } from './lib/package.mjs';
import { startFakeSsm } from './lib/fake-ssm.mjs';
import { loadServerlessYml } from './lib/config.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] || path.join(here, '..', '..', '..'));
const require = createRequire(path.join(root, 'tools', 'package.json'));
const rules = [...lambdaRules, ...apiRules, ...iamRules, roleMatrixRule, ...crossRules, ...canaryRules, specRule(root), refRule];

// Rules that do not apply, with the reason, printed so that they are never silent.
const NOT_APPLICABLE = [
  ['R36', 'CKV_AWS_206', "the custom domain and its TLS_1_2 policy are Terraform's (modules/edge); here only its mapping is checked"],
  ['R39c', 'CKV2_AWS_53', 'request validation: the api handler validates and answers RFC 9457 problems per field (DESIGN); a gateway model would answer 400 in another format first'],
  ['R35b', 'CKV2_AWS_31', "WAF logging is configured on the web ACL, which is Terraform's (modules/edge/waf.tf)"],
];

let passed = 0;
let failed = 0;
function report(ok, name, problems = []) {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}`);
  if (ok) return;
  for (const p of problems.slice(0, 20)) console.log(`    ${p}`);
  if (problems.length > 20) console.log(`    ... ${problems.length - 20} more`);
}

function checkAll(label, template, ctx) {
  for (const rule of rules) {
    let problems;
    try { problems = rule.check(template, ctx); } catch (e) { problems = [`check threw: ${e.stack}`]; }
    report(problems.length === 0, `${label}: ${rule.id} ${rule.title} [${rule.refs}]`, problems);
  }
}

function fixtureChecks(ctx) {
  const dir = path.join(here, 'fixtures');
  const byId = new Map(rules.map((r) => [r.id, r]));
  const covered = new Set();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    const rule = byId.get(fx.rule);
    if (!rule) { report(false, `fixture ${file}: unknown rule ${fx.rule}`); continue; }
    covered.add(fx.rule);
    // It must fail, and for the reason the fixture is about (`expect`, a regular expression).
    const problems = rule.check(fx.template, { ...ctx, ...(fx.ctx || {}) });
    const because = new RegExp(fx.expect || '.');
    report(problems.some((p) => because.test(p)), `fixture ${file}: ${fx.rule} fails (${fx.why})`,
      problems.length ? [`none of the problems matches /${fx.expect}/:`, ...problems] : ['the rule found nothing wrong']);
  }
  const uncovered = rules.filter((r) => !covered.has(r.id)).map((r) => r.id);
  report(uncovered.length === 0, 'every rule has a failing fixture', uncovered.map((id) => `no fixture for ${id}`));
}

function pluginChecks() {
  const { wireStage } = require(path.join(root, 'packaging', 'serverless', 'rest-api-stage.js'));
  const base = () => ({
    Resources: {
      ApiGatewayDeployment1: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'dev' } },
      ApiGatewayStage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'dev' } },
      ApiGatewayUsagePlan: { Type: 'AWS::ApiGateway::UsagePlan', DependsOn: 'ApiGatewayDeployment1', Properties: {} },
    },
  });
  const t = base();
  wireStage(t);
  const r = t.Resources;
  report(r.ApiGatewayDeployment1.Properties.StageName === undefined &&
    r.ApiGatewayStage.Properties.DeploymentId.Ref === 'ApiGatewayDeployment1' &&
    r.ApiGatewayUsagePlan.DependsOn.includes('ApiGatewayStage') &&
    r.ApiGatewayUsagePlan.DependsOn.includes('ApiGatewayDeployment1'),
  'plugin: stage takes the generated deployment; deployment makes no stage; usage plan waits for the stage');
  const throws = (mutate) => { const x = base(); mutate(x.Resources); try { wireStage(x); return false; } catch { return true; } };
  report(throws((res) => delete res.ApiGatewayStage), 'plugin: refuses a template without ApiGatewayStage');
  report(throws((res) => { res.Second = { ...res.ApiGatewayDeployment1 }; }), 'plugin: refuses two deployments');
}

function infraFilesAgree() {
  const yaml = require('js-yaml');
  const keys = (f) => Object.keys(yaml.load(fs.readFileSync(path.join(root, 'packaging', 'infra', f), 'utf8'))).sort();
  const ssm = keys('ssm.yml');
  const offline = keys('offline.yml');
  report(JSON.stringify(ssm) === JSON.stringify(offline), 'packaging/infra: offline.yml and ssm.yml define the same values',
    [`ssm: ${ssm.join(' ')}`, `offline: ${offline.join(' ')}`].filter(() => JSON.stringify(ssm) !== JSON.stringify(offline)));
}

// functionsConfig: the functions as serverless.yml writes them (the template and osls's state
// always carry the provider's defaults).
// STYLE "serverless.yml" 1: fixed order of the top-level keys, names from service and stage.
function styleChecks() {
  const config = loadServerlessYml(root);
  const order = ['service', 'frameworkVersion', 'params', 'provider', 'custom', 'package', 'functions', 'resources', 'plugins'];
  const keys = Object.keys(config);
  report(JSON.stringify(keys) === JSON.stringify(order), 'serverless.yml: top-level keys in the fixed order',
    [`got ${keys.join(', ')}`]);
  report(config.provider.apiName === '${self:service}-${sls:stage}' && config.service === 'orders',
    'serverless.yml: service orders, API named ${self:service}-${sls:stage}', [`${config.service} ${config.provider.apiName}`]);
  const artifacts = Object.entries(config.functions).filter(([, f]) => (f.package || {}).artifact !== 'dist/bootstrap.zip');
  report(config.package.individually === true && artifacts.length === 0,
    'serverless.yml: package.individually, every function deploys dist/bootstrap.zip', artifacts.map(([n]) => n));
}

const ctxFor = (stage, tf) => ({ stage, tf, functionsConfig: loadServerlessYml(root).functions || {} });

async function offlineStage(stage, tf) {
  try {
    const { template, state } = await packageStack({
      root, stage, env: { ORDERS_INFRA_SOURCE: 'offline', AWS_ENDPOINT_URL_SSM: REFUSED_ENDPOINT },
    });
    report(true, `offline: osls package --stage ${stage} with no credentials and SSM unreachable`);
    const region = state.service.provider.region;
    report(region === tf.regions[stage], `${stage}: serverless.yml's region is Terraform's (${tf.regions[stage]})`, [`osls region ${region}`]);
    checkAll(`${stage}/offline`, template, ctxFor(stage, tf));
  } catch (e) {
    report(false, `offline: osls package --stage ${stage}`, String(e.message).split('\n').slice(-15));
  }
}

// Which api methods carry the authoriser: the order routes and /{proxy+} when it is on; never
// /health (no identity is read there, and an uptime check holds the API key only).
function authorizerProblems(template, arn) {
  const res = template.Resources;
  const problems = [];
  const auths = Object.entries(res).filter(([, r]) => r.Type === 'AWS::ApiGateway::Authorizer');
  if (!arn && auths.length) problems.push(`authorisers with the param empty: ${auths.map(([k]) => k).join(' ')}`);
  if (arn && (auths.length !== 1 || auths[0][1].Properties.Type !== 'COGNITO_USER_POOLS' ||
      JSON.stringify(auths[0][1].Properties.ProviderARNs) !== JSON.stringify([arn])))
    problems.push(`expected one COGNITO_USER_POOLS authoriser for ${arn}: ${JSON.stringify(auths)}`);
  const methods = Object.entries(res).filter(([, r]) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS');
  for (const [id, m] of methods) {
    const guarded = arn && /^ApiGatewayMethod(Orders|ProxyVar)/.test(id);
    const want = guarded ? 'COGNITO_USER_POOLS' : 'NONE';
    if (m.Properties.AuthorizationType !== want) problems.push(`${id}: AuthorizationType ${m.Properties.AuthorizationType}, want ${want}`);
    if (guarded && !m.Properties.AuthorizerId) problems.push(`${id}: no AuthorizerId`);
    if (m.Properties.ApiKeyRequired !== true) problems.push(`${id}: the API key is no longer required`);
  }
  if (!methods.some(([id]) => /^ApiGatewayMethodOrders/.test(id))) problems.push('no order route methods found');
  return problems;
}

async function authorizerStages(tf) {
  const arn = 'arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_Offline000';
  const env = { ORDERS_INFRA_SOURCE: 'offline', AWS_ENDPOINT_URL_SSM: REFUSED_ENDPOINT };
  try {
    const off = await packageStack({ root, stage: 'dev', env });
    const p = authorizerProblems(off.template, '');
    report(p.length === 0, 'authoriser: off as committed (cognitoUserPoolArn empty): no authoriser, the API key only', p);
    const edit = (yml) => {
      const out = yml.replace(/\n {2}prod:\n/, `\n  prod:\n    cognitoUserPoolArn: ${arn}\n`);
      if (out === yml) throw new Error('no params.prod in serverless.yml');
      return out;
    };
    const on = await packageStack({ root, stage: 'prod', env, edit });
    const q = authorizerProblems(on.template, arn);
    report(q.length === 0, 'authoriser: on in prod (cognitoUserPoolArn set): the order routes and the catch-all carry it, /health does not', q);
    checkAll('prod/offline+cognito', on.template, ctxFor('prod', tf));
  } catch (e) {
    report(false, 'authoriser: osls package with the param off and on', String(e.message).split('\n').slice(-15));
  }
}

async function ssmStage(stage, tf) {
  const ssm = await startFakeSsm({ stage, published: tf.ssmNames });
  try {
    const { template } = await packageStack({
      root, stage, env: {
        AWS_ENDPOINT_URL_SSM: ssm.url, AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'eu-west-1',
      },
    });
    report(true, `ssm: osls package --stage ${stage} resolves every \${ssm:} from Terraform's names`);
    const unknown = ssm.requested.filter((n) => !n.startsWith(`/orders/${stage}/`) ||
      !tf.ssmNames.has(n.slice(`/orders/${stage}/`.length)));
    report(ssm.requested.length > 0 && unknown.length === 0, `ssm: every parameter read is published by terraform/ssm.tf (${ssm.requested.length} read)`, unknown);
    const subnets = template.Resources.ApiLambdaFunction.Properties.VpcConfig.SubnetIds;
    report(JSON.stringify(subnets) === '["subnet-0ssm000000000000a","subnet-0ssm000000000000b"]',
      'ssm: the StringList of private subnets becomes the functions\' subnet list', [JSON.stringify(subnets)]);
    checkAll(`${stage}/ssm`, template, ctxFor(stage, tf));
  } catch (e) {
    report(false, `ssm: osls package --stage ${stage}`, String(e.message).split('\n').slice(-15));
  } finally {
    await ssm.close();
  }
}

// Without ORDERS_INFRA_SOURCE the values come from SSM and nowhere else: with SSM unreachable,
// packaging must fail rather than fall back to placeholders that could reach a deploy.
async function defaultIsSsm() {
  try {
    await packageStack({
      root, stage: 'dev', env: { AWS_ENDPOINT_URL_SSM: REFUSED_ENDPOINT, AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake', AWS_REGION: 'eu-west-1' },
    });
    report(false, 'default source: packaging succeeded with SSM unreachable (placeholders used?)');
  } catch (e) {
    report(/ssm|SSM|ECONNREFUSED|Cannot resolve/.test(String(e.message)),
      'default source: without ORDERS_INFRA_SOURCE, packaging needs SSM and fails when it is unreachable',
      String(e.message).split('\n').slice(-8));
  }
}

async function main() {
  let tf;
  try {
    tf = await readTerraform(root);
    report(true, `terraform: read timeouts, proxy pool share and ${tf.ssmNames.size} SSM names`);
  } catch (e) {
    report(false, 'terraform: read the values the invariants need', [e.message]);
    tf = { regions: {}, proxyBorrowTimeoutS: NaN, workerTimeoutS: NaN, apiTimeoutS: NaN, proxyMaxConnectionsPercent: NaN, ssmNames: new Set() };
  }
  fixtureChecks({ stage: 'dev', tf: { proxyBorrowTimeoutS: 10, workerTimeoutS: 30, proxyMaxConnectionsPercent: 90 } });
  pluginChecks();
  infraFilesAgree();
  styleChecks();
  for (const stage of ['dev', 'prod']) await offlineStage(stage, tf);
  await authorizerStages(tf);
  await ssmStage('dev', tf);
  await defaultIsSsm();
  for (const [id, refs, why] of NOT_APPLICABLE) console.log(`# not applicable: ${id} [${refs}] ${why}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.log(`not ok - runner crashed: ${e.stack}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
