// Edge (IAC-RULES.md 35, 36, 43, 44): the WAF web ACL and its logging, the
// API custom domain's TLS policy, Route 53 query logging, ACM certificates.
// The web ACL's association with the REST API stage is made by serverless.yml
// (DECIDED), so CKV2_AWS_29 itself is enforced by tests/infra/serverless; here
// the ACL must exist in every composition that has an API custom domain.
import { all, verdict } from '../lib/result.mjs';
import { companions, show } from '../lib/policy.mjs';

// DESIGN: 2000 requests per 5 minutes per IP.
export const RATE_LIMIT_MAX = 2000;
const MANAGED_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];

const first = (v) => (Array.isArray(v) ? v[0] : undefined);

/** Problems of one web ACL's rules. */
function aclProblems(t) {
  const p = [];
  if (t.get('scope') !== 'REGIONAL') p.push(`scope is ${show(t.get('scope'))}, must be "REGIONAL" for a REST API stage`);
  const rules = t.sub('rule');
  const stmt = (r) => first(r.statement) || {};
  const rate = rules.find((r) => first(stmt(r).rate_based_statement));
  if (!rate) p.push('no rate-based rule');
  else {
    const rb = first(stmt(rate).rate_based_statement);
    const limit = t.value(rb.limit);
    const key = rb.aggregate_key_type === undefined ? 'IP' : t.value(rb.aggregate_key_type);
    const window = rb.evaluation_window_sec === undefined ? 300 : t.value(rb.evaluation_window_sec);
    if (typeof limit !== 'number' || limit > RATE_LIMIT_MAX) p.push(`rate limit is ${show(limit)}, must be at most ${RATE_LIMIT_MAX}`);
    if (key !== 'IP') p.push(`rate rule aggregates by ${show(key)}, must be "IP"`);
    if (window !== 300) p.push(`rate rule window is ${show(window)} s, must be 300`);
    if (!first(first(rate.action) && first(rate.action).block)) p.push('rate rule does not block');
  }
  for (const name of MANAGED_GROUPS) {
    const r = rules.find((x) => {
      const m = first(stmt(x).managed_rule_group_statement);
      return m && t.value(m.name) === name && t.value(m.vendor_name) === 'AWS';
    });
    if (!r) { p.push(`no rule with managed group ${name}`); continue; }
    const ov = first(r.override_action);
    if (!ov || !first(ov.none)) p.push(`${name} does not use override_action none (count mode lets attacks through)`);
  }
  return p;
}

const rootOf = (inst) => { let i = inst; while (i.parent) i = i.parent; return i; };

export const wafWebAcl = {
  name: 'waf_web_acl', ids: ['CKV2_AWS_29', 'APIGateway.4', 'CKV_AWS_192'],
  run: (ctx) => {
    const acls = ctx.blocks('resource', 'aws_wafv2_web_acl');
    const res = acls.map((t) => all(t, aclProblems(t)));
    for (const d of ctx.blocks('resource', ['aws_api_gateway_domain_name', 'aws_api_gateway_rest_api'])) {
      const root = rootOf(d.inst);
      const has = acls.some((a) => rootOf(a.inst) === root && a.get('scope') === 'REGIONAL');
      res.push(verdict(d, has ? null : 'no REGIONAL aws_wafv2_web_acl in this composition for the API'));
    }
    return res;
  },
};

export const wafLogging = {
  name: 'waf_logging', ids: ['CKV2_AWS_31'],
  run: (ctx) => ctx.blocks('resource', 'aws_wafv2_web_acl').map((t) => {
    const l = companions(ctx, t, 'aws_wafv2_web_acl_logging_configuration', 'resource_arn')[0];
    if (!l) return verdict(t, 'no aws_wafv2_web_acl_logging_configuration');
    const dest = l.get('log_destination_configs');
    return verdict(t, Array.isArray(dest) && dest.length ? null : `log_destination_configs is ${show(dest)}`);
  }),
};

const TLS_OK = /^(TLS_1_2|SecurityPolicy_TLS13_.*|SecurityPolicy_TLS12_.*)$/;

export const apiDomainTls = {
  name: 'api_domain_tls', ids: ['CKV_AWS_206', 'W62'],
  run: (ctx) => [
    ...ctx.blocks('resource', 'aws_api_gateway_domain_name').map((t) => {
      const sp = t.get('security_policy');
      return verdict(t, typeof sp === 'string' && TLS_OK.test(sp) ? null : `security_policy is ${show(sp)}, must be "TLS_1_2"`);
    }),
    ...ctx.blocks('resource', 'aws_apigatewayv2_domain_name').map((t) => {
      const cfg = t.sub('domain_name_configuration')[0];
      const sp = cfg && t.value(cfg.security_policy);
      return verdict(t, sp === 'TLS_1_2' ? null : `domain_name_configuration.security_policy is ${show(sp)}, must be "TLS_1_2"`);
    }),
  ],
};

export const route53QueryLogging = {
  name: 'route53_query_logging', ids: ['CKV2_AWS_39'],
  run: (ctx) => ctx.blocks('resource', 'aws_route53_zone')
    .filter((t) => t.sub('vpc').length === 0 && t.expand().length > 0)
    .map((t) => verdict(t, companions(ctx, t, 'aws_route53_query_log', 'zone_id').length ? null : 'public zone without aws_route53_query_log')),
};

export const acmCertificate = {
  name: 'acm_certificate', ids: ['CKV_AWS_233', 'CKV_AWS_234', 'ACM.1', 'ACM.2'],
  run: (ctx) => [
    ...ctx.blocks('resource', 'aws_acm_certificate').map((t) => {
      const lc = t.sub('lifecycle')[0] || {};
      const opts = t.sub('options')[0] || {};
      const ct = opts.certificate_transparency_logging_preference === undefined ? 'ENABLED' : t.value(opts.certificate_transparency_logging_preference);
      return all(t, [
        lc.create_before_destroy === true ? null : 'lifecycle.create_before_destroy is not true',
        ct === 'ENABLED' ? null : `certificate_transparency_logging_preference is ${show(ct)}`,
        t.get('validation_method') === 'DNS' ? null : `validation_method is ${show(t.get('validation_method'))}, must be "DNS" (automatic renewal)`,
        keyProblem(t.get('key_algorithm')),
      ]);
    }),
    ...ctx.registryCalls('acm').map((t) => {
      const ct = t.get('certificate_transparency_logging_preference');
      return all(t, [
        ct === undefined || ct === true ? null : `certificate_transparency_logging_preference is ${show(ct)}`,
        t.get('validation_method') === 'DNS' ? null : `validation_method is ${show(t.get('validation_method'))}, must be "DNS" (automatic renewal)`,
        keyProblem(t.get('key_algorithm')),
      ]);
    }),
  ],
};

function keyProblem(k) {
  if (k === undefined) return null;
  return typeof k === 'string' && /^(RSA_(2048|3072|4096)|EC_(prime256v1|secp384r1|secp521r1))$/.test(k) ? null : `key_algorithm is ${show(k)}: RSA below 2048 bits is rejected (ACM.2)`;
}

export default [wafWebAcl, wafLogging, apiDomainTls, route53QueryLogging, acmCertificate];
