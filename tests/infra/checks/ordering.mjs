// Ordering Terraform cannot infer: CloudTrail and the Config delivery channel check at creation
// that the bucket policy lets them write, but they name the bucket only (its name or id), which
// orders them after the bucket and not after its policy. On a first apply they may come first
// and fail. They must depend on the policy: depends_on naming the aws_s3_bucket_policy, or the
// module call that holds it.
import { all } from '../lib/result.mjs';
import { isRef, show } from '../lib/policy.mjs';

// Delivery resources and the argument naming their bucket.
const DELIVERIES = { aws_cloudtrail: 's3_bucket_name', aws_config_delivery_channel: 's3_bucket_name' };

/** Names in depends_on: ["module.x", "aws_s3_bucket_policy.y", …]. */
function dependsOn(body) {
  return [].concat(body.depends_on || []).map((d) => String(d).replace(/^\$\{|\}$/g, '').replace(/\[[^\]]*\]/g, '').trim());
}

/** True when inst is the instance made by call name under parent, or below it. */
function within(inst, parent, name) {
  for (let i = inst; i && i.parent; i = i.parent) if (i.parent === parent && i.call && i.call.name === name) return true;
  return false;
}

export const deliveryAfterBucketPolicy = {
  name: 'delivery_after_bucket_policy', ids: ['TF.DEPENDS_ON'],
  run: (ctx) => ctx.blocks('resource', Object.keys(DELIVERIES)).map((t) => {
    const arg = DELIVERIES[t.block.type];
    const v = t.get(arg);
    if (typeof v === 'string') return all(t, []); // a bucket of another stack: nothing to order here
    const m = isRef(v) && /^aws_s3_bucket\.([^.]+)\.(id|bucket)$/.exec(v.path);
    if (!m) return all(t, [`${arg} is ${show(v)}: cannot tell which bucket (and policy) it delivers to`]);
    const policies = ctx.blocks('resource', 'aws_s3_bucket_policy').filter((p) => {
      const b = p.get('bucket');
      return p.inst === v.inst && isRef(b) && /^aws_s3_bucket\.([^.]+)\./.exec(b.path)?.[1] === m[1];
    });
    if (!policies.length) return all(t, [`the bucket it delivers to (${v.path}) has no aws_s3_bucket_policy letting it write`]);
    const deps = dependsOn(t.body);
    const covered = policies.some((p) => deps.some((d) => {
      if (p.inst === t.inst && d === `aws_s3_bucket_policy.${p.block.name}`) return true;
      const mod = /^module\.([^.]+)$/.exec(d);
      return mod && within(p.inst, t.inst, mod[1]);
    }));
    return all(t, [covered ? null : `names the bucket (${arg}) but does not depend on its policy (${policies[0].label}): add depends_on = [${p0(policies[0], t)}]`]);
  }),
};

// What to write in depends_on: the policy itself, or the module call below t that holds it.
function p0(p, t) {
  if (p.inst === t.inst) return `aws_s3_bucket_policy.${p.block.name}`;
  let i = p.inst;
  while (i.parent && i.parent !== t.inst) i = i.parent;
  return i.call ? `module.${i.call.name}` : p.label;
}

export default [deliveryAfterBucketPolicy];
