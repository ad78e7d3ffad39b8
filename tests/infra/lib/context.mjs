// What every check receives: the loaded tree plus helpers that enumerate the
// targets a rule applies to, in every instance, with a stable label.
import path from 'node:path';
import { attr, isLocalSource } from './model.mjs';
import { blockSpan } from './hcl.mjs';
import { isKnown, isObj, isRef, Unknown, splitTemplate } from './eval.mjs';

export function makeContext(tree) {
  const rel = (f) => path.relative(process.cwd(), f) || f;
  const ctx = {
    tree,
    rel,
    /** Every resource (or data source, kind 'data') of the given types, per instance. */
    blocks(kind, types) {
      const want = new Set([].concat(types));
      const out = [];
      for (const inst of tree.instances) {
        for (const b of kind === 'data' ? inst.mod.data : inst.mod.resources) {
          if (want.has(b.type)) out.push(target(inst, b, `${kind === 'data' ? 'data.' : ''}${b.type}.${b.name}`));
        }
      }
      return out;
    },
    /** Calls of a registry module, e.g. 'rds-aurora' matches terraform-aws-modules/rds-aurora/aws. */
    registryCalls(name) {
      const out = [];
      for (const inst of tree.instances) {
        for (const call of inst.mod.modules.values()) {
          if (registryName(call.body.source) === name) out.push(target(inst, call, `module.${call.name}`));
        }
      }
      return out;
    },
    /** Every instance (for rules about what a composition contains). */
    instances: () => tree.instances,
    /** [file, first line, last line] of a declared block, or null. */
    span(block) {
      if (!['resource', 'data', 'module'].includes(block.kind)) return null;
      const text = tree.texts.get(block.file) || '';
      const labels = block.kind === 'module' ? [block.name] : [block.type, block.name];
      const sp = blockSpan(text, block.kind, labels);
      return sp && { file: block.file, from: sp[0], to: sp[1] };
    },
    /** iac-allow comments naming one of ids in lines from..to of file. */
    allowsIn(file, from, to, ids) {
      const out = [];
      for (const [line, list] of tree.allow.get(file) || []) {
        if (line < from || line > to) continue;
        for (const a of list) if (ids.includes(a.id) && a.reason) out.push({ ...a, line });
      }
      return out;
    },
    /** Allows for a target: in its block or in the module calls that made its instance. */
    targetAllows(t, ids) {
      const spans = [ctx.span(t.block)];
      for (let i = t.inst; i && i.call; i = i.parent) spans.push(ctx.span(i.call));
      return spans.filter(Boolean).flatMap((s) => ctx.allowsIn(s.file, s.from, s.to, ids));
    },
  };
  const target = (inst, block, id) => ({
    inst, block, body: block.body, file: rel(block.file), id,
    label: `${id} [${inst.label}]`,
    get: (name) => attr(tree, inst, block.body, name),
    policy: (name) => policyValue(tree, inst, block.body, name),
    value: (raw, scope) => tree.eval.value(raw, inst, scope || new Map()),
    sub: (name) => subBlocks(tree, inst, block.body, name),
    expand: () => expand(tree, inst, block),
  });
  return ctx;
}

/**
 * A policy argument: its value, or for a heredoc/string template of JSON
 * (policy = <<EOF {...${aws_sqs_queue.q.arn}...} EOF) the parsed JSON with
 * each interpolation substituted — known values as themselves, references as
 * "ref:<path>" (never "*"). An interpolation that is neither leaves the
 * Unknown, so the policy fails as not statically known.
 */
export function policyValue(tree, inst, body, name) {
  const v = attr(tree, inst, body, name);
  const raw = body && body[name];
  if (!(v instanceof Unknown) || typeof raw !== 'string' || !raw.trim().startsWith('{')) return v;
  const parts = splitTemplate(raw);
  if (!parts) return v;
  let text = '';
  for (const p of parts) {
    if (p.lit !== undefined) { text += p.lit; continue; }
    const x = tree.eval.expr(p.expr, inst, new Map(), 0);
    if (isRef(x)) text += `ref:${x.path}`;
    else if (isKnown(x) && (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) text += String(x);
    else return v;
  }
  try { return JSON.parse(text); } catch { return v; }
}

/**
 * The instances count/for_each makes of a block: [{ key, get(name), problem }].
 * An unknowable for_each gives one entry with a problem (fail closed).
 */
export function expand(tree, inst, block) {
  const body = block.body;
  const mk = (key, scope) => ({ key, get: (n) => (body[n] === undefined ? undefined : tree.eval.value(body[n], inst, scope)) });
  if (body.for_each !== undefined) {
    const fe = tree.eval.value(body.for_each, inst);
    if (Array.isArray(fe)) return fe.map((k) => mk(k, new Map([['each', { key: k, value: k }]])));
    if (isObj(fe)) return Object.keys(fe).sort().map((k) => mk(k, new Map([['each', { key: k, value: fe[k] }]])));
    return [{ key: '?', get: () => new Unknown('for_each'), problem: `for_each is ${show(fe)}: not statically known` }];
  }
  if (body.count !== undefined) {
    const c = tree.eval.value(body.count, inst);
    if (typeof c !== 'number') return [{ key: '?', get: () => new Unknown('count'), problem: `count is ${show(c)}: not statically known` }];
    return Array.from({ length: c }, (_, i) => mk(i, new Map([['count', { index: i }]])));
  }
  return [mk(null, new Map())];
}

/**
 * Nested blocks by name: plain blocks, and each instance of a dynamic block's
 * content. A dynamic instance carries its iterator in a non-enumerable
 * __scope (pass it to value()); an unknowable for_each yields one instance
 * whose iterator is Unknown, so its settings fail closed.
 */
export function subBlocks(tree, inst, body, name, scope = new Map()) {
  const out = [];
  const raw = body && body[name];
  // __origin: the source block, shared by every instance of a dynamic block.
  const withScope = (b, sc) => {
    const o = { ...b };
    Object.defineProperty(o, '__scope', { value: sc, enumerable: false });
    Object.defineProperty(o, '__origin', { value: b, enumerable: false });
    return o;
  };
  if (Array.isArray(raw)) {
    for (const b of raw) if (b && typeof b === 'object') out.push(withScope(b, scope));
  } else if (typeof raw === 'string') {
    const v = tree.eval.value(raw, inst, scope);
    if (Array.isArray(v)) out.push(...v.filter((x) => x && typeof x === 'object'));
  }
  const dyn = body && body.dynamic && body.dynamic[name];
  for (const d of dyn || []) {
    const iter = typeof d.iterator === 'string' ? d.iterator : name;
    const fe = d.for_each === undefined ? new Unknown('for_each') : tree.eval.value(d.for_each, inst, scope);
    let items;
    if (Array.isArray(fe)) items = fe.map((v, k) => [k, v]);
    else if (isObj(fe)) items = Object.keys(fe).sort().map((k) => [k, fe[k]]);
    else items = [[new Unknown('key'), new Unknown(`${iter}.value`, 'dynamic block over an unknown collection')]];
    for (const [key, value] of items) {
      const sc = new Map(scope);
      sc.set(iter, { key, value });
      for (const c of d.content || []) out.push(withScope(c, sc));
    }
  }
  return out;
}

/** 'terraform-aws-modules/vpc/aws//modules/vpc-endpoints' → 'vpc-endpoints'. */
export function registryName(source) {
  if (typeof source !== 'string' || isLocalSource(source)) return null;
  const m = /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/([^/]+)\/aws(?:\/\/modules\/([^/?]+))?/.exec(source);
  if (!m) return null;
  return m[2] || m[1];
}

/** A short printable form of an evaluated value for messages. */
export function show(v) {
  if (v === undefined) return 'unset';
  if (v instanceof Unknown) return `unknown (${v.text})`;
  if (isRef(v)) return v.path;
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export { isKnown, isObj, isRef };
