// The real artifact, run as Lambda runs it: scripts/package makes the zip from the built
// `bootstrap`, the zip is unpacked into a task directory, and bootstrap starts there with a
// Lambda-like environment (system directories first in LD_LIBRARY_PATH) against a mock Runtime
// API on 127.0.0.1. It must:
//   1. answer an API Gateway (REST) GET /health through the api handler, 200 with the headers;
//   2. report an unknown _HANDLER to /runtime/init/error.
// No database is needed: /health does not touch it, and the warm-up connection only logs.
// Usage: node zip_smoke.mjs ROOT BOOTSTRAP. Ends with "N passed, N failed".
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const [root, bootstrap] = process.argv.slice(2);
const RUN_TIMEOUT_MS = 20_000; // start-up is milliseconds; this only bounds a hang
const MAX_BODY = 1 << 20; // the mock Runtime API accepts responses up to 1 MiB
const PREFIX = '/2018-06-01/runtime';

let passed = 0;
let failed = 0;
function report(ok, name, detail = []) {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}`);
  if (!ok) detail.forEach((d) => console.log(`    ${d}`));
}

// Serves one event, then holds /next open (as Lambda does between invocations); records posts.
function startRuntimeApi(event) {
  const posts = [];
  let served = false;
  let onPost = () => {};
  const held = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; if (body.length > MAX_BODY) req.destroy(); });
    req.on('end', () => {
      if (req.method === 'GET' && req.url === `${PREFIX}/invocation/next`) {
        if (served) { held.push(res); return; }
        served = true;
        res.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': 'req-1',
          'lambda-runtime-deadline-ms': String(Date.now() + 28_000),
          'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:eu-west-1:000000000000:function:orders-dev-api',
          'lambda-runtime-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
        });
        res.end(JSON.stringify(event));
        return;
      }
      if (req.method === 'POST' && req.url.startsWith(PREFIX)) {
        posts.push({ url: req.url, body });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"OK"}');
        onPost();
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    address: `127.0.0.1:${server.address().port}`,
    posts,
    firstPost: () => new Promise((done) => { if (posts.length) done(); else onPost = done; }),
    close: () => { held.forEach((r) => r.destroy()); server.closeAllConnections(); server.close(); },
  })));
}

async function runOnce(taskDir, handler, event) {
  const t0 = Date.now();
  const api = await startRuntimeApi(event);
  const output = [];
  const child = spawn(path.join(taskDir, 'bootstrap'), [], {
    cwd: taskDir,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      // Lambda's order: system directories before the task's; bootstrap's RPATH must still win.
      LD_LIBRARY_PATH: `/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:${taskDir}:${taskDir}/lib`,
      LAMBDA_TASK_ROOT: taskDir,
      _HANDLER: handler,
      AWS_LAMBDA_RUNTIME_API: api.address,
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: `orders-dev-${handler}`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      SERVICE_NAME: 'orders',
      LOG_LEVEL: 'INFO',
      DB_HOST: '127.0.0.1',
      DB_PORT: '9', // nothing listens: the warm-up fails fast and is only logged
      DB_NAME: 'orders',
      DB_USER: 'orders_api',
      DB_PASSWORD: 'unused',
      DB_IAM_AUTH: 'false',
      DB_SSLMODE: 'disable',
      DB_CONNECT_TIMEOUT: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  const exited = new Promise((done) => child.on('close', done));
  let timer;
  const timeout = new Promise((done) => { timer = setTimeout(() => done('timeout'), RUN_TIMEOUT_MS); });
  const first = await Promise.race([api.firstPost(), exited.then(() => 'exited'), timeout]);
  clearTimeout(timer);
  child.kill('SIGKILL');
  await exited;
  api.close();
  return { first, posts: api.posts, output: output.join(''), ms: Date.now() - t0 };
}

async function main() {
  const t0 = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-zip-smoke-'));
  try {
    const zip = path.join(work, 'bootstrap.zip');
    execFileSync(path.join(root, 'scripts', 'package'), ['--binary', bootstrap, '--out', zip], { stdio: 'pipe' });
    const task = path.join(work, 'task');
    fs.mkdirSync(task);
    execFileSync('unzip', ['-q', zip, '-d', task]);
    report(true, `scripts/package made the zip of the built bootstrap (${Date.now() - t0} ms)`);

    const health = await runOnce(task, 'api', {
      resource: '/health', path: '/health', httpMethod: 'GET', headers: { Accept: 'application/json' },
      multiValueHeaders: null, queryStringParameters: null, pathParameters: null, body: null,
      isBase64Encoded: false, requestContext: { requestId: 'gw-1', stage: 'dev', httpMethod: 'GET', resourcePath: '/health' },
    });
    const post = health.posts.find((p) => p.url === `${PREFIX}/invocation/req-1/response`);
    let reply = null;
    try { reply = post && JSON.parse(post.body); } catch { /* reported below */ }
    const detail = [`first event: ${health.first}`, ...health.posts.map((p) => `${p.url} ${p.body.slice(0, 300)}`),
      ...health.output.split('\n').slice(-10)];
    console.log(`# api run took ${health.ms} ms`);
    report(Boolean(reply) && reply.statusCode === 200, 'api from the zip answers GET /health with 200', detail);
    const headers = Object.fromEntries(Object.entries((reply && reply.headers) || {}).map(([k, v]) => [k.toLowerCase(), v]));
    report(headers['cache-control'] === 'no-store' && Boolean(headers['x-request-id']) && Boolean(headers['strict-transport-security']),
      'the answer carries Cache-Control: no-store, X-Request-Id, Strict-Transport-Security', [JSON.stringify(headers)]);

    const unknown = await runOnce(task, 'no-such-handler', {});
    console.log(`# unknown-handler run took ${unknown.ms} ms`);
    report(unknown.posts.some((p) => p.url === `${PREFIX}/init/error`), 'an unknown _HANDLER is reported to /runtime/init/error',
      [`first: ${unknown.first}`, ...unknown.posts.map((p) => p.url), ...unknown.output.split('\n').slice(-5)]);
  } catch (e) {
    report(false, 'zip smoke test ran', [String(e.stack || e)]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
