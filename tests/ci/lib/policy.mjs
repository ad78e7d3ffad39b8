// What the pipeline must be (issue 14), checked on the workflow files as text and YAML:
// the job graph (build -> dev -> prod, prod behind its environment), the order of a stage's
// steps (terraform plan -> apply of that plan -> deploy role -> sign -> migrate -> osls deploy ->
// smoke), least permissions (id-token: write only where a role is assumed), every remote action
// pinned by commit SHA with its tag in a comment, no pull_request_target, no secrets in commands,
// one deploy at a time per environment, and what the pull-request checks run.
// checkWorkflows({ 'ci.yml': text, ... }) -> list of problems (empty when all hold).
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', '..', 'tools', 'package.json'));
const yaml = require('js-yaml');

const SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.\/-]+@[0-9a-f]{40}$/;
const AWS_CREDENTIALS = 'aws-actions/configure-aws-credentials@';
const DEPLOY_WORKFLOW = './.github/workflows/deploy-stage.yml';
const CI_WORKFLOW = './.github/workflows/ci.yml';

const asList = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
const runText = (step) => String((step && step.run) || '');
const usesOf = (step) => String((step && step.uses) || '');

// `on:` is parsed by YAML 1.1 loaders as the boolean key true; accept both spellings.
function triggers(doc) {
  const on = doc.on !== undefined ? doc.on : doc[true];
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on;
  return Object.keys(on || {});
}

function pinProblems(name, text) {
  const out = [];
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s*)?uses:\s*([^\s#]+)\s*(#.*)?$/.exec(line);
    if (!m) return;
    const ref = m[1].replace(/^['"]|['"]$/g, '');
    if (ref.startsWith('./')) return; // this repository's own reusable workflows
    if (ref.startsWith('docker://')) { out.push(`${name}:${i + 1}: ${ref}: container actions are not allowed`); return; }
    if (!SHA_PIN.test(ref)) out.push(`${name}:${i + 1}: ${ref} is not pinned to a full commit SHA`);
    else if (!m[2] || !/#\s*v\d+(\.\d+)*\b/.test(m[2])) out.push(`${name}:${i + 1}: ${ref} has no "# vX.Y.Z" comment naming its tag`);
  });
  return out;
}

function secretProblems(name, doc) {
  const out = [];
  for (const [id, job] of Object.entries(doc.jobs || {})) {
    for (const step of asList(job.steps)) {
      const run = runText(step);
      if (/\$\{\{\s*secrets\./.test(run)) out.push(`${name}: ${id}: a run command expands a secret into the script (pass it through env instead)`);
      if (/(^|\n|;|&&)\s*set\s+-[a-z]*x/.test(run)) out.push(`${name}: ${id}: set -x would print every command with its values`);
      if (/\b(printenv|env)\s*($|\n|\|)/.test(run)) out.push(`${name}: ${id}: prints the environment`);
    }
  }
  return out;
}

function permissionProblems(name, doc) {
  const out = [];
  const perms = (p) => (p && typeof p === 'object' ? p : {});
  if (doc.permissions === undefined) out.push(`${name}: no top-level permissions (the default token may write)`);
  if (doc.permissions === 'write-all' || doc.permissions === 'read-all') out.push(`${name}: top-level permissions ${doc.permissions}`);
  if (perms(doc.permissions)['id-token']) out.push(`${name}: id-token at the workflow level (every job would get it)`);
  for (const [id, job] of Object.entries(doc.jobs || {})) {
    if (job.permissions === undefined) { out.push(`${name}: ${id}: no permissions of its own`); continue; }
    if (typeof job.permissions === 'string') { out.push(`${name}: ${id}: permissions ${job.permissions}`); continue; }
    const p = perms(job.permissions);
    for (const [scope, level] of Object.entries(p)) {
      if (level === 'write' && scope !== 'id-token') out.push(`${name}: ${id}: ${scope}: write`);
    }
    const assumesRole = asList(job.steps).some((s) => usesOf(s).startsWith(AWS_CREDENTIALS)) || job.uses === DEPLOY_WORKFLOW;
    if (p['id-token'] === 'write' && !assumesRole) out.push(`${name}: ${id}: id-token: write but assumes no AWS role`);
    if (assumesRole && p['id-token'] !== 'write') out.push(`${name}: ${id}: assumes an AWS role without id-token: write`);
  }
  return out;
}

function stepIndex(steps, pred) {
  return steps.findIndex(pred);
}

// The stage deploy: one job, its environment and concurrency, and the order of its steps.
function deployProblems(doc) {
  const out = [];
  const jobs = Object.entries(doc.jobs || {});
  if (jobs.length !== 1) return [`deploy-stage.yml: ${jobs.length} jobs, want the one deploy job`];
  const [id, job] = jobs[0];
  const env = typeof job.environment === 'object' ? (job.environment || {}).name : job.environment;
  if (!/^\$\{\{\s*inputs\.stage\s*\}\}$/.test(String(env))) out.push(`deploy-stage.yml: ${id}: environment is ${JSON.stringify(env)}, not the stage (its protection rules would not apply)`);
  const c = job.concurrency || {};
  if (!/inputs\.stage/.test(String(c.group || c))) out.push(`deploy-stage.yml: ${id}: no concurrency group per environment`);
  if (c['cancel-in-progress'] !== false) out.push(`deploy-stage.yml: ${id}: a new run could cancel a deploy half-way (cancel-in-progress must be false)`);
  const steps = asList(job.steps);
  const at = (what, pred) => {
    const i = stepIndex(steps, pred);
    if (i < 0) out.push(`deploy-stage.yml: no step that ${what}`);
    return i;
  };
  const roleSteps = steps.map((s, i) => [s, i]).filter(([s]) => usesOf(s).startsWith(AWS_CREDENTIALS));
  const plan = at('runs terraform plan -out', (s) => /terraform\b[^\n]*\bplan\b[^\n]*-out=(\S+)/.test(runText(s)));
  const planFile = plan >= 0 ? /-out=(\S+)/.exec(runText(steps[plan]))[1] : null;
  const apply = at('applies the saved plan', (s) => planFile && new RegExp(`terraform\\b[^\\n]*\\bapply\\b[^\\n]*\\s${planFile}\\s*$`, 'm').test(runText(s)));
  const deployRole = roleSteps.find(([s]) => /DEPLOY_ROLE_ARN/.test(String((s.with || {})['role-to-assume'])));
  const tfRole = roleSteps.find(([s]) => /TERRAFORM_ROLE_ARN/.test(String((s.with || {})['role-to-assume'])));
  if (!deployRole) out.push('deploy-stage.yml: the deploy role is never assumed');
  if (!tfRole) out.push('deploy-stage.yml: the Terraform role is never assumed');
  for (const [s] of roleSteps) {
    const w = s.with || {};
    if (w['aws-access-key-id'] || w['aws-secret-access-key']) out.push('deploy-stage.yml: stored AWS keys instead of OIDC');
  }
  const sign = at('signs the package', (s) => /sign-package\.mjs/.test(runText(s)));
  const migrate = at('runs migrate before the deploy', (s) => /migrate\.mjs/.test(runText(s)));
  const deploy = at('runs osls deploy', (s) => /osls deploy(?! function)/.test(runText(s)));
  const smoke = at('runs the smoke test', (s) => /smoke\.mjs/.test(runText(s)));
  const order = [['terraform plan', plan], ['terraform apply', apply], ['the deploy role', deployRole ? deployRole[1] : -1],
    ['signing', sign], ['migrate', migrate], ['osls deploy', deploy], ['the smoke test', smoke]];
  for (let i = 1; i < order.length; i++) {
    const [a, ia] = order[i - 1];
    const [b, ib] = order[i];
    if (ia >= 0 && ib >= 0 && ia >= ib) out.push(`deploy-stage.yml: ${a} must come before ${b}`);
  }
  if (tfRole && plan >= 0 && tfRole[1] > plan) out.push('deploy-stage.yml: terraform plan runs before the Terraform role is assumed');
  if (migrate >= 0 && steps[migrate].if !== undefined) out.push('deploy-stage.yml: the migrate step before the deploy is conditional');
  if (migrate >= 0 && /continue-on-error/.test(Object.keys(steps[migrate]).join(' '))) out.push('deploy-stage.yml: a failed migrate would not stop the deploy (continue-on-error)');
  if (deploy >= 0 && steps[deploy]['continue-on-error']) out.push('deploy-stage.yml: a failed deploy would not stop the job (continue-on-error)');
  if (deploy >= 0 && !steps[deploy].id) out.push('deploy-stage.yml: the osls deploy step has no id (the failure message needs its outcome)');
  const says = steps.some((s) => /failure\(\)/.test(String(s.if)) && /steps\.\w+\.outcome/.test(String(s.if)) && /rolls? .*back|rollback/i.test(runText(s)));
  if (!says) out.push('deploy-stage.yml: no step tells, on a failure after the deploy, that the canary rollback takes over');
  return out;
}

// main.yml: build, then dev, then prod, each stage through deploy-stage.yml.
function mainProblems(doc) {
  const out = [];
  const t = triggers(doc);
  if (!t.includes('push') || t.length !== 1) out.push(`main.yml: triggers ${t.join(', ')}, want push to main only`);
  const jobs = doc.jobs || {};
  const stageJob = (stage) => Object.entries(jobs).find(([, j]) => j.uses === DEPLOY_WORKFLOW && (j.with || {}).stage === stage);
  const build = Object.entries(jobs).find(([, j]) => j.uses === CI_WORKFLOW);
  const dev = stageJob('dev');
  const prod = stageJob('prod');
  if (!build) out.push('main.yml: no build job calling ci.yml');
  if (!dev) out.push('main.yml: no dev deploy');
  if (!prod) out.push('main.yml: no prod deploy');
  if (build && dev && !asList(dev[1].needs).includes(build[0])) out.push('main.yml: dev does not wait for the build');
  if (dev && prod && !asList(prod[1].needs).includes(dev[0])) out.push('main.yml: prod does not wait for dev');
  if (prod && prod[1].if !== undefined) out.push('main.yml: prod has a condition that could skip or force it');
  return out;
}

// ci.yml: what a pull request must pass, and that it can reach no AWS account.
function ciProblems(doc, text) {
  const out = [];
  const t = triggers(doc);
  if (!t.includes('pull_request')) out.push('ci.yml: not run on pull requests');
  const scopes = [doc.permissions, ...Object.values(doc.jobs || {}).map((j) => j.permissions)];
  if (scopes.some((p) => p && typeof p === 'object' && p['id-token'] && p['id-token'] !== 'none')) {
    out.push('ci.yml: asks for an id-token (pull requests must not reach AWS)');
  }
  const runs = Object.values(doc.jobs || {}).flatMap((j) => asList(j.steps).map(runText)).join('\n');
  const uses = Object.values(doc.jobs || {}).flatMap((j) => asList(j.steps).map(usesOf));
  const need = [
    [/(^|\n)\s*scripts\/test\s*($|\n)/, 'the full test command (scripts/test)'],
    [/scripts\/package/, 'scripts/package'],
    [/check-package dist\/bootstrap\.zip/, 'the hardening check of the package'],
    [/ORDERS_INFRA_SOURCE=offline[^\n]*osls package[^\n]*--stage/, 'osls package from the offline source'],
    [/terraform fmt -check/, 'terraform fmt -check'],
    [/terraform[^\n]*validate/, 'terraform validate'],
  ];
  for (const [re, what] of need) if (!re.test(runs)) out.push(`ci.yml: does not run ${what}`);
  if (!/for stage in dev prod|matrix/.test(text)) out.push('ci.yml: osls package is not run for each stage');
  const tfJob = Object.values(doc.jobs || {}).find((j) => asList(j.steps).some((s) => /terraform fmt/.test(runText(s))));
  const stages = tfJob ? asList(((tfJob.strategy || {}).matrix || {}).stage) : [];
  if (!stages.includes('dev') || !stages.includes('prod')) out.push('ci.yml: terraform validate is not run for each environment');
  if (!uses.some((u) => u.startsWith('hashicorp/setup-terraform@'))) out.push('ci.yml: terraform is not installed by hashicorp/setup-terraform');
  const upload = Object.values(doc.jobs || {}).flatMap((j) => asList(j.steps)).find((s) => usesOf(s).startsWith('actions/upload-artifact@'));
  const paths = String(((upload || {}).with || {}).path || '');
  if (!/bootstrap\.zip/.test(paths) || !/cloudformation-template-update-stack\.json/.test(paths)) out.push('ci.yml: the zip and the CloudFormation templates are not uploaded');
  return out;
}

function checkoutProblems(name, doc) {
  const out = [];
  for (const [id, job] of Object.entries(doc.jobs || {})) {
    for (const s of asList(job.steps)) {
      if (usesOf(s).startsWith('actions/checkout@') && (s.with || {})['persist-credentials'] !== false) {
        out.push(`${name}: ${id}: checkout keeps the token in .git/config (persist-credentials: false)`);
      }
    }
  }
  return out;
}

export function checkWorkflows(files) {
  const out = [];
  const docs = {};
  for (const [name, text] of Object.entries(files)) {
    try { docs[name] = yaml.load(text) || {}; } catch (e) { out.push(`${name}: not YAML: ${e.message.split('\n')[0]}`); continue; }
    const t = triggers(docs[name]);
    if (t.includes('pull_request_target')) out.push(`${name}: pull_request_target runs with the base repository's rights`);
    out.push(...pinProblems(name, text), ...permissionProblems(name, docs[name]), ...secretProblems(name, docs[name]),
      ...checkoutProblems(name, docs[name]));
  }
  for (const want of ['ci.yml', 'main.yml', 'deploy-stage.yml']) if (!docs[want]) out.push(`${want}: missing`);
  if (docs['ci.yml']) out.push(...ciProblems(docs['ci.yml'], files['ci.yml']));
  if (docs['main.yml']) out.push(...mainProblems(docs['main.yml']));
  if (docs['deploy-stage.yml']) out.push(...deployProblems(docs['deploy-stage.yml']));
  return out;
}
