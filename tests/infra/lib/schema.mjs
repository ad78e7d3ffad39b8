// The AWS provider's schema, offline: @cdktf/provider-aws (pinned in tools/) is generated from
// one hashicorp/aws release and ships its jsii assembly (.jsii), which describes every resource
// and data source: the config interface (arguments and nested blocks, optional or required) and
// the class getters (every attribute a reference may read, computed ones included). The
// assembly is large (about 130 MB), so it is read once per process and only when a check asks.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SOURCE_ROOT } from './hcl.mjs';

const PKG = '@cdktf/provider-aws';
let cached = null;

/** Directory of the installed package, or null. */
export function providerPackageDir() {
  try {
    const req = createRequire(path.join(SOURCE_ROOT, 'tools/package.json'));
    return path.dirname(req.resolve(`${PKG}/package.json`));
  } catch {
    return null;
  }
}

const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

// The Terraform name of a property: the anchor of its registry link (#name), else snake case.
function tfName(p) {
  const docs = `${(p.docs && p.docs.summary) || ''} ${(p.docs && p.docs.remarks) || ''}`;
  const m = /#([a-z0-9_]+) [A-Z]/.exec(docs);
  return m ? m[1] : snake(p.name);
}

/** The interface fqn a property's type names (direct, array of, or in a union), or null. */
function blockFqn(type, types) {
  if (!type) return null;
  if (type.fqn && types[type.fqn] && types[type.fqn].kind === 'interface' && types[type.fqn].datatype) return type.fqn;
  if (type.collection) return blockFqn(type.collection.elementtype, types);
  if (type.union) for (const t of type.union.types) { const f = blockFqn(t, types); if (f) return f; }
  return null;
}

/**
 * A block schema from a config (or nested block) interface:
 * { attributes: Map(name → { required }), blocks: Map(name → { required, list, schema() }) }.
 */
function blockSchema(types, fqn, memo) {
  if (memo.has(fqn)) return memo.get(fqn);
  const out = { attributes: new Map(), blocks: new Map() };
  memo.set(fqn, out);
  for (const p of (types[fqn] && types[fqn].properties) || []) {
    const name = tfName(p);
    const nested = blockFqn(p.type, types);
    if (nested) {
      out.blocks.set(name, {
        required: !p.optional,
        list: !!(p.type.collection || (p.type.union && p.type.union.types.some((t) => t.collection))),
        get schema() { return blockSchema(types, nested, memo); },
      });
    } else out.attributes.set(name, { required: !p.optional });
  }
  return out;
}

/** Attributes a reference may read from a class (its getters, snake-cased), nested by getter type. */
function readable(types, fqn, memo) {
  if (memo.has(fqn)) return memo.get(fqn);
  const out = new Map();
  memo.set(fqn, out);
  const t = types[fqn];
  for (const p of (t && t.properties) || []) {
    if (p.static || /Input$/.test(p.name) || p.name === 'internalValue') continue;
    const ref = p.type && p.type.fqn && types[p.type.fqn];
    let inner = null;
    if (ref && ref.kind === 'class') {
      // A list or map of nested objects: its get(i) returns the element's reference class.
      const get = (ref.methods || []).find((m) => m.name === 'get');
      inner = get && get.returns && get.returns.type && get.returns.type.fqn ? get.returns.type.fqn : p.type.fqn;
    }
    out.set(snake(p.name), inner ? { get nested() { return readable(types, inner, memo); } } : { nested: null });
  }
  return out;
}

function load() {
  const dir = providerPackageDir();
  if (!dir) return { error: `${PKG} is not installed in tools/ (run scripts/deps)` };
  const file = path.join(dir, '.jsii');
  let jsii;
  try {
    jsii = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { error: `cannot read ${file}: ${e.message}` };
  }
  const types = jsii.types || {};
  const resource = new Map();
  const data = new Map();
  let providerVersion = null;
  for (const t of Object.values(types)) {
    if (t.kind !== 'class' || !['cdktf.TerraformResource', 'cdktf.TerraformDataSource'].includes(t.base)) continue;
    // "Represents a {@link https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/x aws_x}."
    const m = /providers\/hashicorp\/aws\/([^/]+)\/docs\/(resources|data-sources)\/\S+ ([a-z0-9_]+)\}/.exec((t.docs && t.docs.summary) || '');
    const cfg = t.initializer && (t.initializer.parameters || []).find((p) => p.name === 'config');
    if (!m || !cfg || !cfg.type.fqn) continue;
    providerVersion = providerVersion || m[1];
    (m[2] === 'resources' ? resource : data).set(m[3], { config: cfg.type.fqn, cls: t.fqn });
  }
  const blockMemo = new Map();
  const readMemo = new Map();
  const entry = (map, type) => {
    const e = map.get(type);
    if (!e) return null;
    return { get schema() { return blockSchema(types, e.config, blockMemo); }, get attributes() { return readable(types, e.cls, readMemo); } };
  };
  return {
    version: jsii.version,
    providerVersion,
    resource: (type) => entry(resource, type),
    data: (type) => entry(data, type),
  };
}

/** The provider schema (loaded once), or { error }. */
export function providerSchema() {
  if (!cached) cached = load();
  return cached;
}
