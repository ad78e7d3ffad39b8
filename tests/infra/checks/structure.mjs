// Structural checks, the part `terraform validate` would do: every file
// parses, every reference names a declaration, every module call passes
// names its module declares, every variable and output is documented.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitTemplate } from '../lib/eval.mjs';
import { META_ARGS, calleeDir, isLocalSource } from '../lib/model.mjs';
import { registryName } from '../lib/context.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MODULE_INPUTS_DIR = path.resolve(here, '../module-inputs');
// Output names of the pinned releases (from each release's outputs.tf), for module.X.Y references.
export const MODULE_OUTPUTS_DIR = path.resolve(here, '../module-outputs');

const ok = (file, target) => ({ ok: true, file, target });
const bad = (file, target, message) => ({ ok: false, file, target, message });

export const tfParse = {
  name: 'tf_parse', ids: ['TF.PARSE'],
  run(ctx) {
    const errs = new Map(ctx.tree.parseErrors.map((e) => [e.file, e.message]));
    return ctx.tree.files.map((f) => (errs.has(f)
      ? bad(ctx.rel(f), path.basename(f), `does not parse: ${errs.get(f)}`)
      : ok(ctx.rel(f), path.basename(f))));
  },
};

// Roots that need no declaration in the module.
const BUILTIN_ROOTS = new Set(['each', 'count', 'self', 'path', 'terraform']);

/** Traversals (arrays of segments) referenced by an hcl2json value. */
export function traversals(raw, asts, out = []) {
  if (typeof raw === 'string') {
    if (!raw.includes('${')) return out;
    for (const p of splitTemplate(raw) || []) {
      if (p.expr === undefined) continue;
      const e = asts.get(p.expr);
      if (e && e.ast) walk(e.ast, new Set(), out);
      else out.push({ unparsed: p.expr });
    }
  } else if (Array.isArray(raw)) raw.forEach((r) => traversals(r, asts, out));
  else if (raw && typeof raw === 'object') Object.values(raw).forEach((r) => traversals(r, asts, out));
  return out;
}

function walk(n, bound, out) {
  if (!n) return;
  if (n.type === 'scopeTraversal') {
    const t = (n.meta && n.meta.traversal) || [];
    if (t.length && !bound.has(t[0].segment)) out.push({ segs: t.map((s) => s.segment), text: n.meta.value });
    return;
  }
  const kids = n.children || [];
  if (n.type === 'for') {
    // The collection is outside the loop; the rest sees the loop variables.
    walk(kids[0], bound, out);
    const inner = new Set([...bound, n.meta.keyVar, n.meta.valVar].filter(Boolean));
    kids.slice(1).forEach((k) => walk(k, inner, out));
    return;
  }
  kids.forEach((k) => walk(k, bound, out));
}

function hasBlock(list, type, name) {
  return list.some((b) => b.type === type && b.name === name);
}

function unresolved(tree, mod, seg, allowedRoots) {
  const [root, a, b] = seg;
  if (BUILTIN_ROOTS.has(root) || allowedRoots.has(root)) return null;
  if (root === 'var') return mod.variables.has(a) ? null : `var.${a} is not declared`;
  if (root === 'local') return mod.locals.has(a) ? null : `local.${a} is not declared`;
  if (root === 'module') {
    const call = mod.modules.get(a);
    if (!call) return `module.${a} is not declared`;
    const dir = calleeDir(mod, call);
    const callee = dir && tree.dirs.get(dir);
    // module.x[0].out and module.x["k"].out name the output after the index.
    const out = b !== undefined && /^(\d+|".*")$/.test(b) ? seg[3] : b;
    if (callee && out !== undefined && !callee.outputs.has(out)) return `module.${a}.${out}: ${path.basename(dir)} has no output ${out}`;
    const reg = !dir && registryName(call.body.source);
    if (reg && out !== undefined) {
      const m = /^\s*=?\s*v?(\d+\.\d+\.\d+)\s*$/.exec(String(call.body.version || ''));
      const outputs = m && registryList(MODULE_OUTPUTS_DIR, reg, m[1]);
      if (!outputs) return `module.${a}.${out}: no output list for ${reg}@v${m ? m[1] : '?'} in module-outputs/`;
      if (!outputs.has(out)) return `module.${a}.${out}: ${reg}@v${m[1]} has no output ${out}`;
    }
    return null;
  }
  if (root === 'data') return hasBlock(mod.data, a, b) ? null : `data.${a}.${b} is not declared`;
  if (a === undefined) return `${root} is not a valid reference`;
  return hasBlock(mod.resources, root, a) ? null : `${root}.${a} is not declared`;
}

// Attributes whose expressions are not value references: provider
// configurations, a variable's type constraint, lifecycle.ignore_changes
// (attribute names); preconditions and replace_triggered_by are checked.
const SKIP_KEYS = new Set(['provider', 'providers']);

function referenceBody(id, raw) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out = {};
  for (const [k, v] of Object.entries(raw)) {
    if (SKIP_KEYS.has(k) || (k === 'type' && id.startsWith('variable.'))) continue;
    out[k] = k === 'lifecycle' && Array.isArray(v)
      ? v.map((l) => (l && typeof l === 'object' ? Object.fromEntries(Object.entries(l).filter(([n]) => n !== 'ignore_changes')) : l))
      : v;
  }
  return out;
}

function dynamicIterators(raw, out = new Set()) {
  if (Array.isArray(raw)) raw.forEach((r) => dynamicIterators(r, out));
  else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'dynamic' && v && typeof v === 'object') {
        for (const [name, ds] of Object.entries(v)) {
          out.add(name);
          for (const d of [].concat(ds)) if (d && typeof d.iterator === 'string') out.add(d.iterator);
        }
      }
      dynamicIterators(v, out);
    }
  }
  return out;
}

function declarations(mod) {
  const out = [];
  for (const v of mod.variables.values()) out.push({ id: `variable.${v.name}`, file: v.file, raw: v.body });
  for (const l of mod.locals.values()) out.push({ id: `local.${l.name}`, file: l.file, raw: l.raw });
  for (const o of mod.outputs.values()) out.push({ id: `output.${o.name}`, file: o.file, raw: o.body });
  for (const m of mod.modules.values()) out.push({ id: `module.${m.name}`, file: m.file, raw: m.body });
  for (const r of mod.resources) out.push({ id: `${r.type}.${r.name}`, file: r.file, raw: r.body });
  for (const d of mod.data) out.push({ id: `data.${d.type}.${d.name}`, file: d.file, raw: d.body });
  for (const p of mod.providers) out.push({ id: `provider.${p.name}${p.body.alias ? `.${p.body.alias}` : ''}`, file: p.file, raw: p.body });
  return out;
}

export const tfReferences = {
  name: 'tf_references', ids: ['TF.REFERENCES'],
  run(ctx) {
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      for (const d of declarations(mod)) {
        const raw = referenceBody(d.id, d.raw);
        const iters = dynamicIterators(raw);
        const problems = new Set();
        for (const t of traversals(raw, ctx.tree.asts)) {
          const p = t.unparsed !== undefined ? `expression does not parse: ${t.unparsed}` : unresolved(ctx.tree, mod, t.segs, iters);
          if (p) problems.add(p);
        }
        res.push(problems.size ? bad(ctx.rel(d.file), d.id, [...problems].join('; ')) : ok(ctx.rel(d.file), d.id));
      }
      for (const d of mod.duplicates) res.push(bad(ctx.rel(d.file), d.id, 'declared more than once in this module'));
      // Terraform only warns about an undeclared name in tfvars: a typo would
      // silently drop the setting (say, deletion protection), so it fails here.
      if (mod.tfvars) {
        const unknown = Object.keys(mod.tfvars.values).filter((k) => !mod.variables.has(k));
        const f = ctx.rel(mod.tfvars.file);
        res.push(unknown.length ? bad(f, 'terraform.tfvars', `sets undeclared variable(s) ${unknown.join(', ')}`) : ok(f, 'terraform.tfvars'));
      }
    }
    return res;
  },
};

/** Names listed for a registry module release (one a line), or null when there is no list. */
function registryList(dir, name, version) {
  const f = path.join(dir, `${name}@v${version}.txt`);
  if (!fs.existsSync(f)) return null;
  return new Set(fs.readFileSync(f, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean));
}

/** Input names of a registry module release, or null when there is no list. */
export function registryInputs(name, version, dir = MODULE_INPUTS_DIR) {
  return registryList(dir, name, version);
}

function checkLocalCall(tree, mod, call) {
  const dir = calleeDir(mod, call);
  const callee = tree.dirs.get(dir);
  if (!callee) return [`source ${call.body.source} is not a directory with .tf files`];
  const args = Object.keys(call.body).filter((k) => !META_ARGS.has(k));
  const problems = args.filter((a) => !callee.variables.has(a)).map((a) => `passes ${a}, which ${call.body.source} does not declare`);
  for (const v of callee.variables.values()) {
    if (!Object.prototype.hasOwnProperty.call(v.body, 'default') && !args.includes(v.name)) problems.push(`does not pass required variable ${v.name}`);
  }
  return problems;
}

function checkRegistryCall(call, name, inputsDir) {
  const ver = call.body.version;
  if (typeof ver !== 'string') return ['registry module without a pinned version'];
  const m = /^\s*=?\s*v?(\d+\.\d+\.\d+)\s*$/.exec(ver);
  if (!m) return [`version "${ver}" is not an exact pin`];
  const inputs = registryInputs(name, m[1], inputsDir);
  if (!inputs) return [`no input list for ${name}@v${m[1]} (not a vetted release)`];
  return Object.keys(call.body).filter((k) => !META_ARGS.has(k) && !inputs.has(k))
    .map((k) => `passes ${k}, which ${name}@v${m[1]} does not declare`);
}

export const tfModuleInputs = {
  name: 'tf_module_inputs', ids: ['TF.MODULE_INPUTS'],
  run(ctx) {
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      for (const call of mod.modules.values()) {
        const src = call.body.source;
        const name = registryName(src);
        let problems;
        if (isLocalSource(src)) problems = checkLocalCall(ctx.tree, mod, call);
        else if (name) problems = checkRegistryCall(call, name, ctx.moduleInputsDir || MODULE_INPUTS_DIR);
        else problems = [`source ${JSON.stringify(src)} is neither a project module nor terraform-aws-modules`];
        const id = `module.${call.name}`;
        res.push(problems.length ? bad(ctx.rel(call.file), id, problems.join('; ')) : ok(ctx.rel(call.file), id));
      }
    }
    return res;
  },
};

// Names that hold a CIDR or one of a fixed set of words need a validation block.
const NEEDS_VALIDATION = /cidr|^(stage|environment|log_level)$|_(mode|tier|class)$/;

const nonEmpty = (s) => typeof s === 'string' && s.trim() !== '';

export const tfDocumented = {
  name: 'tf_documented', ids: ['TF.DOCUMENTED'],
  run(ctx) {
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      for (const v of mod.variables.values()) {
        const p = [];
        if (!nonEmpty(v.body.description)) p.push('no description');
        if (v.body.type === undefined) p.push('no type');
        if (NEEDS_VALIDATION.test(v.name) && !(v.body.validation || []).length) p.push('CIDR/enum variable without validation');
        res.push(p.length ? bad(ctx.rel(v.file), `variable.${v.name}`, p.join('; ')) : ok(ctx.rel(v.file), `variable.${v.name}`));
      }
      for (const o of mod.outputs.values()) {
        const id = `output.${o.name}`;
        res.push(nonEmpty(o.body.description) ? ok(ctx.rel(o.file), id) : bad(ctx.rel(o.file), id, 'no description'));
      }
    }
    return res;
  },
};

// Names that hold credentials (STYLE: no secret in tfvars or outputs; IAC-RULES 8).
const SECRET_NAME = /(^|_)(password|passwd|secret|token|private_key|access_key|secret_key|api_key)(_value)?$/i;

export const tfNoPlainSecrets = {
  name: 'tf_no_plain_secrets', ids: ['TF.SECRETS', 'RDS.24', 'F34'],
  run(ctx) {
    const res = [];
    for (const mod of ctx.tree.dirs.values()) {
      for (const v of [...mod.variables.values(), ...mod.outputs.values()]) {
        if (!SECRET_NAME.test(v.name)) continue;
        const kind = mod.variables.get(v.name) === v ? 'variable' : 'output';
        const id = `${kind}.${v.name}`;
        res.push(v.body.sensitive === true ? ok(ctx.rel(v.file), id) : bad(ctx.rel(v.file), id, 'credential-like name without sensitive = true'));
      }
      if (mod.tfvars) {
        const f = ctx.rel(mod.tfvars.file);
        const set = Object.keys(mod.tfvars.values).filter((k) => SECRET_NAME.test(k));
        res.push(set.length ? bad(f, 'terraform.tfvars', `sets credential-like variable(s) ${set.join(', ')}: secrets stay out of tfvars`) : ok(f, 'terraform.tfvars'));
      }
    }
    return res;
  },
};

export default [tfParse, tfReferences, tfModuleInputs, tfDocumented, tfNoPlainSecrets];
