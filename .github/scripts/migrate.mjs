// Puts the new package on orders-<stage>-migrate and invokes it, before `osls deploy` moves any
// other function: the schema must be there before new code reads it. Stops the deploy (exit 1)
// when the invocation fails, when migrate reports a checksum mismatch (an applied migration was
// edited), or when the answer is not migrate's. functions/migrate answers
//   {"applied":[{"version":N,"name":"..."}],"current":N}
// and fails with errorType Migrate.<Status> (migrate.h: ChecksumMismatch, UnknownVersion, ...).
// On the very first deploy of a stage the function does not exist yet: with --allow-missing this
// prints so, sets the output deferred=true and exits 0; the workflow runs it again after deploy.
// Usage: node .github/scripts/migrate.mjs STAGE ZIP [--allow-missing]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aws, runMain, setOutput, stageArg } from './lib/aws.mjs';

// migrate's timeout is 300 s (serverless.yml); the CLI's default read timeout is 60 s.
const INVOKE_READ_TIMEOUT_S = 320;

// Judges one invocation: meta is `aws lambda invoke`'s JSON, payload the function's answer text.
// Returns { ok, message, applied } ; never throws on hostile input.
export function judgeMigrate(meta, payload) {
  let body;
  try { body = JSON.parse(payload); } catch { body = undefined; }
  if (!meta || meta.StatusCode !== 200) return { ok: false, message: `invoke answered status ${meta && meta.StatusCode}` };
  if (meta.FunctionError) {
    const type = body && typeof body.errorType === 'string' ? body.errorType : 'unknown';
    const why = body && typeof body.errorMessage === 'string' ? body.errorMessage : String(payload).slice(0, 500);
    if (type === 'Migrate.ChecksumMismatch') {
      return { ok: false, message: `checksum mismatch: an applied migration was changed since it ran (${why}). Restore the file as it was applied and add a new migration instead.` };
    }
    return { ok: false, message: `migrate failed: ${type}: ${why}` };
  }
  const items = body && body.applied;
  const validItem = (m) => m && Number.isInteger(m.version) && m.version > 0 && typeof m.name === 'string';
  if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(items) || !items.every(validItem) ||
      !Number.isInteger(body.current) || body.current < 0) {
    return { ok: false, message: `unexpected answer from migrate: ${String(payload).slice(0, 500)}` };
  }
  const list = items.map((m) => `${m.version} ${m.name}`).join(', ') || 'none';
  return { ok: true, message: `migrations applied: ${list}; schema version ${body.current}`, applied: items.length };
}

function functionExists(name) {
  try {
    aws(['lambda', 'get-function-configuration', '--function-name', name]);
    return true;
  } catch (e) {
    if (/ResourceNotFoundException/.test(e.stderr || e.message)) return false;
    throw e;
  }
}

async function main() {
  const args = process.argv.slice(2);
  const allowMissing = args.includes('--allow-missing');
  const [stageIn, zip] = args.filter((a) => a !== '--allow-missing');
  const stage = stageArg(stageIn);
  if (!zip || !fs.existsSync(zip)) throw new Error('usage: migrate.mjs STAGE ZIP [--allow-missing]');
  const fn = `orders-${stage}-migrate`;
  if (!functionExists(fn)) {
    if (!allowMissing) throw new Error(`${fn} does not exist`);
    console.log(`migrate: ${fn} does not exist yet (first deploy of ${stage}): it runs right after osls deploy`);
    setOutput('deferred', 'true');
    return 0;
  }
  setOutput('deferred', 'false');
  // The signed zip goes to migrate alone; the code signing config checks it here too.
  aws(['lambda', 'update-function-code', '--function-name', fn, '--zip-file', `fileb://${zip}`]);
  aws(['lambda', 'wait', 'function-updated-v2', '--function-name', fn]);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-')), 'answer.json');
  const meta = aws(['lambda', 'invoke', '--function-name', fn, '--cli-binary-format', 'raw-in-base64-out',
    '--payload', '{}', '--cli-read-timeout', String(INVOKE_READ_TIMEOUT_S), out]);
  const verdict = judgeMigrate(meta, fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '');
  console.log(`migrate: ${verdict.message}`);
  return verdict.ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('migrate', main);
