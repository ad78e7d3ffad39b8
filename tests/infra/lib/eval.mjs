// A small evaluator for the subset of Terraform expressions that decides
// security settings: literals, objects, tuples, references, arithmetic,
// comparisons, conditionals and the common pure functions. Anything it cannot
// decide becomes an Unknown (or a Ref to a resource attribute), and the policy
// checks treat an undecidable security setting as a failure (fail closed).

/** A value that cannot be known without planning. */
export class Unknown {
  // partial: a template with literal text around the unknown parts (an ARN
  // built from data sources), which can never be a bare "*".
  // sym: for a template whose unknown parts are all references, its text with
  // each reference written as ⟨path⟩ (an ARN built from data sources), so that
  // a pattern can still be compared with names; null when a part is not a reference.
  constructor(text, why, partial = false, sym = null) {
    this.text = text; this.why = why || 'not statically known'; this.partial = partial; this.sym = sym;
  }
  toString() { return `<unknown ${this.text}>`; }
}

/** A reference to something only apply knows (a resource attribute, a data
 * source, a registry module output); its path says what it points at. */
export class Ref {
  // inst: the module instance the reference was written in, so that a
  // data.aws_iam_policy_document.x.json can be looked up where it lives.
  constructor(path, inst) {
    this.path = path;
    Object.defineProperty(this, 'inst', { value: inst, enumerable: false });
  }
  toString() { return this.path; }
}

export const isUnknown = (v) => v instanceof Unknown;
export const isRef = (v) => v instanceof Ref;
export const isKnown = (v) => !(v instanceof Unknown) && !(v instanceof Ref);
export const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && isKnown(v);

// Bounds against hostile input: deep nesting or self-referencing locals.
const MAX_DEPTH = 64;

/**
 * Split an hcl2json string into literal and ${…} parts. Returns null for
 * template directives (%{…}) or unbalanced braces: such strings stay Unknown.
 */
export function splitTemplate(s) {
  const parts = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$${', i)) { lit += '${'; i += 3; continue; }
    if (s.startsWith('%%{', i)) { lit += '%{'; i += 3; continue; }
    if (s.startsWith('%{', i)) return null;
    if (s.startsWith('${', i)) {
      const end = matchInterp(s, i + 2);
      if (end < 0) return null;
      if (lit) parts.push({ lit });
      lit = '';
      parts.push({ expr: s.slice(i + 2, end).replace(/^~|~$/g, '').trim() });
      i = end + 1;
      continue;
    }
    lit += s[i];
    i += 1;
  }
  if (lit || parts.length === 0) parts.push({ lit });
  return parts;
}

function matchInterp(s, k) {
  let depth = 1;
  while (k < s.length) {
    const c = s[k];
    if (c === '"') { k = skipString(s, k + 1); if (k < 0) return -1; }
    else if (c === '{') depth += 1;
    else if (c === '}') { depth -= 1; if (depth === 0) return k; }
    k += 1;
  }
  return -1;
}

function skipString(s, k) {
  while (k < s.length) {
    const c = s[k];
    if (c === '\\') k += 2;
    else if (c === '"') return k;
    else if (s.startsWith('${', k)) { const e = matchInterp(s, k + 2); if (e < 0) return -1; k = e + 1; }
    else k += 1;
  }
  return -1;
}

/** Every ${…} expression text inside a parsed document (for pre-parsing). */
export function collectExpressions(raw, out) {
  if (typeof raw === 'string') {
    if (raw.includes('${')) for (const p of splitTemplate(raw) || []) if (p.expr !== undefined) out.add(p.expr);
  } else if (Array.isArray(raw)) raw.forEach((r) => collectExpressions(r, out));
  else if (raw && typeof raw === 'object') Object.values(raw).forEach((r) => collectExpressions(r, out));
  return out;
}

/**
 * The evaluation context: asts (Map expr → { ast, buf }), and a resolver
 * resolve(root, segments, scope) → value for var/local/module/… roots.
 */
export class Evaluator {
  // strict: a conditional on an unknown is unknown even when both sides agree
  // (what Terraform does when it plans).
  constructor(asts, resolver, { strict = false } = {}) { this.asts = asts; this.resolver = resolver; this.strict = strict; }

  /** Evaluate an hcl2json value (string, array, object) in inst. */
  value(raw, inst, scope = new Map(), depth = 0) {
    if (depth > MAX_DEPTH) return new Unknown('…', 'nested too deeply');
    if (typeof raw === 'string') return this.string(raw, inst, scope, depth);
    if (Array.isArray(raw)) return raw.map((r) => this.value(r, inst, scope, depth + 1));
    if (raw && typeof raw === 'object') {
      const o = {};
      for (const [k, v] of Object.entries(raw)) o[k] = this.value(v, inst, scope, depth + 1);
      return o;
    }
    return raw;
  }

  string(s, inst, scope, depth) {
    if (!s.includes('${') && !s.includes('%{')) return s.replace(/\$\$\{/g, '${');
    const parts = splitTemplate(s);
    if (!parts) return new Unknown(s, 'template directive');
    if (parts.length === 1 && parts[0].expr !== undefined) return this.expr(parts[0].expr, inst, scope, depth);
    const partial = parts.some((p) => p.lit);
    return template(parts.map((p) => (p.lit !== undefined ? p.lit : this.expr(p.expr, inst, scope, depth))), s, partial);
  }

  expr(text, inst, scope, depth) {
    const entry = this.asts.get(text);
    if (!entry || !entry.ast) return new Unknown(text, 'expression did not parse');
    return this.node(entry.ast, entry.buf, inst, scope, depth + 1);
  }

  node(n, buf, inst, scope, depth) {
    if (depth > MAX_DEPTH) return new Unknown('…', 'nested too deeply');
    const kids = n.children || [];
    const ev = (c) => this.node(c, buf, inst, scope, depth + 1);
    const meta = n.meta || {};
    switch (n.type) {
      case 'literalValue': return literal(meta);
      case 'templateWrap': return kids.length ? ev(kids[0]) : new Unknown(meta.value);
      case 'template': return template(kids.map(ev), meta.value, kids.some((k) => k.type === 'literalValue' && k.meta && k.meta.value));
      case 'tuple': return kids.map(ev);
      case 'object': return this.object(kids, buf, inst, scope, depth);
      case 'scopeTraversal': return this.traverse(meta.traversal || [], inst, scope, meta.value);
      case 'relativeTraversal': return applySegments(kids.length ? ev(kids[0]) : new Unknown(meta.value), meta.traversal || []);
      case 'index': return index(ev(kids[0]), ev(kids[1]), meta.value);
      case 'function': return callFunction(meta.name, kids.map(ev), meta.value);
      case 'binaryOp': return binary(meta.operator, ev(kids[0]), ev(kids[1]), meta.value);
      case 'unaryOp': return unary(meta.operator, ev(kids[0]), meta.value);
      case 'conditional': {
        const c = ev(kids[0]);
        if (this.strict && typeof c !== 'boolean') return new Unknown(meta.value, 'conditional on an unknown value');
        return conditional(c, () => ev(kids[1]), () => ev(kids[2]), meta.value);
      }
      case 'for': return this.forExpr(n, buf, inst, scope, depth);
      case '': return kids.length ? ev(kids[kids.length - 1]) : new Unknown('?');
      default: return new Unknown(meta.value || n.type, `${n.type} expression`);
    }
  }

  /** [for k, v in coll : value if cond] and { for … : key => value if cond }. */
  forExpr(n, buf, inst, scope, depth) {
    const m = n.meta;
    const kids = n.children || [];
    if (m.groupedValue) return new Unknown(m.value, 'grouped for expression');
    const isObject = m.openRangeValue === '{';
    let i = 1;
    const keyNode = isObject ? kids[i++] : null;
    const valNode = kids[i++];
    const condNode = m.conditionalExpression ? kids[i++] : null;
    const coll = this.node(kids[0], buf, inst, scope, depth + 1);
    if (!isKnown(coll) || coll === null || typeof coll !== 'object') return new Unknown(m.value);
    const entries = Array.isArray(coll) ? coll.map((v, k) => [k, v]) : Object.keys(coll).sort().map((k) => [k, coll[k]]);
    const out = isObject ? {} : [];
    for (const [k, v] of entries) {
      const sc = new Map(scope);
      if (m.keyVar) sc.set(m.keyVar, k);
      sc.set(m.valVar, v);
      const ev = (c) => this.node(c, buf, inst, sc, depth + 1);
      if (condNode) {
        const c = ev(condNode);
        if (c === false) continue;
        if (c !== true) return new Unknown(m.value, 'for condition not statically known');
      }
      if (isObject) {
        const key = ev(keyNode);
        if (!isKnown(key) || typeof key === 'object') return new Unknown(m.value, 'computed key');
        out[String(key)] = ev(valNode);
      } else out.push(ev(valNode));
    }
    return out;
  }

  object(kids, buf, inst, scope, depth) {
    const o = {};
    for (let i = 0; i + 1 < kids.length; i += 2) {
      const keyNode = kids[i];
      let key;
      if (keyNode.children && keyNode.children.length) key = this.node(keyNode, buf, inst, scope, depth + 1);
      else key = buf.subarray(keyNode.range.start.byte, keyNode.range.end.byte).toString('utf8');
      if (!isKnown(key) || typeof key === 'object') return new Unknown('{…}', 'computed object key');
      o[String(key)] = this.node(kids[i + 1], buf, inst, scope, depth + 1);
    }
    return o;
  }

  traverse(trav, inst, scope, text) {
    if (!trav.length) return new Unknown(text);
    const root = trav[0].segment;
    if (scope.has(root)) return applySegments(scope.get(root), trav.slice(1));
    return this.resolver(root, trav, inst, text);
  }
}

function literal(meta) {
  if (meta.type === 'number') return Number(meta.value);
  if (meta.type === 'bool') return meta.value === 'true';
  if (meta.type === 'string') return meta.value;
  if (meta.value === 'null') return null;
  return new Unknown(meta.value);
}

function template(vals, text, partial) {
  let out = '';
  let sym = '';
  let known = true;
  for (const v of vals) {
    if (v instanceof Ref) { known = false; if (sym !== null) sym += `⟨${v.path}⟩`; continue; }
    if (v instanceof Unknown) { known = false; sym = sym !== null && v.sym !== null ? sym + v.sym : null; continue; }
    if (v !== null && typeof v === 'object') return new Unknown(text, 'template with unknown parts', partial);
    out += v === null ? '' : String(v);
    if (sym !== null) sym += v === null ? '' : String(v);
  }
  return known ? out : new Unknown(text, 'template with unknown parts', partial, sym);
}

/** The text of a value with references as ⟨path⟩ (see Unknown.sym), or null. */
export function symbolic(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Ref) return `⟨${v.path}⟩`;
  if (v instanceof Unknown) return v.sym;
  return null;
}

export function segmentKey(seg) {
  if (seg.type !== 'indexTraversal') return seg.segment;
  try { return JSON.parse(seg.segment); } catch { return seg.segment; }
}

/** Follow .attr and [index] steps into a value; Refs grow their path. */
export function applySegments(v, segs) {
  for (const seg of segs) {
    const k = segmentKey(seg);
    if (v instanceof Ref) { v = new Ref(`${v.path}.${k}`, v.inst); continue; }
    v = index(v, k, String(k));
    if (v instanceof Unknown) return v;
  }
  return v;
}

function index(coll, key, text) {
  if (coll instanceof Ref) return new Ref(`${coll.path}.${isKnown(key) ? key : '*'}`, coll.inst);
  if (!isKnown(coll) || !isKnown(key) || coll === null) return new Unknown(text);
  if (Array.isArray(coll) && Number.isInteger(Number(key))) return Number(key) < coll.length ? coll[Number(key)] : new Unknown(text, 'index out of range');
  if (typeof coll === 'object' && Object.prototype.hasOwnProperty.call(coll, key)) return coll[key];
  return new Unknown(text, `no attribute ${key}`);
}

const NUM_OPS = {
  add: (a, b) => a + b, subtract: (a, b) => a - b, multiply: (a, b) => a * b,
  divide: (a, b) => a / b, modulo: (a, b) => a % b,
  lessThan: (a, b) => a < b, lessThanOrEqual: (a, b) => a <= b,
  greaterThan: (a, b) => a > b, greaterThanOrEqual: (a, b) => a >= b,
};

function binary(op, a, b, text) {
  // A reference to a resource attribute or module output is taken as
  // non-null, the usual `var.key_arn != null ? … : …` idiom for optional keys.
  if ((op === 'equal' || op === 'notEqual') && ((a instanceof Ref && b === null) || (b instanceof Ref && a === null))) return op === 'notEqual';
  if (op === 'logicalAnd' && (a === false || b === false)) return false;
  if (op === 'logicalOr' && (a === true || b === true)) return true;
  if (!isKnown(a) || !isKnown(b)) return new Unknown(text);
  if (op === 'equal') return deepEqual(a, b);
  if (op === 'notEqual') return !deepEqual(a, b);
  if (op === 'logicalAnd') return a === true && b === true;
  if (op === 'logicalOr') return a === true || b === true;
  const na = Number(a);
  const nb = Number(b);
  if (NUM_OPS[op] && !Number.isNaN(na) && !Number.isNaN(nb)) return NUM_OPS[op](na, nb);
  return new Unknown(text);
}

function unary(op, v, text) {
  if (!isKnown(v)) return new Unknown(text);
  if (op === 'negate' && typeof v === 'number') return -v;
  if (op === 'logicalNot' && typeof v === 'boolean') return !v;
  return new Unknown(text);
}

function conditional(c, t, f, text) {
  if (c === true) return t();
  if (c === false) return f();
  // Undecided condition: the result is known only when both sides agree.
  const a = t();
  const b = f();
  return isKnown(a) && isKnown(b) && deepEqual(a, b) ? a : new Unknown(text, 'conditional on an unknown value');
}

export function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const allKnown = (args) => args.every((a) => isKnown(a));

// Pure functions whose result matters to settings; others give Unknown.
const FUNCTIONS = {
  jsonencode: (a) => a[0],
  jsondecode: (a) => { try { return JSON.parse(a[0]); } catch { return undefined; } },
  tolist: (a) => a[0], toset: (a) => a[0], tomap: (a) => a[0], tostring: (a) => String(a[0]),
  tonumber: (a) => Number(a[0]),
  tobool: (a) => (a[0] === 'true' ? true : a[0] === 'false' ? false : typeof a[0] === 'boolean' ? a[0] : undefined),
  merge: (a) => Object.assign({}, ...a),
  concat: (a) => [].concat(...a),
  flatten: (a) => a[0].flat(Infinity),
  max: (a) => Math.max(...a.flat()), min: (a) => Math.min(...a.flat()),
  length: (a) => (Array.isArray(a[0]) ? a[0].length : Object.keys(a[0]).length),
  lower: (a) => String(a[0]).toLowerCase(), upper: (a) => String(a[0]).toUpperCase(),
  join: (a) => a[1].join(a[0]),
  distinct: (a) => [...new Set(a[0])],
  compact: (a) => a[0].filter((x) => x !== null && x !== ''),
  contains: (a) => a[0].some((x) => deepEqual(x, a[1])),
  keys: (a) => Object.keys(a[0]).sort(), values: (a) => Object.keys(a[0]).sort().map((k) => a[0][k]),
  abs: (a) => Math.abs(a[0]), ceil: (a) => Math.ceil(a[0]), floor: (a) => Math.floor(a[0]),
};

function callFunction(name, args, text) {
  if (name === 'coalesce') {
    for (const a of args) { if (!isKnown(a)) return new Unknown(text); if (a !== null && a !== '') return a; }
    return new Unknown(text);
  }
  if (name === 'try') {
    const first = args.find((a) => !(a instanceof Unknown));
    return first === undefined ? new Unknown(text) : first;
  }
  if (name === 'lookup') {
    if (!isKnown(args[0]) || !isKnown(args[1])) return new Unknown(text);
    if (isObj(args[0]) && Object.prototype.hasOwnProperty.call(args[0], args[1])) return args[0][args[1]];
    return args.length > 2 ? args[2] : new Unknown(text);
  }
  // jsonencode keeps references symbolic so that policy documents built from
  // resource ARNs can still be inspected statement by statement.
  if (name === 'jsonencode') return args[0];
  const fn = FUNCTIONS[name];
  if (!fn || !allKnown(args)) return new Unknown(text);
  try {
    const r = fn(args);
    return r === undefined || Number.isNaN(r) ? new Unknown(text) : r;
  } catch {
    return new Unknown(text);
  }
}
