#!/usr/bin/env node
// Posts N orders to the api from C concurrent clients (two lines each over
// SKU-1..SKU-5, customer CUSTOMER) and prints the number answered 201, the
// other answers by status, and the posting rate.
//   node post.mjs BASE_URL CUSTOMER N C
const [base, customer, n, c] = process.argv.slice(2);
const total = Number(n), clients = Number(c);
if (!base || !customer || !(total > 0) || !(clients > 0)) {
  console.error('usage: post.mjs BASE_URL CUSTOMER N C');
  process.exit(2);
}
let next = 0, created = 0;
const others = {};
async function client() {
  while (next < total) {
    const g = next++;
    const items = [{ sku: `SKU-${(g % 5) + 1}`, quantity: 1 }, { sku: `SKU-${((g + 2) % 5) + 1}`, quantity: 2 }];
    try {
      const res = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ customer_id: customer, items }),
        signal: AbortSignal.timeout(30000),
      });
      await res.arrayBuffer();
      if (res.status === 201) created++;
      else others[res.status] = (others[res.status] || 0) + 1;
    } catch (e) {
      others[e.name] = (others[e.name] || 0) + 1;
    }
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: clients }, client));
const s = (performance.now() - t0) / 1000;
console.log(`posted ${total} in ${s.toFixed(2)} s (${(total / s).toFixed(0)}/s): ${created} created, others ${JSON.stringify(others)}`);
