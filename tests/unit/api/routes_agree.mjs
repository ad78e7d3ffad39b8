// The api's route table (the handler's own, printed by `test_api_openapi
// --routes`), docs/openapi.yaml and serverless.yml's http events of the api
// function say the same: every route is documented with every status it can
// answer, every documented operation is routed, and API Gateway sends every
// route (and nothing else but the catch-alls) to the api.
//   node routes_agree.mjs ROUTES_BIN OPENAPI_YAML SERVERLESS_YML NODE_MODULES
// Ends with "N passed, N failed".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadCfnYaml, loadYaml } from '../../lib/cfn-yaml.mjs';

const [routesBin, openapiPath, serverlessPath, nodeModules] = process.argv.slice(2);

let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail}`); }
}

const routes = JSON.parse(execFileSync(routesBin, ['--routes'], { encoding: 'utf8' }));
const spec = loadYaml(nodeModules).load(readFileSync(openapiPath, 'utf8'));
const sls = loadCfnYaml(readFileSync(serverlessPath, 'utf8'), nodeModules);
const key = (m, p) => `${m.toUpperCase()} ${p}`;

const ops = new Map();
for (const [p, item] of Object.entries(spec.paths ?? {}))
  for (const [m, op] of Object.entries(item)) if (op && op.responses) ops.set(key(m, p), op);
const routed = new Set(routes.map((r) => key(r.method, r.path)));

check('the route table is not empty', routes.length > 0);
for (const r of routes) {
  const op = ops.get(key(r.method, r.path));
  check(`${key(r.method, r.path)} is documented`, !!op);
  if (!op) continue;
  const missing = [...new Set(r.statuses)].filter((s) => !(String(s) in op.responses));
  check(`${key(r.method, r.path)} documents every status it can answer`, missing.length === 0,
    `missing: ${missing.join(', ')}`);
}
for (const k of ops.keys()) check(`${k} (documented) is routed`, routed.has(k));

const events = (sls.functions?.api?.events ?? []).map((e) => e.http).filter(Boolean);
const sent = new Set(events.filter((e) => e.method !== 'any').map((e) => key(e.method, `/${e.path}`)));
for (const r of routes) check(`API Gateway sends ${key(r.method, r.path)} to the api`, sent.has(key(r.method, r.path)));
for (const k of sent) check(`serverless.yml's ${k} is a route`, routed.has(k));
// `any` on a route's path gives a 405 with Allow from the handler, not API Gateway's 403
const anyPaths = new Set(events.filter((e) => e.method === 'any').map((e) => `/${e.path}`));
for (const p of new Set(routes.map((r) => r.path)))
  check(`serverless.yml sends any other method on ${p} to the api (405)`, anyPaths.has(p));
for (const p of anyPaths)
  check(`serverless.yml's catch-all ${p} is a route's path or the proxy`, p === '/{proxy+}' || routes.some((r) => r.path === p));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
