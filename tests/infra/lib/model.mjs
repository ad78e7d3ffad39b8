// The Terraform tree as the checks see it: module directories with their
// declarations, and instances (each root directory, and each call of a
// project module below it) in which expressions are evaluated. Values of
// variables come from the caller's arguments, terraform.tfvars of a root, or
// the variable's default, in that order; what none of them gives is Unknown.
import fs from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { findModuleDirs, parseFile, expressionAst, allowComments } from './hcl.mjs';
import { Evaluator, Unknown, Ref, applySegments, collectExpressions, segmentKey } from './eval.mjs';

export const META_ARGS = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

/** True for a module source that is a directory of this project. */
export const isLocalSource = (s) => typeof s === 'string' && (s.startsWith('./') || s.startsWith('../'));

function emptyModule(dir) {
  return {
    dir, files: [], variables: new Map(), locals: new Map(), outputs: new Map(),
    modules: new Map(), resources: [], data: [], providers: [], tfvars: null, duplicates: [],
  };
}

function addDecl(mod, doc, file) {
  const one = (b) => (Array.isArray(b) ? b[0] || {} : b || {});
  // Terraform rejects a name declared twice; the checks would see only one.
  const put = (map, kind, name, decl) => {
    if (map.has(name) || (Array.isArray(doc[kind] && doc[kind][name]) && doc[kind][name].length > 1)) mod.duplicates.push({ file, id: `${kind}.${name}` });
    map.set(name, decl);
  };
  for (const [name, b] of Object.entries(doc.variable || {})) put(mod.variables, 'variable', name, { name, body: one(b), file });
  for (const [name, b] of Object.entries(doc.output || {})) put(mod.outputs, 'output', name, { name, body: one(b), file });
  for (const [name, b] of Object.entries(doc.module || {})) put(mod.modules, 'module', name, { name, body: one(b), file, kind: 'module' });
  for (const blk of doc.locals || []) {
    for (const [name, raw] of Object.entries(blk)) {
      if (mod.locals.has(name)) mod.duplicates.push({ file, id: `local.${name}` });
      mod.locals.set(name, { name, raw, file });
    }
  }
  for (const [name, bs] of Object.entries(doc.provider || {})) for (const b of [].concat(bs)) mod.providers.push({ name, body: b || {}, file });
  for (const [kind, key] of [['resource', 'resources'], ['data', 'data']]) {
    for (const [type, byName] of Object.entries(doc[kind] || {})) {
      for (const [name, b] of Object.entries(byName)) {
        if (mod[key].some((r) => r.type === type && r.name === name) || (Array.isArray(b) && b.length > 1)) mod.duplicates.push({ file, id: `${kind === 'data' ? 'data.' : ''}${type}.${name}` });
        mod[key].push({ kind, type, name, body: one(b), file });
      }
    }
  }
}

/** Load and parse every .tf under root. */
export async function loadTree(root) {
  const tree = { root: path.resolve(root), dirs: new Map(), files: [], parseErrors: [], allow: new Map(), texts: new Map() };
  const exprs = new Set();
  for (const dir of findModuleDirs(tree.root)) {
    const mod = emptyModule(dir);
    tree.dirs.set(dir, mod);
    const all = fs.readdirSync(dir).sort();
    // JSON syntax and override files change how Terraform merges a module;
    // the checks do not model them, so they fail instead of being ignored.
    for (const name of all.filter((f) => f.endsWith('.tf.json') || /(^|_)override\.tf$/.test(f))) {
      const file = path.join(dir, name);
      tree.files.push(file);
      tree.parseErrors.push({ file, message: 'JSON-syntax and override files are not supported by the offline checks' });
    }
    const names = all.filter((f) => f.endsWith('.tf') && !/(^|_)override\.tf$/.test(f));
    for (const name of names) {
      const file = path.join(dir, name);
      const res = await parseFile(file);
      tree.files.push(file);
      tree.texts.set(file, res.text);
      tree.allow.set(file, allowComments(res.text));
      if (res.error) { tree.parseErrors.push({ file, message: res.error }); continue; }
      mod.files.push(file);
      addDecl(mod, res.json, file);
      collectExpressions(res.json, exprs);
    }
    const tfvars = path.join(dir, 'terraform.tfvars');
    if (fs.existsSync(tfvars)) {
      const res = await parseFile(tfvars);
      tree.files.push(tfvars);
      if (res.error) tree.parseErrors.push({ file: tfvars, message: res.error });
      else { mod.tfvars = { file: tfvars, values: res.json }; collectExpressions(res.json, exprs); }
    }
  }
  tree.asts = new Map();
  for (const e of exprs) tree.asts.set(e, { ast: await expressionAst(e), buf: Buffer.from(e, 'utf8') });
  buildInstances(tree);
  return tree;
}

/** Directory a local module call points at, or null. */
export function calleeDir(mod, call) {
  const src = call.body.source;
  return isLocalSource(src) ? path.resolve(mod.dir, src) : null;
}

function buildInstances(tree) {
  const called = new Set();
  for (const mod of tree.dirs.values()) {
    for (const call of mod.modules.values()) { const d = calleeDir(mod, call); if (d) called.add(d); }
  }
  tree.instances = [];
  const make = (mod, parent, call, label, seen) => {
    const inst = { mod, parent, call, label, children: new Map() };
    tree.instances.push(inst);
    for (const c of mod.modules.values()) {
      const d = calleeDir(mod, c);
      const child = d && tree.dirs.get(d);
      if (child && !seen.has(d)) inst.children.set(c.name, make(child, inst, c, `${label} module.${c.name}`, new Set([...seen, d])));
    }
    return inst;
  };
  for (const mod of tree.dirs.values()) {
    if (!called.has(mod.dir)) make(mod, null, null, path.relative(tree.root, mod.dir) || '.', new Set([mod.dir]));
  }
  tree.eval = new Evaluator(tree.asts, (root, trav, inst, text) => resolve(tree, root, trav, inst, text));
  // What `terraform plan` knows: the same, except that attributes of resources are known only
  // when configured from known values (ids, ARNs and other computed attributes come after apply),
  // and a condition on an unknown is unknown.
  tree.planEval = new Evaluator(tree.asts, (root, trav, inst, text) => resolvePlan(tree, root, trav, inst, text), { strict: true });
}

/** Memo maps of an instance for one evaluator (settings and plan-time values differ). */
function memos(inst, ev) {
  if (!inst.memos) inst.memos = new Map();
  if (!inst.memos.has(ev)) inst.memos.set(ev, { vars: new Map(), locals: new Map(), outs: new Map() });
  return inst.memos.get(ev);
}

function memo(map, key, compute) {
  if (map.has(key)) {
    const v = map.get(key);
    return v === IN_PROGRESS ? new Unknown(key, 'self-referencing') : v;
  }
  map.set(key, IN_PROGRESS);
  const v = compute();
  map.set(key, v);
  return v;
}
const IN_PROGRESS = Symbol('in progress');

/** The value of var.name in inst. */
export function varValue(tree, inst, name, ev = tree.eval) {
  return memo(memos(inst, ev).vars, name, () => {
    const decl = inst.mod.variables.get(name);
    if (!decl) return new Unknown(`var.${name}`, 'undeclared variable');
    return coerce(rawVarValue(tree, inst, name, decl, ev), decl.body.type);
  });
}

/** Terraform converts "true"/"5" to a bool/number variable's type; so do we. */
function coerce(v, type) {
  if (type === '${bool}' && (v === 'true' || v === 'false')) return v === 'true';
  if (type === '${number}' && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return v;
}

function rawVarValue(tree, inst, name, decl, ev) {
  if (inst.call && Object.prototype.hasOwnProperty.call(inst.call.body, name)) {
    return ev.value(inst.call.body[name], inst.parent);
  }
  const tfv = !inst.parent && inst.mod.tfvars && inst.mod.tfvars.values;
  if (tfv && Object.prototype.hasOwnProperty.call(tfv, name)) return ev.value(tfv[name], inst);
  if (Object.prototype.hasOwnProperty.call(decl.body, 'default')) return ev.value(decl.body.default, inst);
  return new Unknown(`var.${name}`, 'variable without value or default');
}

export function localValue(tree, inst, name, ev = tree.eval) {
  return memo(memos(inst, ev).locals, name, () => {
    const l = inst.mod.locals.get(name);
    return l ? ev.value(l.raw, inst) : new Unknown(`local.${name}`, 'undeclared local');
  });
}

/** var., local. and project module outputs, evaluated with ev; undefined for other roots. */
function resolveDeclared(tree, ev, root, trav, inst) {
  const rest = (n) => trav.slice(n);
  if (root === 'var' && trav[1]) return applySegments(varValue(tree, inst, trav[1].segment, ev), rest(2));
  if (root === 'local' && trav[1]) return applySegments(localValue(tree, inst, trav[1].segment, ev), rest(2));
  if (root === 'module' && trav[1]) {
    // module.x[0].out / module.x["k"].out: a counted or for_each module is
    // instantiated once here, so its index selects that one instance.
    const at = trav[2] && trav[2].type === 'indexTraversal' ? 3 : 2;
    const child = inst.children.get(trav[1].segment);
    const out = child && trav[at] && child.mod.outputs.get(trav[at].segment);
    if (out) {
      const v = memo(memos(child, ev).outs, out.name, () => ev.value(out.body.value, child));
      return applySegments(v, rest(at + 1));
    }
  }
  return undefined;
}

function resolve(tree, root, trav, inst, text) {
  const v = resolveDeclared(tree, tree.eval, root, trav, inst);
  if (v !== undefined) return v;
  if (['each', 'count', 'self', 'path', 'terraform'].includes(root)) return new Unknown(text);
  return new Ref(trav.map(segmentKey).join('.'), inst);
}

export const AFTER_APPLY = 'known only after apply';

function resolvePlan(tree, root, trav, inst, text) {
  const ev = tree.planEval;
  const v = resolveDeclared(tree, ev, root, trav, inst);
  if (v !== undefined) return v;
  if (root === 'module') return new Unknown(text, `${AFTER_APPLY} (output of a registry module)`);
  if (['each', 'count', 'self', 'path', 'terraform'].includes(root)) return new Unknown(text);
  if (root === 'data') {
    // Read during plan when its own arguments are known.
    const d = trav[2] && inst.mod.data.find((b) => b.type === trav[1].segment && b.name === trav[2].segment);
    if (d && !containsAfterApply(ev.value(d.body, inst))) return new Ref(trav.map(segmentKey).join('.'), inst);
    return new Unknown(text, `${AFTER_APPLY} (data source reading unknown arguments)`);
  }
  // A resource attribute: known at plan only when it is an argument set from known values.
  const r = trav[1] && inst.mod.resources.find((b) => b.type === root && b.name === trav[1].segment);
  let at = 2;
  if (trav[at] && trav[at].type === 'indexTraversal') at += 1;
  const arg = r && trav[at] && trav[at].segment;
  if (arg && arg !== 'id' && Object.prototype.hasOwnProperty.call(r.body, arg) && r.body.count === undefined && r.body.for_each === undefined) {
    return applySegments(ev.value(r.body[arg], inst), trav.slice(at + 1));
  }
  return new Unknown(text, AFTER_APPLY);
}

/** True when v holds a value that only apply can know. */
export function containsAfterApply(v, depth = 0) {
  if (depth > 64) return true;
  // Any unknown counts: whatever its cause, plan cannot read the data source with it.
  if (v instanceof Unknown) return true;
  if (Array.isArray(v)) return v.some((x) => containsAfterApply(x, depth + 1));
  if (v && typeof v === 'object' && !(v instanceof Ref)) return Object.values(v).some((x) => containsAfterApply(x, depth + 1));
  return false;
}

/** Evaluate an attribute of a block body in an instance (undefined if absent). */
export function attr(tree, inst, body, name) {
  if (!body || !Object.prototype.hasOwnProperty.call(body, name)) return undefined;
  return tree.eval.value(body[name], inst);
}
