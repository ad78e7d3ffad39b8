// IAM rights over IAM roles: no statement of a role's policies may let it change (or pass, or
// read) itself or any other role this composition creates. A deploy role allowed
// iam:PutRolePolicy on role/orders-dev-* could rewrite its own policy, and the proxy's, the
// flow-log and the API Gateway logging roles'. Resources are compared as ARN patterns; parts
// known only after apply (partition, account id) match anything, so the check can only err
// towards failing; a resource that cannot be written out at all fails.
import { verdict } from '../lib/result.mjs';
import { policyStatements, refersTo, isRef, show } from '../lib/policy.mjs';
import { symbolic } from '../lib/eval.mjs';

const esc = (s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** An IAM pattern (*, ?, ⟨reference⟩) as a RegExp; a reference matches anything but a role name it is not. */
function patternRegExp(text) {
  let re = '';
  for (const part of text.split(/(⟨[^⟩]*⟩)/)) {
    if (part.startsWith('⟨')) re += '.*';
    else re += esc(part).replace(/\*/g, '.*').replace(/\?/g, '.');
  }
  return new RegExp(`^${re}$`);
}

// An action that is, or (as a pattern) may be, an IAM action; an unknown one counts (fail closed).
const isIamAction = (a) => typeof a !== 'string' || /^iam:/i.test(a) || (/[*?]/.test(a) && patternRegExp(a.toLowerCase()).test('iam:putrolepolicy'));

/** Roles of one composition: [{ t, arn }] with the ARN written out, or a problem. */
function roles(ctx, root) {
  const inRoot = (inst) => { let i = inst; while (i.parent) i = i.parent; return i === root; };
  return ctx.blocks('resource', 'aws_iam_role').filter((t) => inRoot(t.inst)).map((t) => {
    const name = t.get('name');
    const prefix = t.get('name_prefix');
    const p = t.get('path');
    const rolePath = p === undefined || p === null ? '/' : p;
    let nameText = typeof name === 'string' ? name : null;
    if (nameText === null && typeof prefix === 'string') nameText = `${prefix}*`;
    return { t, name: nameText, arn: nameText && typeof rolePath === 'string' ? `arn:aws:iam::000000000000:role${rolePath}${nameText}` : null };
  });
}

/** Policy values attached to role t: role policies, inline policies, attached aws_iam_policy. */
function policiesOf(ctx, t) {
  const id = `aws_iam_role.${t.block.name}`;
  const same = (types) => ctx.blocks('resource', types).filter((c) => c.inst === t.inst);
  const out = same('aws_iam_role_policy').filter((c) => refersTo(c.get('role'), id)).map((c) => c.policy('policy'));
  for (const ip of t.sub('inline_policy')) out.push(t.value(ip.policy));
  for (const a of same('aws_iam_role_policy_attachment').filter((c) => refersTo(c.get('role'), id))) {
    const arn = a.get('policy_arn');
    const pol = isRef(arn) && same('aws_iam_policy').find((p) => refersTo(arn, `aws_iam_policy.${p.block.name}`));
    if (pol) out.push(pol.policy('policy'));
  }
  return out;
}

/** Problems of role r's statements against every role of the composition. */
function roleProblems(ctx, r, all) {
  const problems = [];
  for (const v of policiesOf(ctx, r.t)) {
    const { statements, problem } = policyStatements(ctx, v);
    if (problem) { problems.push(problem); continue; }
    for (const s of statements) {
      if (s.effect !== 'Allow') continue;
      const iam = [...s.actions, ...(s.notActions.length ? ['(NotAction)'] : [])].filter((a) => s.notActions.length || isIamAction(a));
      if (!iam.length) continue;
      const resources = s.notResources.length ? ['*'] : s.resources;
      for (const res of resources) {
        // A reference to a role's own attribute names exactly that role.
        if (isRef(res) && /^aws_iam_role\.[^.]+\.(arn|name|id|unique_id)$/.test(res.path)) {
          const target = all.find((o) => o.t.inst === res.inst && refersTo(res, `aws_iam_role.${o.t.block.name}`));
          if (target) problems.push(`${iam.join(", ")} on ${res.path} matches role ${target.name}${target === r ? ' (itself)' : ''}`);
          continue;
        }
        const text = symbolic(res);
        if (text === null) { problems.push(`${iam.map(show).join(', ')} on ${show(res)}: resource not statically known`); continue; }
        const re = patternRegExp(text);
        for (const o of all) {
          if (o.arn === null) { problems.push(`role ${o.t.label} has no name known before apply to compare with`); continue; }
          if (re.test(o.arn) || (o.arn.includes('*') && patternRegExp(o.arn).test(text))) {
            problems.push(`${iam.join(', ')} on ${text.replace(/⟨[^⟩]*⟩/g, '…')} matches role ${o.name}${o === r ? ' (itself)' : ''}`);
          }
        }
      }
    }
  }
  return [...new Set(problems)];
}

export const iamNoRoleEscalation = {
  name: 'iam_no_role_escalation', ids: ['IAM.ESCALATION'],
  run(ctx) {
    const res = [];
    for (const root of ctx.instances().filter((i) => !i.parent)) {
      const all = roles(ctx, root);
      for (const r of all) {
        const p = roleProblems(ctx, r, all);
        res.push(verdict(r.t, p.length ? `${p.join('; ')}: IAM rights must name other roles exactly (or by a path of their own)` : null));
      }
    }
    return res;
  },
};

export default [iamNoRoleEscalation];
