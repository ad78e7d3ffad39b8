// The smoke test after a deploy, through the custom domain with the stage's API key, as a client
// sees the service: GET /health/ready, then create, get and cancel a test order. Each request is
// bounded; the key is masked in the log before anything else is printed.
// Usage: node .github/scripts/smoke.mjs STAGE             (domain and key from AWS)
//        node .github/scripts/smoke.mjs --base-url URL     (key from ORDERS_API_KEY; tests, by hand)
// Env: SMOKE_SKU (default SKU-1), a catalog product kept in stock for smoke tests.
import crypto from 'node:crypto';
import { aws, runMain, ssmParameter, stageArg } from './lib/aws.mjs';

const REQUEST_TIMEOUT_MS = 10_000;

function apiKey(stage) {
  const answer = aws(['apigateway', 'get-api-keys', '--name-query', `orders-${stage}-default`, '--include-values']);
  const item = (answer.items || []).find((k) => k.name === `orders-${stage}-default`);
  if (!item || typeof item.value !== 'string') throw new Error(`no API key orders-${stage}-default`);
  return item.value;
}

async function call(base, key, method, path, body, headers = {}) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text: text.slice(0, 300), headers: res.headers };
}

function expect(step, ok, res) {
  if (!ok) throw new Error(`${step}: unexpected answer ${res.status} ${res.text}`);
  console.log(`smoke: ${step}: ${res.status}`);
}

// Exported for the offline test: runs the four steps against base with key.
export async function smoke(base, key, sku = 'SKU-1') {
  let r = await call(base, key, 'GET', '/health/ready');
  expect('GET /health/ready', r.status === 200 && r.json && r.json.status === 'ok', r);
  const customer = `smoke-${crypto.randomUUID()}`;
  r = await call(base, key, 'POST', '/orders', { customer_id: customer, items: [{ sku, quantity: 1 }] },
    { 'idempotency-key': crypto.randomUUID() });
  const id = r.json && r.json.id;
  expect('POST /orders', r.status === 201 && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id), r);
  r = await call(base, key, 'GET', `/orders/${id}`);
  expect(`GET /orders/${id}`, r.status === 200 && r.json && r.json.id === id && r.json.customer_id === customer, r);
  r = await call(base, key, 'POST', `/orders/${id}/cancel`);
  expect(`POST /orders/${id}/cancel`, r.status === 200 && r.json && r.json.status === 'CANCELLED', r);
  return id;
}

async function main() {
  const args = process.argv.slice(2);
  let base;
  let key;
  if (args[0] === '--base-url') {
    base = args[1];
    key = process.env.ORDERS_API_KEY || '';
  } else {
    const stage = stageArg(args[0]);
    key = apiKey(stage);
    base = `https://${ssmParameter(`/orders/${stage}/edge/domain_name`)}`;
  }
  if (!base || !key) throw new Error('usage: smoke.mjs STAGE | --base-url URL (with ORDERS_API_KEY)');
  if (process.env.GITHUB_ACTIONS) console.log(`::add-mask::${key}`);
  const id = await smoke(base, key, process.env.SMOKE_SKU || 'SKU-1');
  console.log(`smoke: ok (${base}, test order ${id} created and cancelled)`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) runMain('smoke', main);
