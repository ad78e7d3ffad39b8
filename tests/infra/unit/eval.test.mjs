// The evaluator on the expressions the checks depend on: what it can decide
// is decided exactly, and what it cannot stays Unknown (never a guess).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTree, localValue } from '../lib/model.mjs';
import { Unknown, Ref } from '../lib/eval.mjs';

const made = [];
test.after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

async function locals(body, extra = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-eval-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'main.tf'), `locals {\n${body}\n}\n${extra}`);
  const tree = await loadTree(dir);
  return (name) => localValue(tree, tree.instances[0], name);
}

test('literals, arithmetic, comparison, logic', async () => {
  const v = await locals('a = 6 * 30\nb = 7 > 5 && !false\nc = -3 + 1.5\nd = "x" == "x"\ne = 10 % 4');
  assert.equal(v('a'), 180);
  assert.equal(v('b'), true);
  assert.equal(v('c'), -1.5);
  assert.equal(v('d'), true);
  assert.equal(v('e'), 2);
});

test('objects, tuples, indexing, templates', async () => {
  const v = await locals('m = { a = 1, "b-c" = [10, 20] }\ni = local.m["b-c"][1]\nt = "n-${local.m.a}"\nk = keys(local.m)');
  assert.deepEqual(v('m'), { a: 1, 'b-c': [10, 20] });
  assert.equal(v('i'), 20);
  assert.equal(v('t'), 'n-1');
  assert.deepEqual(v('k'), ['a', 'b-c']);
});

test('for expressions with conditions, merge, concat, lookup', async () => {
  const v = await locals([
    'rules = { a = { egress = true, p = 1 }, b = { egress = false, p = 2 } }',
    'eg = { for k, r in local.rules : k => r.p if r.egress }',
    'ps = [for r in local.rules : r.p * 10]',
    'mg = merge({ x = 1 }, { y = 2 })',
    'cc = concat([1], [2, 3])',
    'lk = lookup({ a = "A" }, "b", "dflt")',
  ].join('\n'));
  assert.deepEqual(v('eg'), { a: 1 });
  assert.deepEqual(v('ps'), [10, 20]);
  assert.deepEqual(v('mg'), { x: 1, y: 2 });
  assert.deepEqual(v('cc'), [1, 2, 3]);
  assert.equal(v('lk'), 'dflt');
});

test('references stay symbolic; unknowns stay unknown', async () => {
  const v = await locals('r = aws_kms_key.this.arn\nn = var.missing\nc = var.missing ? "a" : "b"\nsame = var.missing ? "a" : "a"\nnn = aws_kms_key.this.arn != null\nf = timestamp()',
    'variable "missing" {\n  type = bool\n}\n');
  assert.ok(v('r') instanceof Ref);
  assert.equal(v('r').path, 'aws_kms_key.this.arn');
  assert.ok(v('n') instanceof Unknown);
  assert.ok(v('c') instanceof Unknown);
  assert.equal(v('same'), 'a');
  assert.equal(v('nn'), true);
  assert.ok(v('f') instanceof Unknown);
});

test('jsonencode keeps the structure with references inside', async () => {
  const v = await locals('p = jsonencode({ Statement = [{ Effect = "Allow", Resource = aws_sqs_queue.q.arn }] })');
  const p = v('p');
  assert.equal(p.Statement[0].Effect, 'Allow');
  assert.ok(p.Statement[0].Resource instanceof Ref);
});

test('a partial template is marked partial (never a bare "*")', async () => {
  const v = await locals('a = "arn:aws:s3:::${var.x}/*"\nb = "${var.x}"', 'variable "x" {\n  type = string\n}\n');
  assert.ok(v('a') instanceof Unknown && v('a').partial);
  assert.ok(v('b') instanceof Unknown && !v('b').partial);
});
