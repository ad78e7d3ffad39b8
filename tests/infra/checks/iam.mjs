// IAM policy documents (IAC-RULES.md 45, and the wildcard parts of 15, 21, 23).
// A "*" action or resource in an Allow statement fails unless the line that
// writes it carries `# iac-allow: <rule id> <reason>` (on the line or just
// above): the reason says why AWS allows nothing narrower. Each wildcard needs
// its own annotated line, and a wildcard that arrives through a variable
// cannot be annotated, so it fails.
import { all, verdict } from '../lib/result.mjs';
import { policyStatements, documentStatements, show, isRef, arr, Unknown } from '../lib/policy.mjs';

// Resources whose arguments hold a policy document (JSON or a data source ref).
const POLICY_ARGS = {
  aws_iam_policy: 'policy', aws_iam_role_policy: 'policy', aws_iam_group_policy: 'policy', aws_iam_user_policy: 'policy',
  aws_kms_key: 'policy', aws_kms_key_policy: 'policy', aws_s3_bucket_policy: 'policy', aws_sqs_queue_policy: 'policy',
  aws_sns_topic_policy: 'policy', aws_sns_topic: 'policy', aws_secretsmanager_secret_policy: 'policy',
  aws_cloudwatch_log_resource_policy: 'policy_document', aws_ssm_parameter: null,
};

const isWildAction = (a) => typeof a === 'string' && (a === '*' || /^[\w-]+:\*$/.test(a) || a === '*:*');

/** Wildcard findings of Allow statements: [{ token, what }]. */
export function wildcards(statements) {
  const out = [];
  statements.forEach((s, i) => {
    if (s.effect !== 'Allow') return;
    // Instances of one dynamic statement share their origin, and so one annotated line.
    const origin = s.origin || i;
    const add = (token, what) => out.push({ token, what, origin });
    for (const a of s.actions) {
      if (typeof a !== 'string') add(null, `action ${show(a)} not statically known`);
      else if (isWildAction(a)) add(`"${a}"`, `action ${a}`);
    }
    if (s.notActions.length) add('not_actions', 'Allow with NotAction');
    for (const r of s.resources) {
      if (r === '*') add('"*"', 'resource *');
      else if (typeof r !== 'string' && !isRef(r) && !(r instanceof Unknown && r.partial)) add(null, `resource ${show(r)} not statically known`);
    }
  });
  return out;
}

/**
 * Wildcards not covered by annotated lines of the block holding them: each
 * (statement, token) needs its own line with that token under an iac-allow.
 */
function unallowed(ctx, check, block, found) {
  const span = ctx.span(block);
  if (!span) return found;
  const text = (ctx.tree.texts.get(block.file) || '').split('\n');
  const lines = [...new Set(ctx.allowsIn(span.file, span.from, span.to, check.ids).map((a) => a.line))];
  const budget = new Map();
  for (const n of lines) {
    // Only the code on the line counts: a reason that quotes "*" is not a wildcard.
    const code = (text[n - 1] || '').replace(/\s*(#|\/\/).*$/, '');
    for (const token of new Set(found.map((f) => f.token).filter(Boolean))) {
      if (code.includes(token)) budget.set(token, (budget.get(token) || 0) + 1);
    }
  }
  const groups = new Map();
  for (const f of found) {
    const key = f.token ? `${f.token}` : null;
    if (!key) continue;
    if (!groups.has(key)) groups.set(key, new Set());
    groups.get(key).add(f.origin);
  }
  const ok = new Set();
  for (const [token, origins] of groups) if ((budget.get(token) || 0) >= origins.size) ok.add(token);
  return found.filter((f) => !f.token || !ok.has(f.token));
}

function describe(list) {
  return `${list.map((f) => f.what).join(', ')} (annotate each with # iac-allow: <rule id> <why nothing narrower exists>)`;
}

export const iamNoWildcards = {
  name: 'iam_no_wildcards', ids: ['CKV_AWS_355', 'CKV_AWS_62', 'CKV_AWS_63', 'IAM.1', 'IAM.21', 'F2', 'F3', 'F6'],
  lineAllow: true,
  run(ctx) {
    const res = [];
    for (const t of ctx.blocks('data', 'aws_iam_policy_document')) {
      const bad = unallowed(ctx, this, t.block, wildcards(documentStatements(ctx.tree, t.inst, t.block)));
      res.push(verdict(t, bad.length ? describe(bad) : null));
    }
    for (const t of ctx.blocks('resource', Object.keys(POLICY_ARGS).filter((k) => POLICY_ARGS[k]))) {
      const v = t.policy(POLICY_ARGS[t.block.type]);
      // References to policy documents are checked at the data source; absent policies elsewhere.
      if (v === undefined || v === null || isRef(v)) continue;
      const { statements, problem } = policyStatements(ctx, v);
      if (problem) { res.push(verdict(t, problem)); continue; }
      const bad = unallowed(ctx, this, t.block, wildcards(statements));
      res.push(verdict(t, bad.length ? describe(bad) : null));
    }
    for (const t of ctx.blocks('resource', 'aws_iam_role')) {
      for (const ip of t.sub('inline_policy')) {
        const { statements, problem } = policyStatements(ctx, t.value(ip.policy));
        const bad = problem ? [{ what: problem }] : unallowed(ctx, this, t.block, wildcards(statements));
        res.push(verdict(t, bad.length ? `inline_policy: ${describe(bad)}` : null));
      }
    }
    return res;
  },
};

// GitHub's OIDC issuer: a trust on it must pin the repository (and branch or environment).
const OIDC_SUB = /:sub$/;

function trustProblems(statements) {
  const p = [];
  for (const s of statements.filter((x) => x.effect === 'Allow')) {
    if (!s.principals.length) p.push('Allow statement without a principal');
    for (const pr of s.principals) {
      for (const id of pr.identifiers) {
        if (id === '*') p.push(`principal ${pr.type} "*"`);
        else if (typeof id !== 'string' && !isRef(id)) p.push(`principal ${show(id)} not statically known`);
      }
      if (pr.type === 'Federated') {
        const sub = s.conditions.filter((c) => typeof c.variable === 'string' && OIDC_SUB.test(c.variable));
        const aud = s.conditions.some((c) => typeof c.variable === 'string' && /:aud$/.test(c.variable));
        if (!sub.length) p.push('federated trust without a :sub condition');
        for (const c of sub) {
          for (const v of c.values) {
            if (typeof v !== 'string' || /^\*$|^repo:\*|^repo:[^/]+\/\*$/.test(v)) p.push(`:sub condition ${show(v)} does not name one repository`);
          }
        }
        if (!aud) p.push('federated trust without an :aud condition');
      }
    }
  }
  return p;
}

export const iamTrustNamed = {
  name: 'iam_trust_named', ids: ['CKV_AWS_60', 'CKV_AWS_61', 'IAM.TRUST'],
  run: (ctx) => ctx.blocks('resource', 'aws_iam_role').map((t) => {
    const { statements, problem } = policyStatements(ctx, t.policy('assume_role_policy'));
    return all(t, problem ? [problem] : trustProblems(statements));
  }),
};

// AWS managed policies that amount to administrator rights.
const ADMIN_POLICY = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
const ATTACHMENTS = ['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment'];

function adminProblem(v) {
  const text = typeof v === 'string' ? v : v instanceof Unknown ? String(v.text) : '';
  return ADMIN_POLICY.test(text) || /(AdministratorAccess|PowerUserAccess|IAMFullAccess)["}]*$/.test(text) ? `attaches ${text}` : null;
}

export const iamNoAdminPolicies = {
  name: 'iam_no_admin_policies', ids: ['CKV_AWS_274', 'IAM.1'],
  run: (ctx) => [
    ...ctx.blocks('resource', ATTACHMENTS).map((t) => verdict(t, adminProblem(t.get('policy_arn')))),
    ...ctx.blocks('resource', 'aws_iam_role').filter((t) => t.body.managed_policy_arns !== undefined)
      .map((t) => all(t, arr(t.get('managed_policy_arns')).map(adminProblem))),
  ],
};

export default [iamNoWildcards, iamTrustNamed, iamNoAdminPolicies];
