// The deploy steps of .github/scripts, offline: the AWS CLI is tests/ci/lib/fake-aws.mjs on PATH,
// the API a server on 127.0.0.1, the packages small binaries compiled here.
// Run: node --test tests/ci/   (ctest label infra: infra.ci.scripts)
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeMigrate } from '../../.github/scripts/migrate.mjs';
import { signedObject } from '../../.github/scripts/sign-package.mjs';
import { smoke } from '../../.github/scripts/smoke.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const scripts = path.join(root, '.github', 'scripts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-scripts-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------- migrate's answer
const OK = { StatusCode: 200, ExecutedVersion: '$LATEST' };
const FAILED = { ...OK, FunctionError: 'Unhandled' };

test('migrate: applied migrations are ok', () => {
  const v = judgeMigrate(OK, '{"applied":[{"version":3,"name":"outbox"}],"current":3}');
  assert.equal(v.ok, true);
  assert.match(v.message, /3 outbox; schema version 3/);
  assert.equal(judgeMigrate(OK, '{"applied":[],"current":3}').ok, true);
});

test('migrate: a checksum mismatch stops the deploy and says so', () => {
  const v = judgeMigrate(FAILED, '{"errorType":"Migrate.ChecksumMismatch","errorMessage":"an applied migration was changed: 0002"}');
  assert.equal(v.ok, false);
  assert.match(v.message, /^checksum mismatch: .*0002/);
});

test('migrate: any other function error stops the deploy with its type', () => {
  for (const type of ['Migrate.MigrationFailed', 'Migrate.LockTimeout', 'Runtime.ExitError', 'Sandbox.Timedout']) {
    const v = judgeMigrate(FAILED, JSON.stringify({ errorType: type, errorMessage: 'x' }));
    assert.equal(v.ok, false);
    assert.match(v.message, new RegExp(type.replace('.', '\\.')));
  }
  assert.equal(judgeMigrate(FAILED, 'not json').ok, false);
});

test('migrate: an answer that is not migrate\'s stops the deploy', () => {
  for (const payload of ['', 'null', '[]', '{}', '{"dry_run":true,"pending":[],"current":0}', '{"applied":"all","current":1}',
    '{"applied":[{"version":"1","name":"a"}],"current":1}', '{"applied":[],"current":-1}', '{"applied":[null],"current":1}',
    `{"applied":[${'{"version":1,"name":"a"},'.repeat(10000)}1],"current":1}`]) {
    assert.equal(judgeMigrate(OK, payload).ok, false, payload.slice(0, 60));
  }
  assert.equal(judgeMigrate({ StatusCode: 500 }, '{"applied":[],"current":1}').ok, false);
  assert.equal(judgeMigrate(undefined, '{"applied":[],"current":1}').ok, false);
});

// ---------------------------------------------------------------- the fake CLI
function fakeAws(name, scenario) {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(here, 'lib', 'fake-aws.mjs')}" "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(scenario));
  const env = {
    PATH: `${bin}:${process.env.PATH}`, HOME: dir, FAKE_AWS_SCENARIO: path.join(dir, 'scenario.json'),
    FAKE_AWS_LOG: path.join(dir, 'calls.log'), GITHUB_OUTPUT: path.join(dir, 'output'),
  };
  const run = (script, args) => spawnSync(process.execPath, [path.join(scripts, script), ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const calls = () => (fs.existsSync(env.FAKE_AWS_LOG) ? fs.readFileSync(env.FAKE_AWS_LOG, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
  const output = () => (fs.existsSync(env.GITHUB_OUTPUT) ? fs.readFileSync(env.GITHUB_OUTPUT, 'utf8') : '');
  const zip = path.join(dir, 'bootstrap.zip');
  fs.writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('unsigned')]));
  return { run, calls, output, zip };
}

const migrateBase = {
  'lambda get-function-configuration': { stdout: { FunctionName: 'orders-dev-migrate' } },
  'lambda update-function-code': { stdout: {} },
  'lambda wait function-updated-v2': {},
};

test('migrate.mjs: updates migrate with the signed zip, invokes it, passes on applied migrations', () => {
  const f = fakeAws('migrate-ok', { ...migrateBase, 'lambda invoke': { stdout: OK, file: '{"applied":[{"version":1,"name":"initial"}],"current":1}' } });
  const r = f.run('migrate.mjs', ['dev', f.zip]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /migrations applied: 1 initial/);
  const ops = f.calls().map((c) => `${c[0]} ${c[1]}`);
  assert.deepEqual(ops, ['lambda get-function-configuration', 'lambda update-function-code', 'lambda wait', 'lambda invoke']);
  const invoke = f.calls()[3];
  assert.ok(invoke.includes('orders-dev-migrate') && invoke.includes('--cli-read-timeout'));
  assert.match(f.output(), /deferred=false/);
});

test('migrate.mjs: a checksum mismatch exits 1', () => {
  const f = fakeAws('migrate-mismatch', { ...migrateBase, 'lambda invoke': { stdout: FAILED, file: '{"errorType":"Migrate.ChecksumMismatch","errorMessage":"0001 changed"}' } });
  const r = f.run('migrate.mjs', ['prod', f.zip]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /checksum mismatch/);
});

test('migrate.mjs: first deploy (no function yet) is deferred only with --allow-missing', () => {
  const missing = { 'lambda get-function-configuration': { exit: 254, stderr: 'An error occurred (ResourceNotFoundException) when calling the GetFunctionConfiguration operation: Function not found' } };
  let f = fakeAws('migrate-first', missing);
  let r = f.run('migrate.mjs', ['dev', f.zip, '--allow-missing']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(f.output(), /deferred=true/);
  assert.equal(f.calls().length, 1);
  f = fakeAws('migrate-missing', missing);
  r = f.run('migrate.mjs', ['dev', f.zip]);
  assert.equal(r.status, 1);
});

test('migrate.mjs: refuses a stage that is not dev or prod, and an access error is not "missing"', () => {
  let f = fakeAws('migrate-stage', migrateBase);
  assert.equal(f.run('migrate.mjs', ['staging', f.zip]).status, 1);
  assert.equal(f.calls().length, 0);
  f = fakeAws('migrate-denied', { 'lambda get-function-configuration': { exit: 254, stderr: 'AccessDeniedException' } });
  assert.equal(f.run('migrate.mjs', ['dev', f.zip, '--allow-missing']).status, 1);
});

// ---------------------------------------------------------------- signing
const signScenario = (job, signedZip) => ({
  'ssm get-parameter': { stdout: { Parameter: { Value: 'orders-dev-artifacts-000000000000' } } },
  's3api put-object': { stdout: { VersionId: 'v1' } },
  'signer start-signing-job': { stdout: { jobId: 'job-1' } },
  'signer wait successful-signing-job': {},
  'signer describe-signing-job': { stdout: job },
  's3api get-object': { stdout: {}, fileBase64: signedZip.toString('base64') },
});
const SIGNED = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('signed by the profile')]);

test('sign-package.mjs: uploads, signs with the stage profile, replaces the zip with the signed one', () => {
  const job = { jobId: 'job-1', status: 'Succeeded', signedObject: { s3: { bucketName: 'orders-dev-artifacts-000000000000', key: 'signed/job-1.zip' } } };
  const f = fakeAws('sign-ok', signScenario(job, SIGNED));
  const r = f.run('sign-package.mjs', ['dev', f.zip]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.deepEqual(fs.readFileSync(f.zip), SIGNED);
  const calls = f.calls();
  const start = calls.find((c) => c[1] === 'start-signing-job');
  const src = JSON.parse(start[start.indexOf('--source') + 1]);
  assert.equal(src.s3.version, 'v1');
  assert.match(src.s3.key, /^unsigned\/[0-9a-f]{64}\.zip$/);
  assert.ok(calls.some((c) => c.includes('/orders/dev/signing/profile_name')));
  assert.match(f.output(), /job_id=job-1/);
});

test('sign-package.mjs: a failed signing job, a non-zip or an unchanged zip stops the deploy', () => {
  const failed = { jobId: 'job-1', status: 'Failed', statusReason: 'zip already has a signature' };
  let f = fakeAws('sign-failed', signScenario(failed, SIGNED));
  let r = f.run('sign-package.mjs', ['dev', f.zip]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already has a signature/);
  const ok = { jobId: 'job-1', status: 'Succeeded', signedObject: { s3: { bucketName: 'b', key: 'signed/job-1.zip' } } };
  f = fakeAws('sign-notzip', signScenario(ok, Buffer.from('<Error>AccessDenied</Error>')));
  assert.equal(f.run('sign-package.mjs', ['dev', f.zip]).status, 1);
  const unsigned = fs.readFileSync(f.zip);
  f = fakeAws('sign-same', signScenario(ok, unsigned));
  r = f.run('sign-package.mjs', ['dev', f.zip]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no signature was added/);
});

test('signedObject: refuses jobs without a signed object', () => {
  assert.throws(() => signedObject(undefined));
  assert.throws(() => signedObject({ status: 'InProgress' }));
  assert.throws(() => signedObject({ status: 'Succeeded' }));
  assert.throws(() => signedObject({ status: 'Succeeded', signedObject: { s3: { bucketName: 1, key: 'k' } } }));
});

// ---------------------------------------------------------------- the smoke test
function fakeApi(behaviour = {}) {
  const orders = new Map();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const send = (status, obj) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (req.headers['x-api-key'] !== 'k-123') return send(403, { message: 'Forbidden' });
      if (req.method === 'GET' && req.url === '/health/ready') return send(behaviour.ready || 200, { status: 'ok', database: 'ok' });
      if (req.method === 'POST' && req.url === '/orders') {
        const input = JSON.parse(body);
        if (!req.headers['idempotency-key']) return send(400, {});
        const id = '0a1b2c3d-0000-4000-8000-00000000000' + orders.size;
        orders.set(id, { id, customer_id: input.customer_id, status: 'PENDING' });
        return send(201, orders.get(id));
      }
      const m = /^\/orders\/([^/]+)(\/cancel)?$/.exec(req.url);
      const order = m && orders.get(m[1]);
      if (!order) return send(404, {});
      if (m[2]) {
        if (behaviour.cancel) return send(behaviour.cancel, { title: 'not-cancellable' });
        order.status = 'CANCELLED';
      }
      return send(200, order);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

test('smoke: ready, create, get, cancel through the API with the key', async () => {
  const { server, base } = await fakeApi();
  try {
    const id = await smoke(base, 'k-123');
    assert.match(id, /^0a1b2c3d-/);
  } finally { server.close(); }
});

test('smoke: fails on a database that is not ready, a refused cancel, or a wrong key', async () => {
  for (const [behaviour, key, why] of [[{ ready: 503 }, 'k-123', /health\/ready/], [{ cancel: 409 }, 'k-123', /cancel/], [{}, 'wrong', /403/]]) {
    const { server, base } = await fakeApi(behaviour);
    try { await assert.rejects(smoke(base, key), why); } finally { server.close(); }
  }
});

// ---------------------------------------------------------------- the hardening check
const PROBE = `#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  char buf[64];
  snprintf(buf, sizeof buf, "%s-%d", argv[0], argc); /* __snprintf_chk under _FORTIFY_SOURCE */
  return (int)strlen(buf) == 0;
}
`;
const HARDENED = ['-O2', '-D_FORTIFY_SOURCE=2', '-fstack-protector-strong', '-fPIE', '-pie', '-Wl,-z,relro,-z,now', '-Wl,--disable-new-dtags', '-Wl,-rpath,$ORIGIN/lib'];

function packageOf(name, flags) {
  const dir = path.join(tmp, `pkg-${name}`);
  fs.mkdirSync(path.join(dir, 'stage', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'probe.c'), PROBE);
  execFileSync('cc', [...flags, '-o', path.join(dir, 'stage', 'bootstrap'), path.join(dir, 'probe.c')]);
  execFileSync('zip', ['-qr', path.join(dir, 'p.zip'), '.'], { cwd: path.join(dir, 'stage') });
  return path.join(dir, 'p.zip');
}
const check = (zip) => spawnSync(path.join(scripts, 'check-package'), [zip], { encoding: 'utf8', timeout: 60_000 });

test('check-package: a hardened package passes and prints its SHA-256', () => {
  const r = check(packageOf('ok', HARDENED));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^check-package: ok [0-9a-f]{64} /);
});

test('check-package: each missing hardening fails for its reason', () => {
  const without = (flag, ...extra) => [...HARDENED.filter((f) => f !== flag), ...extra];
  const cases = [
    ['no-pie', [...without('-pie').filter((f) => f !== '-fPIE'), '-no-pie', '-fno-PIE'], /not a position-independent/],
    ['lazy', [...without('-Wl,-z,relro,-z,now'), '-Wl,-z,relro,-z,lazy'], /partial RELRO/],
    ['no-relro', [...without('-Wl,-z,relro,-z,now'), '-Wl,-z,norelro'], /RELRO/],
    ['execstack', [...HARDENED, '-Wl,-z,execstack'], /executable stack/],
    ['no-ssp', [...without('-fstack-protector-strong'), '-fno-stack-protector'], /stack protector/],
    ['no-fortify', [...without('-D_FORTIFY_SOURCE=2'), '-U_FORTIFY_SOURCE'], /_FORTIFY_SOURCE/],
    ['no-rpath', HARDENED.filter((f) => !f.includes('rpath')), /RPATH/],
  ];
  for (const [name, flags, why] of cases) {
    const r = check(packageOf(name, flags));
    assert.equal(r.status, 1, `${name}: ${r.stdout}`);
    assert.match(r.stderr, why, name);
  }
});

test('check-package: refuses a missing file, a non-zip and a zip without bootstrap', () => {
  assert.equal(check(path.join(tmp, 'nothing.zip')).status, 1);
  fs.writeFileSync(path.join(tmp, 'text.zip'), 'not a zip');
  assert.equal(check(path.join(tmp, 'text.zip')).status, 1);
  const dir = path.join(tmp, 'empty');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'README'), 'x');
  execFileSync('zip', ['-q', path.join(tmp, 'empty.zip'), 'README'], { cwd: dir });
  const r = check(path.join(tmp, 'empty.zip'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no executable bootstrap/);
});
