// What `terraform validate` checks against the provider's schema, done offline with the schema
// of the pinned @cdktf/provider-aws (lib/schema.mjs): every resource and data block uses only
// arguments and nested blocks its type has and sets every required one, at every nesting level
// (dynamic blocks by their content); every reference to a resource or data source attribute
// names an attribute that type has.
import { providerSchema } from '../lib/schema.mjs';
import { traversals } from './structure.mjs';

const ok = (file, target) => ({ ok: true, file, target });
const bad = (file, target, message) => ({ ok: false, file, target, message });

// Meta-arguments and meta-blocks Terraform handles itself, in resource and data blocks.
const META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'connection', 'provisioner', 'dynamic']);

// hcl2json writes blocks as a non-empty array of objects; an argument's [] or expression is not a block.
const isBlockValue = (v) => Array.isArray(v) && v.length > 0 && v.every((b) => b && typeof b === 'object' && !Array.isArray(b));

/** Problems of one block body against a block schema; where is the path for messages. */
export function bodyProblems(body, schema, where, top) {
  const p = [];
  const dyn = (body && body.dynamic) || {};
  for (const [k, v] of Object.entries(body || {})) {
    if (top && META.has(k)) continue;
    if (k === 'dynamic') continue;
    if (schema.attributes.has(k)) continue;
    const blk = schema.blocks.get(k);
    if (!blk) { p.push(`${where}: no argument or block named "${k}"`); continue; }
    if (!isBlockValue(v)) { p.push(`${where}: "${k}" is a block, written as an argument`); continue; }
    v.forEach((b) => p.push(...bodyProblems(b, blk.schema, `${where}.${k}`, false)));
  }
  for (const [k, list] of Object.entries(dyn)) {
    const blk = schema.blocks.get(k);
    if (!blk) { p.push(`${where}: dynamic "${k}": no block named "${k}"`); continue; }
    for (const d of [].concat(list)) {
      if (d.for_each === undefined) p.push(`${where}: dynamic "${k}" without for_each`);
      const content = (d && d.content) || [];
      if (!content.length) p.push(`${where}: dynamic "${k}" without content`);
      content.forEach((c) => p.push(...bodyProblems(c, blk.schema, `${where}.${k}`, false)));
    }
  }
  for (const [k, a] of schema.attributes) {
    if (a.required && !(body && Object.prototype.hasOwnProperty.call(body, k))) p.push(`${where}: required argument "${k}" is not set`);
  }
  for (const [k, b] of schema.blocks) {
    if (b.required && !(body && (body[k] !== undefined || dyn[k] !== undefined))) p.push(`${where}: required block "${k}" is missing`);
  }
  return p;
}

function blocksOf(mod) {
  return [
    ...mod.resources.map((b) => ({ b, kind: 'resource', id: `${b.type}.${b.name}` })),
    ...mod.data.map((b) => ({ b, kind: 'data', id: `data.${b.type}.${b.name}` })),
  ];
}

export const tfSchema = {
  name: 'tf_schema', ids: ['TF.SCHEMA'],
  run(ctx) {
    const s = providerSchema();
    if (s.error) return [bad('tools/package.json', '(provider schema)', s.error)];
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      for (const { b, kind, id } of blocksOf(mod)) {
        const file = ctx.rel(b.file);
        if (!b.type.startsWith('aws_')) { res.push(bad(file, id, `${b.type} is not a type of the hashicorp/aws provider (the only provider of this tree)`)); continue; }
        const entry = kind === 'data' ? s.data(b.type) : s.resource(b.type);
        if (!entry) { res.push(bad(file, id, `hashicorp/aws ${s.providerVersion} has no ${kind === 'data' ? 'data source' : 'resource type'} ${b.type}`)); continue; }
        const p = [...new Set(bodyProblems(b.body, entry.schema, id, true))];
        res.push(p.length ? bad(file, id, p.join('; ')) : ok(file, id));
      }
    }
    return res;
  },
};

// Index segments ([0], ["key"], [*]) between the parts of a traversal.
const isIndex = (seg) => /^(\d+|".*"|\*)$/.test(seg);

/** Problem of one traversal (root type name attr …) against the schema, or null. */
function referenceProblem(s, mod, segs) {
  const isData = segs[0] === 'data';
  const rest = isData ? segs.slice(1) : segs;
  const [type, name, ...after] = rest;
  if (!type || !name) return null;
  const declared = (isData ? mod.data : mod.resources).some((b) => b.type === type && b.name === name);
  if (!declared) return null; // tf_references reports it
  const entry = isData ? s.data(type) : s.resource(type);
  if (!entry) return null; // tf_schema reports it
  let attrs = entry.attributes;
  const label = `${isData ? 'data.' : ''}${type}.${name}`;
  let pathText = label;
  for (const seg of after) {
    if (isIndex(seg)) { pathText += `[${seg}]`; continue; }
    if (!attrs) return null; // a map or a primitive: its keys are data
    const a = attrs.get(seg);
    if (!a) return `${pathText}.${seg}: ${type} has no attribute "${seg}" there`;
    pathText += `.${seg}`;
    attrs = a.nested;
  }
  return null;
}

export const tfAttributeReferences = {
  name: 'tf_attribute_references', ids: ['TF.ATTRIBUTES'],
  run(ctx) {
    const s = providerSchema();
    if (s.error) return [bad('tools/package.json', '(provider schema)', s.error)];
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      const decls = [
        ...blocksOf(mod).map(({ b, id }) => ({ id, file: b.file, raw: b.body })),
        ...[...mod.locals.values()].map((l) => ({ id: `local.${l.name}`, file: l.file, raw: l.raw })),
        ...[...mod.outputs.values()].map((o) => ({ id: `output.${o.name}`, file: o.file, raw: o.body })),
        ...[...mod.modules.values()].map((m) => ({ id: `module.${m.name}`, file: m.file, raw: m.body })),
      ];
      for (const d of decls) {
        const problems = new Set();
        let refs = 0;
        for (const t of traversals(d.raw, ctx.tree.asts)) {
          if (!t.segs) continue;
          const root = t.segs[0];
          if (root !== 'data' && !mod.resources.some((r) => r.type === root)) continue;
          refs += 1;
          const p = referenceProblem(s, mod, t.segs);
          if (p) problems.add(p);
        }
        if (!refs) continue;
        const file = ctx.rel(d.file);
        res.push(problems.size ? bad(file, d.id, [...problems].join('; ')) : ok(file, d.id));
      }
    }
    return res;
  },
};

export default [tfSchema, tfAttributeReferences];
