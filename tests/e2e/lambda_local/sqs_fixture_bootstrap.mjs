#!/usr/bin/env node
// For the event-source e2e suite: a runtime that behaves as the worker or
// the cleanup function might, chosen by _HANDLER:
//   worker   records each event (FIXTURE_LOG, one JSON line per invocation),
//            fails the messages whose body starts with "fail" or "poison"
//            through batchItemFailures, and holds each invocation SLEEP_MS
//            while counting invocations in flight (FIXTURE_DIR/inflight.*);
//   error    posts /error;  timeout  never answers;  crash  exits;
//   unknown  names a message that is not in the batch;  garbage  answers non-JSON;
//   echo     records the event and answers it (a schedule's target).
import fs from 'node:fs';
import path from 'node:path';

const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const mode = process.env._HANDLER;
const log = process.env.FIXTURE_LOG;
const dir = process.env.FIXTURE_DIR;
const sleepMs = Number(process.env.SLEEP_MS || 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function inflight(delta, id) {
  if (!dir) return;
  const f = path.join(dir, `inflight.${id}`);
  if (delta > 0) fs.writeFileSync(f, '');
  else fs.rmSync(f, { force: true });
  const n = fs.readdirSync(dir).filter((x) => x.startsWith('inflight.')).length;
  const maxFile = path.join(dir, 'max');
  const max = fs.existsSync(maxFile) ? Number(fs.readFileSync(maxFile, 'utf8')) : 0;
  if (n > max) fs.writeFileSync(maxFile, String(n));
}

for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const text = await next.text();
  if (log) fs.appendFileSync(log, JSON.stringify({ mode, event: JSON.parse(text) }) + '\n');
  const post = (what, body) => fetch(`${api}/invocation/${id}/${what}`, { method: 'POST', body });
  if (mode === 'crash') process.exit(3);
  if (mode === 'timeout') await sleep(3600 * 1000);
  if (mode === 'error') {
    await post('error', JSON.stringify({ errorType: 'Fixture', errorMessage: 'failed on purpose' }));
    continue;
  }
  if (mode === 'echo') {
    await post('response', text);
    continue;
  }
  if (mode === 'garbage') {
    await post('response', '{"batchItemFailures": [');
    continue;
  }
  const records = JSON.parse(text).Records || [];
  if (mode === 'unknown') {
    await post('response', JSON.stringify({ batchItemFailures: [{ itemIdentifier: 'no-such-message' }] }));
    continue;
  }
  inflight(+1, id);
  await sleep(sleepMs);
  inflight(-1, id);
  const failures = records.filter((r) => /^(fail|poison)/.test(r.body)).map((r) => ({ itemIdentifier: r.messageId }));
  await post('response', JSON.stringify({ batchItemFailures: failures }));
}
