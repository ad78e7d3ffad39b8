// The template against the CloudFormation resource specification (@aws-cdk/cfnspec, pinned in
// tools/package.json): every resource type exists, every property name (nested ones included) is
// known for its type, required properties are there; and every Ref/GetAtt/Sub names something.
import { createRequire } from 'node:module';
import path from 'node:path';
import { isIntrinsic, referencedIds } from './template.mjs';

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

let cached = null;
export function loadSpec(root) {
  if (!cached) {
    const require = createRequire(path.join(root, 'tools', 'package.json'));
    cached = require('@aws-cdk/cfnspec').specification();
  }
  return cached;
}

// Checks value against a property definition; recurses into spec'd property types.
function checkValue(spec, resType, def, value, where, out) {
  if (value == null || isIntrinsic(value) || !def) return;
  const typeName = (t) => spec.PropertyTypes[`${resType}.${t}`] || spec.PropertyTypes[t];
  if (def.Type === 'List' || def.Type === 'Map') {
    if (!def.ItemType) return;
    const items = def.Type === 'List' ? (Array.isArray(value) ? value : []) : Object.values(value);
    items.forEach((item, i) => checkObject(spec, resType, typeName(def.ItemType), item, `${where}[${i}]`, out));
  } else if (def.Type) {
    checkObject(spec, resType, typeName(def.Type), value, where, out);
  }
}

function checkObject(spec, resType, typeDef, value, where, out) {
  if (!typeDef || !typeDef.Properties || value == null || typeof value !== 'object' || isIntrinsic(value)) return;
  for (const [name, v] of Object.entries(value)) {
    const def = typeDef.Properties[name];
    if (!def) { out.push(`${where}: unknown property ${name}`); continue; }
    checkValue(spec, resType, def, v, `${where}.${name}`, out);
  }
  for (const [name, def] of Object.entries(typeDef.Properties)) {
    if (def.Required && value[name] == null) out.push(`${where}: required property ${name} missing`);
  }
}

export function specRule(root) {
  return {
    id: 'SPEC', refs: 'CloudFormation resource specification',
    title: 'resource types exist; property names known (nested too); required ones present',
    check(t) {
      const spec = loadSpec(root);
      const out = [];
      for (const [id, r] of Object.entries(t.Resources || {})) {
        const typeDef = spec.ResourceTypes[r.Type];
        if (!typeDef) { out.push(`${id}: unknown resource type ${r.Type}`); continue; }
        checkObject(spec, r.Type, typeDef, r.Properties || {}, id, out);
      }
      return out;
    },
  };
}

export const refRule = {
  id: 'REF', refs: 'template integrity',
  title: 'every Ref, GetAtt, Sub and DependsOn names a resource, parameter or pseudo parameter',
  check(t) {
    const known = new Set([...Object.keys(t.Resources || {}), ...Object.keys(t.Parameters || {}), ...PSEUDO]);
    const out = [];
    for (const [id, r] of Object.entries(t.Resources || {})) {
      for (const ref of referencedIds(r.Properties || {})) if (!known.has(ref)) out.push(`${id}: refers to unknown ${ref}`);
      for (const dep of [].concat(r.DependsOn || [])) if (!t.Resources[dep]) out.push(`${id}: depends on unknown ${dep}`);
    }
    return out;
  },
};
