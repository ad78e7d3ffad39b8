// The malformed-input flood (issue 15): N hostile requests to the api through
// lambda-local, CONCURRENCY at a time, over keep-alive connections. Prints one
// JSON line of accounting: requests, answers by status, 5xx, answers that are
// not a well-formed problem document (or API Gateway's own {"message"}), 201s.
//   node flood.mjs BASE_URL N CONCURRENCY SEED
import http from 'node:http';

const [base, nArg, concArg, seedArg] = process.argv.slice(2);
const N = Number(nArg), CONC = Number(concArg);
let seed = Number(seedArg) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (n) => Math.floor(rnd() * n);
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => int(256)));
const url = new URL(base);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });

const good = { customer_id: 'c-flood', items: [{ sku: 'SKU-1', quantity: 1 }] };
const goodText = JSON.stringify(good);
const nest = (d) => '['.repeat(d) + ']'.repeat(d);
// Each returns [method, path, headers, body]; none is a valid create request.
const JSONCT = { 'content-type': 'application/json' };
const gens = [
  () => ['POST', '/orders', JSONCT, goodText.slice(0, int(goodText.length))],             // truncated
  () => ['POST', '/orders', JSONCT, nest(1 + int(5000))],                                 // deep
  () => ['POST', '/orders', JSONCT, `{"customer_id":"c-\xff\xfe","items":[]}`],           // bad UTF-8 (latin1 bytes)
  () => ['POST', '/orders', JSONCT, Buffer.concat([Buffer.from('{"customer_id":"'), bytes(8), Buffer.from('","items":[]}')])],
  () => ['POST', '/orders', JSONCT, `{"customer_id":"c-1","items":[{"sku":"SKU-1","quantity":${pick(['1e400', '-0', '99999999999999999999', '1.5', '-1', '0', 'NaN'])}}]}`],
  () => ['POST', '/orders', JSONCT, `{"customer_id":${pick(['1', 'null', '[]', '{}', 'true'])},"items":${pick(['1', '"x"', '{}', 'null', '[1]', '[null]'])}}`],
  () => ['POST', '/orders', JSONCT, '{"customer_id":"c-1","customer_id":"c-2","items":[{"sku":"SKU-1","quantity":1}]}'], // duplicate key
  () => ['POST', '/orders', JSONCT, `{"customer_id":"${'x'.repeat(200 + int(70000))}","items":[{"sku":"SKU-1","quantity":1}]}`], // oversized
  () => ['POST', '/orders', JSONCT, bytes(int(2000))],                                    // random bytes
  () => ['POST', '/orders', { 'content-type': pick(['text/plain', 'application/xml', 'application/json; charset=latin1', '', 'multipart/form-data; boundary=x']) }, goodText], // wrong content type
  () => ['POST', '/orders', { ...JSONCT, 'idempotency-key': pick(['', ' ', 'k'.repeat(300), 'k\u00e9\tx']) }, goodText.replace('SKU-1', 'SKU-NOPE')],
  () => ['POST', '/orders', JSONCT, '{"customer_id":"c-1","items":[{"sku":"SKU-1","quantity":1,"extra":"\\u0000"}]}'],
  () => ['POST', '/orders', JSONCT, `{"customer_id":"c-1","items":[${Array(1 + int(200)).fill('{"sku":"SKU-1","quantity":1}').join(',')}],"x":1}`],
  () => ['GET', `/orders?${pick(['limit=0', 'limit=-1', 'limit=1e9', 'limit=abc', 'cursor=%ff%fe', 'cursor=AAAA', 'status=NOPE', 'customer_id=' + 'c'.repeat(500), 'limit=1&limit=2'])}`, {}, null],
  () => ['GET', `/orders/${pick(['not-a-uuid', '00000000-0000-0000-0000-00000000000g', '%00', '..%2f..', 'x'.repeat(300)])}`, {}, null],
  () => ['POST', `/orders/${pick(['zzz', '00000000-0000-4000-8000-00000000000z'])}/cancel`, {}, null],
  () => [pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), pick(['/orders', '/health', '/orders/x']), {}, null],
  () => ['GET', pick(['/nope', '/orders/', '//orders', '/orders/a/b/c', '/%2e%2e/etc/passwd']), {}, null],
];

const stats = { requests: 0, byStatus: {}, fiveXX: 0, malformed: 0, created: 0, errors: 0, samples: [] };

function one() {
  return new Promise((resolve) => {
    const [method, path, headers, body] = pick(gens)();
    const buf = body == null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
    const h = { ...headers };
    if (buf) h['content-length'] = buf.length;
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const s = res.statusCode;
        stats.requests++;
        stats.byStatus[s] = (stats.byStatus[s] || 0) + 1;
        if (s >= 500) { stats.fiveXX++; if (stats.samples.length < 5) stats.samples.push({ method, path: path.slice(0, 80), s }); }
        if (s === 201) stats.created++;
        const text = Buffer.concat(chunks).toString('utf8');
        const ct = res.headers['content-type'] || '';
        let ok = false;
        try {
          const j = JSON.parse(text);
          ok = s < 400 || (ct.startsWith('application/problem+json') && typeof j.type === 'string' && j.status === s)
            || (ct.startsWith('application/json') && typeof j.message === 'string'); // lambda-local's own, as API Gateway
        } catch { ok = false; }
        if (!ok) { stats.malformed++; if (stats.samples.length < 5) stats.samples.push({ method, path: path.slice(0, 80), s, ct, text: text.slice(0, 120) }); }
        resolve();
      });
    });
    req.on('error', (e) => { stats.errors++; if (stats.samples.length < 5) stats.samples.push({ err: String(e) }); resolve(); });
    if (buf) req.write(buf);
    req.end();
  });
}

let sent = 0;
const t0 = Date.now();
async function lane() { while (sent < N) { sent++; await one(); } }
await Promise.all(Array.from({ length: CONC }, lane));
stats.seconds = (Date.now() - t0) / 1000;
stats.perSecond = Math.round(stats.requests / stats.seconds);
agent.destroy();
console.log(JSON.stringify(stats));
