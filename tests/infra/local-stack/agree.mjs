// local/stack.json (what lambda-local runs) agrees with serverless.yml (what AWS runs): the same
// functions with the same handler, timeout and memory, the same environment variable names (but
// for the local-only and AWS-only ones listed below, each with its reason), the same SQS event
// settings and the same EventBridge rules (expression, constant input, state, target).
// serverless.yml is rendered by osls itself (`osls print`, offline infra), so that ${param:...},
// ${self:...} and defaults resolve as they do at deploy time.
// A self-check first proves that each comparison fails on a deliberately wrong copy.
// Usage: node tests/infra/local-stack/agree.mjs [repo root]. Ends with "N passed, N failed";
// exit 77 (skipped) when osls is not installed.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] || path.join(here, '..', '..', '..'));

// Names only one side has, and why.
const LOCAL_ONLY_ENV = {
  DB_PASSWORD: 'the throw-away PostgreSQL takes a password; AWS uses IAM auth tokens (DB_IAM_AUTH)',
  AWS_ENDPOINT_URL: 'SQS and S3 are fauxqs on 127.0.0.1',
};
const AWS_ONLY_ENV = {
  DB_SSLROOTCERT: 'no TLS to the local PostgreSQL (DB_SSLMODE=disable), so no CA bundle',
};
const STAGE = 'dev'; // the stage whose params (workerMaxConcurrency, ...) the local stack mirrors

let passed = 0;
let failed = 0;
function report(ok, name, problems = []) {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}`);
  if (!ok) for (const p of problems) console.log(`    ${p}`);
}

function renderServerless() {
  const osls = path.join(root, 'tools', 'node_modules', '.bin', 'osls');
  if (!fs.existsSync(osls)) return null;
  const out = execFileSync(osls, ['print', '--stage', STAGE, '--format', 'json'], {
    cwd: root, env: { ...process.env, ORDERS_INFRA_SOURCE: 'offline', SLS_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.slice(out.indexOf('{')));
}

// The rules of the template and the function each targets (CleanupLambdaFunction -> cleanup).
function rulesOf(sls, functionNames) {
  const rules = {};
  for (const [id, r] of Object.entries(sls.resources?.Resources || {})) {
    if (r.Type !== 'AWS::Events::Rule') continue;
    for (const t of r.Properties.Targets || []) {
      // the target is the function (GetAtt XLambdaFunction.Arn) or its alias (Ref XLambdaFunctionAliasLive)
      const ref = t.Arn?.['Fn::GetAtt']?.[0] || (t.Arn?.Ref || '').replace(/Alias[A-Za-z0-9]+$/, '');
      const fn = functionNames.find((n) => `${n[0].toUpperCase()}${n.slice(1)}LambdaFunction` === ref);
      rules[id] = { fn, expression: r.Properties.ScheduleExpression, input: t.Input, enabled: r.Properties.State !== 'DISABLED' };
    }
  }
  return rules;
}

export function compare(sls, stack) {
  const problems = [];
  const slsFns = sls.functions || {};
  const localFns = stack.functions || {};
  const names = Object.keys(slsFns);
  const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  if (!same(names, Object.keys(localFns))) problems.push(`functions: serverless.yml ${names} vs local/stack.json ${Object.keys(localFns)}`);
  const slsEnv = Object.keys(sls.provider?.environment || {});
  const localShared = Object.keys(stack.env || {});
  for (const name of names) {
    const s = slsFns[name];
    const l = localFns[name];
    if (!l) continue;
    const want = {
      handler: [s.handler, l.handler ?? name],
      timeout: [s.timeout ?? sls.provider.timeout, l.timeout ?? 3],
      memory: [s.memorySize ?? sls.provider.memorySize, l.memory ?? 128],
    };
    for (const [k, [a, b]] of Object.entries(want)) if (a !== b) problems.push(`${name}.${k}: serverless.yml ${a}, local/stack.json ${b}`);
    const envS = [...slsEnv, ...Object.keys(s.environment || {})].filter((n) => !(n in AWS_ONLY_ENV));
    const envL = [...localShared, ...Object.keys(l.env || {})].filter((n) => !(n in LOCAL_ONLY_ENV));
    const onlyS = envS.filter((n) => !envL.includes(n));
    const onlyL = envL.filter((n) => !envS.includes(n));
    if (onlyS.length || onlyL.length) problems.push(`${name}.environment: only in serverless.yml [${onlyS}], only in local/stack.json [${onlyL}]`);
    const sqsS = (s.events || []).filter((e) => e.sqs).map((e) => e.sqs);
    const sqsL = l.events?.sqs ? [l.events.sqs] : [];
    if (sqsS.length !== sqsL.length) problems.push(`${name}: ${sqsS.length} sqs event(s) in serverless.yml, ${sqsL.length} in local/stack.json`);
    for (let i = 0; i < Math.min(sqsS.length, sqsL.length); i++) {
      for (const k of ['batchSize', 'maximumBatchingWindow', 'functionResponseType', 'maximumConcurrency']) {
        if (sqsS[i][k] !== sqsL[i][k]) problems.push(`${name}.events.sqs.${k}: serverless.yml ${sqsS[i][k]}, local/stack.json ${sqsL[i][k]}`);
      }
    }
    if ((s.events || []).some((e) => e.schedule)) problems.push(`${name}: a schedule event in serverless.yml (only rules in resources are mirrored)`);
  }
  const rules = rulesOf(sls, names);
  const localRules = {};
  for (const [fn, l] of Object.entries(localFns)) {
    for (const [id, r] of Object.entries(l.events?.schedules || {})) localRules[id] = { fn, expression: r.expression, input: r.input, enabled: r.enabled !== false };
  }
  if (!same(Object.keys(rules), Object.keys(localRules))) problems.push(`schedule rules: serverless.yml [${Object.keys(rules)}], local/stack.json [${Object.keys(localRules)}]`);
  for (const [id, r] of Object.entries(rules)) {
    const l = localRules[id];
    if (!l) continue;
    for (const k of ['fn', 'expression', 'input', 'enabled']) {
      if (r[k] !== l[k]) problems.push(`rule ${id}.${k}: serverless.yml ${JSON.stringify(r[k])}, local/stack.json ${JSON.stringify(l[k])}`);
    }
  }
  return problems;
}

// Each kind of disagreement is caught: break a copy of the local stack one way at a time.
function selfCheck(sls, stack) {
  const breakers = [
    ['a function missing', (c) => { delete c.functions.migrate; }, /functions:/],
    ['a handler', (c) => { c.functions.worker.handler = 'work'; }, /worker\.handler/],
    ['a timeout', (c) => { c.functions.api.timeout = 29; }, /api\.timeout/],
    ['a memory size', (c) => { c.functions.cleanup.memory = 256; }, /cleanup\.memory/],
    ['an environment name', (c) => { c.env.DB_HOSTNAME = c.env.DB_HOST; delete c.env.DB_HOST; }, /environment: only in serverless\.yml \[[^\]]*\bDB_HOST\b/],
    ['a batch size', (c) => { c.functions.worker.events.sqs.batchSize = 5; }, /sqs\.batchSize/],
    ['a batching window', (c) => { c.functions.worker.events.sqs.maximumBatchingWindow = 1; }, /sqs\.maximumBatchingWindow/],
    ['the response type', (c) => { delete c.functions.worker.events.sqs.functionResponseType; }, /sqs\.functionResponseType/],
    ['the maximum concurrency', (c) => { c.functions.worker.events.sqs.maximumConcurrency = 2; }, /sqs\.maximumConcurrency/],
    ['the sqs event', (c) => { delete c.functions.worker.events.sqs; }, /sqs event/],
    ['a schedule expression', (c) => { c.functions.cleanup.events.schedules.CleanupOutboxSchedule.expression = 'rate(1 minute)'; }, /CleanupOutboxSchedule\.expression/],
    ['a constant input', (c) => { c.functions.cleanup.events.schedules.CleanupArchiveSchedule.input = '{"task":"outbox"}'; }, /CleanupArchiveSchedule\.input/],
    ['a rule state', (c) => { c.functions.cleanup.events.schedules.CleanupArchiveSchedule.enabled = false; }, /CleanupArchiveSchedule\.enabled/],
    ['a rule missing', (c) => { delete c.functions.cleanup.events.schedules.CleanupOutboxSchedule; }, /schedule rules:/],
    ['a rule on another function', (c) => {
      c.functions.worker.events.schedules = { CleanupArchiveSchedule: c.functions.cleanup.events.schedules.CleanupArchiveSchedule };
      delete c.functions.cleanup.events.schedules.CleanupArchiveSchedule;
    }, /CleanupArchiveSchedule\.fn/],
  ];
  for (const [what, breakIt, expect] of breakers) {
    const copy = structuredClone(stack);
    try { breakIt(copy); } catch (e) { report(false, `self-check: ${what}`, [`cannot break the copy: ${e.message}`]); continue; }
    const problems = compare(sls, copy);
    report(problems.some((p) => expect.test(p)), `self-check: ${what} that differs is caught`, problems.length ? problems : ['nothing found']);
  }
}

const sls = renderServerless();
if (!sls) {
  console.log('skipped: tools/node_modules/.bin/osls missing (run scripts/deps)');
  process.exit(77);
}
const stack = JSON.parse(fs.readFileSync(path.join(root, 'local', 'stack.json'), 'utf8'));
selfCheck(sls, stack);
const problems = compare(sls, stack);
report(problems.length === 0, `local/stack.json agrees with serverless.yml (stage ${STAGE}): handlers, timeouts, memory, environment names, sqs batch settings, schedules`, problems);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
