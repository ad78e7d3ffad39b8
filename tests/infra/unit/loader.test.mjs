// Hostile and odd input for the loader, the evaluator and the runner: the
// checker must report, never crash or hang, and never pass what it cannot read.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { splitTemplate } from '../lib/eval.mjs';
import { loadTree, varValue, localValue } from '../lib/model.mjs';
import { MAX_FILE_BYTES, allowComments, blockSpan } from '../lib/hcl.mjs';
import { runChecks } from '../lib/runner.mjs';
import { ALL_CHECKS } from '../checks/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHECK = path.resolve(here, '../check.mjs');

const made = [];
test.after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

function tmpRoot(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-unit-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('splitTemplate: literal, interpolation, nested strings, escapes', () => {
  assert.deepEqual(splitTemplate('abc'), [{ lit: 'abc' }]);
  assert.deepEqual(splitTemplate('${var.x}'), [{ expr: 'var.x' }]);
  assert.deepEqual(splitTemplate('a-${lookup(m, "}")}-b'), [{ lit: 'a-' }, { expr: 'lookup(m, "}")' }, { lit: '-b' }]);
  assert.deepEqual(splitTemplate('$${not} x'), [{ lit: '${not} x' }]);
});

test('splitTemplate: unbalanced or directive templates are undecidable (null)', () => {
  assert.equal(splitTemplate('${var.x'), null);
  assert.equal(splitTemplate('${"unterminated}'), null);
  assert.equal(splitTemplate('%{ if true }x%{ endif }'), null);
});

test('a file that does not parse, an empty file and a binary file are reported', async () => {
  const dir = tmpRoot({ 'bad.tf': 'resource "a" "b" {', 'empty.tf': '', 'bin.tf': Buffer.from([0, 1, 2, 255, 254, 0]).toString('latin1') });
  const { results } = await runChecks(dir, ALL_CHECKS.filter((c) => c.name === 'tf_parse'));
  const failed = results.filter((r) => !r.ok).map((r) => r.target).sort();
  assert.deepEqual(failed, ['bad.tf', 'bin.tf']);
});

test('an oversized file is refused, not parsed', async () => {
  const dir = tmpRoot({ 'big.tf': `# ${'x'.repeat(MAX_FILE_BYTES + 10)}\n` });
  const tree = await loadTree(dir);
  assert.equal(tree.parseErrors.length, 1);
  assert.match(tree.parseErrors[0].message, /larger than/);
});

test('self-referencing locals and variables end as Unknown, not a stack overflow', async () => {
  const dir = tmpRoot({ 'main.tf': 'locals {\n  a = local.b\n  b = local.a\n  c = "${local.c}-x"\n}\n' });
  const tree = await loadTree(dir);
  const inst = tree.instances[0];
  assert.equal(localValue(tree, inst, 'a').constructor.name, 'Unknown');
  assert.equal(localValue(tree, inst, 'c').constructor.name, 'Unknown');
  assert.equal(varValue(tree, inst, 'nope').constructor.name, 'Unknown');
});

test('a module that calls itself does not recurse forever', async () => {
  const dir = tmpRoot({ 'main.tf': 'module "me" {\n  source = "./"\n}\n', 'sub/main.tf': 'module "up" {\n  source = "../sub"\n}\n' });
  const { results } = await runChecks(dir, ALL_CHECKS);
  assert.ok(results.length > 0);
  assert.ok(!results.some((r) => r.target === '(check)'), 'no check crashed');
});

test('deeply nested expressions are bounded', async () => {
  const deep = `${'['.repeat(200)}1${']'.repeat(200)}`;
  const dir = tmpRoot({ 'main.tf': `locals {\n  deep = ${deep}\n}\nresource "aws_sqs_queue" "q" {\n  visibility_timeout_seconds = local.deep\n}\n` });
  const { results } = await runChecks(dir, ALL_CHECKS);
  assert.ok(!results.some((r) => r.target === '(check)'), 'no check crashed');
  assert.ok(results.some((r) => r.check.name === 'sqs_visibility' && !r.ok));
});

test('wrong types fail closed: a string where a bool belongs is not true', async () => {
  const dir = tmpRoot({ 'main.tf': 'resource "aws_rds_cluster" "c" {\n  deletion_protection = "true"\n  storage_encrypted = [true]\n}\n' });
  const { results } = await runChecks(dir, ALL_CHECKS.filter((c) => ['aurora_deletion_protection', 'aurora_encryption'].includes(c.name)));
  assert.equal(results.filter((r) => !r.ok).length, 2);
});

test('iac-allow: own line covers the next code line, trailing covers its line, no reason no waiver', () => {
  const text = 'a\n# iac-allow: X1 because\n# more\nb\nc # iac-allow: X2 why\nd # iac-allow: X3\n';
  const m = allowComments(text);
  assert.deepEqual(m.get(4).map((a) => a.id), ['X1']);
  assert.deepEqual(m.get(5).map((a) => a.id), ['X2']);
  assert.equal(m.get(6)[0].reason, '');
});

test('blockSpan ignores braces in strings and comments', () => {
  const text = 'resource "t" "n" {\n  a = "}"\n  # }\n  b = { c = 1 }\n}\nresource "t" "m" {}\n';
  assert.deepEqual(blockSpan(text, 'resource', ['t', 'n']), [1, 5]);
  assert.equal(blockSpan(text, 'resource', ['t', 'x']), null);
});

test('check.mjs: no .tf files fails, a missing root is a usage error', () => {
  const empty = tmpRoot({});
  const r1 = spawnSync(process.execPath, [CHECK, empty], { encoding: 'utf8' });
  assert.equal(r1.status, 1);
  assert.match(r1.stdout, /no \.tf files found/);
  const r2 = spawnSync(process.execPath, [CHECK, path.join(empty, 'missing')], { encoding: 'utf8' });
  assert.equal(r2.status, 2);
});

test('check.mjs prints one FAIL line per finding and the closing count', () => {
  const dir = tmpRoot({ 'main.tf': 'resource "aws_kms_key" "k" {\n  description = "k"\n}\n' });
  const r = spawnSync(process.execPath, [CHECK, dir], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^FAIL CKV_AWS_7,[^ ]* .*main\.tf: aws_kms_key\.k \[\.\]: \[kms_rotation\] enable_key_rotation is unset/m);
  assert.match(r.stdout, /^\d+ passed, [1-9]\d* failed$/m);
});
