// Runs `osls package` on a copy of serverless.yml + packaging/ in a throw-away directory (so that
// parallel runs and the developer's own .serverless/ never meet) and returns the CloudFormation
// template and the resolved service state.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const OSLS_TIMEOUT_MS = 90_000; // a package takes ~5 s; a hang must not hold ctest forever
// Any SSM call an offline run makes goes here and is refused at once (nothing listens on the
// discard port), instead of reaching for the network.
export const REFUSED_ENDPOINT = 'http://127.0.0.1:9';

function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('SLS_') && !k.startsWith('SERVERLESS_') && k !== 'ORDERS_INFRA_SOURCE') env[k] = v;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', SLS_TELEMETRY_DISABLED: '1', ...extra };
}

// Asynchronous, so that a fake SSM served by this same process can answer while osls runs.
function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), OSLS_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); resolve({ error, output }); });
    child.on('close', (status, signal) => { clearTimeout(timer); resolve({ status, signal, output }); });
  });
}

// opts: { root, stage, env, edit } -> { template, state, output }; throws with osls's output on
// failure. edit (optional): text -> text, applied to the copy of serverless.yml (a variant such as
// a stage's param switched on).
export async function packageStack({ root, stage, env, edit }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orders-sls-'));
  try {
    const yml = fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'serverless.yml'), edit ? edit(yml) : yml);
    fs.cpSync(path.join(root, 'packaging'), path.join(dir, 'packaging'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'dist'));
    // osls only hashes and copies the artifact when packaging; the real zip is scripts/package's.
    fs.writeFileSync(path.join(dir, 'dist', 'bootstrap.zip'), 'placeholder artifact\n');
    const osls = path.join(root, 'tools', 'node_modules', 'osls', 'bin', 'serverless.js');
    const r = await run(process.execPath, [osls, 'package', '--stage', stage], {
      cwd: dir,
      env: cleanEnv({ HOME: dir, ...env }),
    });
    if (r.error || r.status !== 0) {
      const why = r.error || (r.signal ? `killed by ${r.signal}` : `exit ${r.status}`);
      throw new Error(`osls package --stage ${stage} failed (${why}):\n${r.output}`);
    }
    const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, '.serverless', f), 'utf8'));
    return {
      template: read('cloudformation-template-update-stack.json'),
      state: read('serverless-state.json'),
      output: r.output,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
