// The handlers bootstrap hosts (`bootstrap --handlers`, from ORDERS_HANDLERS),
// the handlers serverless.yml deploys and those local/stack.json runs are the
// same set: a function deployed with a handler the binary lacks would fail in
// AWS with Runtime.HandlerNotFound, and a handler nobody deploys is dead code.
//   node handlers_agree.mjs BOOTSTRAP SERVERLESS_YML STACK_JSON NODE_MODULES
// Ends with "N passed, N failed".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadCfnYaml } from '../lib/cfn-yaml.mjs';

const [bootstrap, serverlessPath, stackPath, nodeModules] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail}`); }
}
const sorted = (xs) => [...new Set(xs)].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

const built = execFileSync(bootstrap, ['--handlers'], { encoding: 'utf8' }).split('\n').filter(Boolean);
const sls = loadCfnYaml(readFileSync(serverlessPath, 'utf8'), nodeModules);
const deployed = Object.values(sls.functions ?? {}).map((f) => f.handler);
const stack = JSON.parse(readFileSync(stackPath, 'utf8'));
const local = Object.values(stack.functions ?? {}).map((f) => f.handler);

check('bootstrap hosts at least one handler', built.length > 0);
check('no handler is listed twice in bootstrap', built.length === new Set(built).size);
check('serverless.yml deploys exactly the handlers bootstrap hosts', same(deployed, built),
  `serverless.yml: ${sorted(deployed)}; bootstrap: ${sorted(built)}`);
check('local/stack.json runs exactly the handlers bootstrap hosts', same(local, built),
  `local/stack.json: ${sorted(local)}; bootstrap: ${sorted(built)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
