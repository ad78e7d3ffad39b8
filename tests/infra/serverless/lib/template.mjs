// Small helpers over a CloudFormation template (JSON, as `osls package` writes it).

export function resourcesOfType(template, type) {
  return Object.entries(template.Resources || {}).filter(([, r]) => r && r.Type === type);
}

export function props(resource) {
  return (resource && resource.Properties) || {};
}

export function asArray(value) {
  if (value == null) return [];
  return Array.isArray(value) ? value : [value];
}

// An intrinsic function ({"Ref": ...}, {"Fn::GetAtt": ...}, ...): its value is known only at deploy.
export function isIntrinsic(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

// Whether `value` mentions logical id `id` through Ref, Fn::GetAtt or an Fn::Sub ${id}/${id.Attr}.
export function refersTo(value, id) {
  if (value == null) return false;
  if (typeof value === 'string') return false;
  if (Array.isArray(value)) return value.some((v) => refersTo(v, id));
  if (typeof value !== 'object') return false;
  if (value.Ref === id) return true;
  const getAtt = value['Fn::GetAtt'];
  if (getAtt) {
    const target = Array.isArray(getAtt) ? getAtt[0] : String(getAtt).split('.')[0];
    if (target === id) return true;
  }
  const sub = value['Fn::Sub'];
  if (sub != null) {
    const text = Array.isArray(sub) ? sub[0] : sub;
    if (typeof text === 'string' && new RegExp(`\\$\\{${id}(\\.[A-Za-z]+)?\\}`).test(text)) return true;
  }
  return Object.values(value).some((v) => refersTo(v, id));
}

// Every logical id a value refers to (Ref, GetAtt, Sub), for the dangling-reference check.
export function referencedIds(value, out = new Set()) {
  if (value == null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, out));
    return out;
  }
  if (typeof value.Ref === 'string') out.add(value.Ref);
  const getAtt = value['Fn::GetAtt'];
  if (getAtt) out.add(Array.isArray(getAtt) ? getAtt[0] : String(getAtt).split('.')[0]);
  const sub = value['Fn::Sub'];
  if (sub != null) {
    const text = Array.isArray(sub) ? sub[0] : sub;
    const locals = Array.isArray(sub) && sub[1] ? Object.keys(sub[1]) : [];
    for (const m of String(text).matchAll(/\$\{([^}!]+)\}/g)) {
      const name = m[1].split('.')[0];
      if (!locals.includes(name)) out.add(name);
    }
  }
  Object.values(value).forEach((v) => referencedIds(v, out));
  return out;
}

// The text of a string or an Fn::Sub template (what an ARN will look like, variables and all).
export function arnText(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && value['Fn::Sub'] != null) {
    const sub = value['Fn::Sub'];
    return Array.isArray(sub) ? String(sub[0]) : String(sub);
  }
  return null;
}

// Lambda functions whose logical id `value` points at (FunctionName/Arn properties), directly or
// through one of their aliases (AWS::Lambda::Alias, whose Ref is the alias ARN).
export function functionIdsIn(template, value) {
  const aliases = resourcesOfType(template, 'AWS::Lambda::Alias').filter(([id]) => refersTo(value, id));
  return resourcesOfType(template, 'AWS::Lambda::Function')
    .map(([id]) => id)
    .filter((id) => refersTo(value, id) || aliases.some(([, a]) => refersTo(props(a).FunctionName, id)));
}

// The alias (logical id) of function `fnId`, or null.
export function aliasOf(template, fnId) {
  const found = resourcesOfType(template, 'AWS::Lambda::Alias').find(([, a]) => refersTo(props(a).FunctionName, fnId));
  return found ? found[0] : null;
}
