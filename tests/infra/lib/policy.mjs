// Helpers shared by the policy checks: customer-managed keys, companion
// resources (an S3 bucket's versioning, a queue's policy), IAM policy
// documents in either form, and the function timeouts a composition declares.
import { Unknown, Ref, isKnown, isObj, isRef } from './eval.mjs';
import { varValue, localValue } from './model.mjs';
import { show, subBlocks } from './context.mjs';

const KEY_ARN = /^arn:aws[\w-]*:kms:[\w-]+:\d{12}:(key\/[\w-]+|alias\/(?!aws\/)[\w/_-]+)$/;

/** null when v names a customer-managed KMS key, else why not. Fail closed. */
export function customerKeyProblem(v, what) {
  if (v === undefined || v === null || v === '') return `${what} is not set (a customer-managed KMS key is required)`;
  if (isRef(v)) {
    if (/^(aws_kms_key|aws_kms_replica_key|aws_kms_external_key)\./.test(v.path)) return null;
    // A module output counts when it is named as a key (module.kms.key_arn);
    // project modules were already resolved to what their outputs hold.
    if (/^module\.[^.]+\.(.+\.)?[^.]*key[^.]*$/.test(v.path)) return null;
    if (/^data\.aws_kms_key\./.test(v.path)) {
      const name = v.path.split('.')[2];
      const d = v.inst && v.inst.mod.data.find((b) => b.type === 'aws_kms_key' && b.name === name);
      const id = d && d.body.key_id;
      return typeof id === 'string' && /alias\/aws\//.test(id) ? `${what} = ${v.path} looks up the AWS-managed ${id}` : null;
    }
    return `${what} = ${v.path} is not a KMS key`;
  }
  if (typeof v === 'string') {
    if (/alias\/aws\//.test(v)) return `${what} = ${v} is an AWS-managed key`;
    return KEY_ARN.test(v) ? null : `${what} = ${v} is not a KMS key ARN`;
  }
  return `${what} is ${show(v)}: cannot confirm a customer-managed key`;
}

export const isTrue = (v) => v === true;

/** Problem text unless v is exactly true. */
export function mustBeTrue(v, what) {
  return v === true ? null : `${what} is ${show(v)}, must be true`;
}

/** Problem text if v is true or undecidable (absent is fine: defaults false). */
export function mustNotBeTrue(v, what) {
  if (v === undefined || v === false || v === null) return null;
  return `${what} is ${show(v)}, must be false`;
}

/** The resource a Ref path points at: 'aws_s3_bucket.this.id' → 'aws_s3_bucket.this'. */
export function refTarget(v) {
  if (!isRef(v)) return null;
  const parts = v.path.split('.');
  return parts[0] === 'data' ? parts.slice(0, 3).join('.') : parts.slice(0, 2).join('.');
}

/** Resources of types in the same instance whose attribute refers to target (type.name). */
export function companions(ctx, t, types, attrName) {
  const id = `${t.block.type}.${t.block.name}`;
  return ctx.blocks('resource', types).filter((c) => c.inst === t.inst && refersTo(c.get(attrName), id));
}

export function refersTo(v, id) {
  if (isRef(v)) return refTarget(v) === id;
  if (Array.isArray(v)) return v.some((x) => refersTo(x, id));
  return false;
}

const arr = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Statements of a policy value: a jsonencode'd object, a JSON string, or a
 * reference to a data.aws_iam_policy_document. Returns { statements, problem,
 * source } where source is the block holding the document text.
 */
export function policyStatements(ctx, v, depth = 0) {
  if (depth > 8) return { statements: [], problem: 'policy documents nested too deeply' };
  const m = isRef(v) && /^data\.aws_iam_policy_document\.([^.]+)(?:\.([^.]+))?\.(?:json|minified_json)$/.exec(v.path);
  if (m) {
    const doc = v.inst && v.inst.mod.data.find((d) => d.type === 'aws_iam_policy_document' && d.name === m[1]);
    if (!doc) return { statements: [], problem: `${v.path} not found` };
    const scope = eachScope(ctx, v.inst, doc, m[2]);
    if (scope.problem) return { statements: [], problem: scope.problem };
    return documentWithSources(ctx, v.inst, doc, depth, scope.scope);
  }
  if (typeof v === 'string') {
    try { v = JSON.parse(v); } catch { return { statements: [], problem: 'policy is not JSON' }; }
  }
  if (isObj(v) && v.Statement !== undefined) {
    const st = arr(v.Statement);
    if (!st.every(isObj)) return { statements: [], problem: 'policy statements not statically known' };
    return { statements: st.map(jsonStatement) };
  }
  return { statements: [], problem: `policy is ${show(v)}: not statically known` };
}

function jsonStatement(s) {
  const principals = [];
  const p = s.Principal;
  if (p === '*') principals.push({ type: 'AWS', identifiers: ['*'] });
  else if (isObj(p)) for (const [type, ids] of Object.entries(p)) principals.push({ type, identifiers: arr(ids) });
  else if (p !== undefined) principals.push({ type: '?', identifiers: [p] });
  const conditions = [];
  if (isObj(s.Condition)) {
    for (const [test, vars] of Object.entries(s.Condition)) {
      if (isObj(vars)) for (const [variable, values] of Object.entries(vars)) conditions.push({ test, variable, values: arr(values) });
    }
  }
  return {
    effect: s.Effect, actions: arr(s.Action), notActions: arr(s.NotAction),
    resources: arr(s.Resource), notResources: arr(s.NotResource), principals,
    hasPrincipal: p !== undefined || s.NotPrincipal !== undefined, conditions,
  };
}

/**
 * A policy document with the documents it merges (source_policy_documents,
 * override_policy_documents); an unknowable merged document is a problem,
 * since it could hold anything.
 */
export function documentWithSources(ctx, inst, doc, depth = 0, scope = new Map()) {
  const statements = [];
  const problems = [];
  for (const key of ['source_policy_documents', 'override_policy_documents']) {
    const v = doc.body[key] === undefined ? undefined : ctx.tree.eval.value(doc.body[key], inst, scope);
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) { problems.push(`${key} is ${show(v)}: not statically known`); continue; }
    for (const d of v) {
      const r = policyStatements(ctx, d, depth + 1);
      statements.push(...r.statements);
      if (r.problem) problems.push(r.problem);
    }
  }
  statements.push(...documentStatements(ctx.tree, inst, doc, scope));
  return { statements, problem: problems.length ? problems.join('; ') : null, source: { inst, block: doc } };
}

/** Statements of a data "aws_iam_policy_document" block evaluated in inst. */
export function documentStatements(tree, inst, doc, scope = new Map()) {
  const at = (body, n) => (body && body[n] !== undefined ? tree.eval.value(body[n], inst, body.__scope || scope) : undefined);
  return subBlocks(tree, inst, doc.body, 'statement', scope).map((st) => {
    const get = (n) => at(st, n);
    const sc = st.__scope || scope;
    const principals = subBlocks(tree, inst, st, 'principals', sc).map((p) => ({ type: at(p, 'type'), identifiers: arr(at(p, 'identifiers')) }));
    const conditions = subBlocks(tree, inst, st, 'condition', sc).map((c) => ({ test: at(c, 'test'), variable: at(c, 'variable'), values: arr(at(c, 'values')) }));
    const effect = get('effect');
    return {
      origin: st.__origin,
      effect: effect === undefined ? 'Allow' : effect, actions: arr(get('actions')), notActions: arr(get('not_actions')),
      resources: arr(get('resources')), notResources: arr(get('not_resources')), principals,
      hasPrincipal: principals.length > 0 || subBlocks(tree, inst, st, 'not_principals', sc).length > 0, conditions,
    };
  });
}

/** each.key / each.value for one instance of a for_each block (key from a Ref path). */
export function eachScope(ctx, inst, block, key) {
  const scope = new Map();
  if (block.body.for_each === undefined) return { scope };
  const fe = ctx.tree.eval.value(block.body.for_each, inst);
  if (key === undefined) return { scope };
  if (Array.isArray(fe) && fe.includes(key)) scope.set('each', { key, value: key });
  else if (isObj(fe) && Object.prototype.hasOwnProperty.call(fe, key)) scope.set('each', { key, value: fe[key] });
  else return { problem: `for_each of ${block.type}.${block.name} is ${show(fe)}: no instance ${key}` };
  return { scope };
}

/** True when a statement denies requests that are not over TLS. */
export function isTlsDeny(s) {
  return s.effect === 'Deny' && s.conditions.some((c) => /^bool$/i.test(String(c.test))
    && c.variable === 'aws:SecureTransport' && c.values.some((x) => x === false || x === 'false'));
}

/** Wildcard principal: "*" in AWS identifiers (or a bare "*"). */
export function hasStarPrincipal(s) {
  return s.principals.some((p) => p.identifiers.some((i) => i === '*'));
}

// Names under which a composition declares its functions' timeouts.
export const WORKER_TIMEOUT = /^worker_(function_)?timeout(_seconds|_s)?$/;
export const FUNCTION_TIMEOUT = /^(api|worker|cleanup|migrate|function|lambda)_(function_)?timeout(_seconds|_s)?$/;

/**
 * Values of variables/locals whose names match re, in inst or its ancestors
 * (nearest first): [{ name, value, where }].
 */
export function declaredTimeouts(tree, inst, re) {
  const out = [];
  for (let i = inst; i; i = i.parent) {
    for (const name of i.mod.variables.keys()) if (re.test(name)) out.push({ name: `var.${name}`, value: varValue(tree, i, name), where: i.label });
    for (const name of i.mod.locals.keys()) if (re.test(name)) out.push({ name: `local.${name}`, value: localValue(tree, i, name), where: i.label });
  }
  return out;
}

export { Unknown, Ref, isKnown, isObj, isRef, arr, show };
