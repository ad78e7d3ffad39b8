// The malformed-input flood for the worker (issue 15): N hostile messages sent to
// the orders queue (SendMessageBatch, CONCURRENCY calls at a time), which
// lambda-local's SQS source turns into SQS events for the worker. None of them
// names an order that exists, so each must come back as a per-message failure
// and end in the dead-letter queue. Bodies SQS itself refuses (characters
// outside its allowed set) are counted apart: they never reach the worker.
// Prints one JSON line: sent, accepted by SQS, refused by SQS, per kind.
//   node worker_flood.mjs ENDPOINT QUEUE_URL N CONCURRENCY SEED
import { randomUUID } from 'node:crypto';

const [endpoint, queueUrl, nArg, concArg, seedArg] = process.argv.slice(2);
const N = Number(nArg), CONC = Number(concArg);
let seed = Number(seedArg) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (n) => Math.floor(rnd() * n);
const chars = (n, lo, hi) => String.fromCharCode(...Array.from({ length: n }, () => lo + int(hi - lo)));

const uuid = () => randomUUID(); // never an order of the stack: unknown_order at best
const at = new Date().toISOString(); // the hostile messages' instant: now, whatever it is
const good = () => ({ type: 'order.created', order_id: uuid(), occurred_at: at });
const goodText = () => JSON.stringify(good());
const nest = (d) => '['.repeat(d) + ']'.repeat(d);
// Each returns [kind, body, extra message attributes or null].
const gens = [
  () => { const t = goodText(); return ['truncated', t.slice(0, 1 + int(t.length - 1)), null]; },
  () => ['deep', pick([nest(1 + int(5000)), `{"type":"order.created","order_id":${nest(1 + int(3000))}}`]), null],
  () => ['escapes', `{"type":"order.created","order_id":"${pick(['\\u0000', '\\ud800', '\\udfff\\ud800', 'a\\u0000b'])}${uuid().slice(2)}","occurred_at":"${at}"}`, null],
  () => ['nul_id', `{"type":"order.created","order_id":"${uuid()}\\u0000","occurred_at":"${at}"}`, null],
  () => ['numbers', `{"type":"order.created","order_id":${pick(['1e400', '-0', '99999999999999999999999', '1.5e-400', 'NaN', 'Infinity'])},"occurred_at":${pick(['1e400', '0', '"x"'])}}`, null],
  () => ['wrong_types', `{"type":${pick(['1', 'null', '[]', '{}', 'true', '"order.created"'])},"order_id":${pick(['1', 'null', '[]', '{}', 'true', `["${uuid()}"]`])}}`, null],
  () => ['duplicate_keys', pick([
    `{"type":"order.created","order_id":"${uuid()}","order_id":"${uuid()}","occurred_at":"${at}"}`,
    `{"type":"order.created","type":"order.cancelled","order_id":"${uuid()}","occurred_at":"${at}"}`]), null],
  () => ['oversized', pick([
    `{"type":"order.created","order_id":"${'x'.repeat(37 + int(200000))}"}`,
    JSON.stringify({ ...good(), pad: 'p'.repeat(4000 + int(200000)) })]), null],
  () => ['random', chars(1 + int(2000), 0x20, 0x7f), null],
  () => ['random_unicode', chars(1 + int(500), 0xa0, 0xd7ff), null],
  () => ['not_an_object', pick(['[]', 'null', '"order.created"', '1', 'true', ' ', '{}', '{"type":"order.created"}']), null],
  () => ['unknown_type', JSON.stringify({ ...good(), type: pick(['order.cancelled', 'ORDER.CREATED', '', 'order.created ', 'order.created\u0000']) }), null],
  () => ['bad_uuid', JSON.stringify({ ...good(), order_id: pick([uuid().toUpperCase().replace(/-/g, ''), `{${uuid()}}`, uuid().slice(1), `${uuid()}0`, uuid().replace(/[0-9a-f]$/, 'g')]) }), null],
  () => ['unknown_order', JSON.stringify({ ...good(), extra: pick([1, null, 'x', [], {}]) }), null],
  () => ['control_chars', `{"type":"order.created","order_id":"${uuid()}","x":"${chars(3, 0, 0x1f)}"}`, null], // SQS refuses most
  () => ['hostile_attributes', goodText(), pick([
    { AWSTraceHeader: 'Root=;;;;;' + 'x'.repeat(int(4000)) },
    { AWSTraceHeader: '' + chars(int(100), 0x20, 0x7f) },
    { user: { DataType: 'Binary', BinaryValue: Buffer.from(chars(int(64), 0, 255), 'latin1').toString('base64') } },
    { 'odd.name-_': { DataType: 'Number', StringValue: '1e400' } },
    { s: { DataType: 'String.custom', StringValue: '"}{\\' } },
  ])],
];

async function call(target, body) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${target}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

function entry(i) {
  const [kind, body, attrs] = pick(gens)();
  const e = { Id: `m${i}`, MessageBody: body };
  if (attrs && attrs.AWSTraceHeader !== undefined) {
    e.MessageSystemAttributes = { AWSTraceHeader: { DataType: 'String', StringValue: attrs.AWSTraceHeader || 'x' } };
  } else if (attrs) {
    e.MessageAttributes = attrs;
  }
  return [kind, e];
}

const stats = { sent: 0, accepted: 0, refused: 0, refusedBatches: 0, errors: 0, byKind: {}, refusedByKind: {}, samples: [] };
const count = (m, k) => { m[k] = (m[k] || 0) + 1; };

// One SendMessageBatch of up to 10; a batch over SQS's 256 KiB total is sent one by one.
async function sendBatch(items) {
  const size = items.reduce((n, [, e]) => n + Buffer.byteLength(e.MessageBody), 0);
  if (items.length > 1 && size > 250000) {
    for (const it of items) await sendBatch([it]);
    return;
  }
  stats.sent += items.length;
  let r;
  try {
    r = await call('SendMessageBatch', { QueueUrl: queueUrl, Entries: items.map(([, e]) => e) });
  } catch (e) {
    stats.errors += items.length;
    if (stats.samples.length < 5) stats.samples.push(String(e));
    return;
  }
  const kinds = new Map(items.map(([k, e]) => [e.Id, k]));
  if (r.status !== 200) { // the whole call refused (e.g. one invalid body fails a JSON batch in fauxqs)
    stats.refusedBatches++;
    if (items.length > 1) { stats.sent -= items.length; for (const it of items) await sendBatch([it]); return; }
    stats.refused++;
    count(stats.refusedByKind, items[0][0]);
    return;
  }
  for (const ok of r.json.Successful || []) { stats.accepted++; count(stats.byKind, kinds.get(ok.Id)); }
  for (const bad of r.json.Failed || []) { stats.refused++; count(stats.refusedByKind, kinds.get(bad.Id)); }
}

let next = 0;
const t0 = Date.now();
async function lane() {
  while (next < N) {
    const items = [];
    while (items.length < 10 && next < N) items.push(entry(next++));
    await sendBatch(items);
  }
}
await Promise.all(Array.from({ length: CONC }, lane));
stats.seconds = (Date.now() - t0) / 1000;
console.log(JSON.stringify(stats));
