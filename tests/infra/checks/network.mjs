// Network (IAC-RULES.md 41-42): security groups, the default group, flow
// logs, public IPs. Rules are read from inline blocks, aws_security_group_rule,
// the aws_vpc_security_group_{ingress,egress}_rule resources (each for_each
// instance on its own) and the arguments of the vpc and vpc-endpoints modules.
import { all, verdict } from '../lib/result.mjs';
import { companions, mustBeTrue, mustNotBeTrue, show, isKnown, isObj, arr } from '../lib/policy.mjs';

const OPEN = new Set(['0.0.0.0/0', '::/0']);

/** Problem for a list of CIDRs that might be open to the internet. */
function openCidr(values, what) {
  for (const v of values) {
    if (v === undefined || v === null) continue;
    if (!isKnown(v)) return `${what} ${show(v)} is not statically known`;
    for (const c of arr(v)) {
      if (!isKnown(c)) return `${what} ${show(c)} is not statically known`;
      if (OPEN.has(c)) return `${what} ${c}`;
    }
  }
  return null;
}

/** Every rule with its direction: [{ dir, where, get(name) }] for a target. */
function rulesOf(t) {
  const out = [];
  const type = t.block.type || '';
  if (type === 'aws_security_group') {
    for (const dir of ['ingress', 'egress']) {
      t.sub(dir).forEach((b, i) => out.push({ dir, where: `${dir}[${i}]`, get: (n) => (b[n] === undefined ? undefined : t.value(b[n], b.__scope)) }));
    }
  } else if (type === 'aws_security_group_rule' || type.startsWith('aws_vpc_security_group_')) {
    for (const e of t.expand()) {
      const dir = type === 'aws_security_group_rule' ? e.get('type') : (type.endsWith('ingress_rule') ? 'ingress' : 'egress');
      out.push({ dir, where: e.key === null ? 'rule' : `[${JSON.stringify(e.key)}]`, get: e.get, problem: e.problem });
    }
  } else if (t.block.kind === 'module') {
    const pairs = [['default_security_group_ingress', 'ingress'], ['default_security_group_egress', 'egress'], ['security_group_rules', null]];
    for (const [arg, fixed] of pairs) {
      const v = t.get(arg);
      if (v === undefined || v === null) continue;
      const list = Array.isArray(v) ? v.map((x, i) => [i, x]) : isObj(v) ? Object.entries(v) : null;
      if (!list) { out.push({ dir: 'ingress', where: arg, problem: `${arg} is ${show(v)}: not statically known`, get: () => undefined }); continue; }
      for (const [k, r] of list) {
        const get = (n) => (isObj(r) ? r[n] : undefined);
        out.push({ dir: fixed || get('type') || 'ingress', where: `${arg}[${JSON.stringify(k)}]`, get });
      }
    }
  }
  return out;
}

const ruleTargets = (ctx) => [
  ...ctx.blocks('resource', ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule']),
  ...ctx.registryCalls('vpc'), ...ctx.registryCalls('vpc-endpoints'),
];

const cidrs = (r) => [r.get('cidr_blocks'), r.get('ipv6_cidr_blocks'), r.get('cidr_ipv4'), r.get('cidr_ipv6')];

export const sgNoOpenIngress = {
  name: 'sg_no_open_ingress', ids: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'CKV_AWS_277', 'EC2.18', 'EC2.19'],
  run: (ctx) => ruleTargets(ctx).map((t) => all(t, rulesOf(t).map((r) => {
    if (r.problem) return r.problem;
    if (!isKnown(r.dir)) return `${r.where}: direction ${show(r.dir)} not statically known`;
    if (r.dir !== 'ingress') return null;
    const p = openCidr(cidrs(r), 'ingress from');
    return p && `${r.where}: ${p} (the design needs no internet ingress)`;
  }))),
};

export const sgRestrictedEgress = {
  name: 'sg_restricted_egress', ids: ['CKV_AWS_382'],
  run: (ctx) => ruleTargets(ctx).map((t) => all(t, rulesOf(t).map((r) => {
    if (r.problem || r.dir !== 'egress') return r.problem || null;
    const p = openCidr(cidrs(r), 'egress to');
    return p && `${r.where}: ${p} (no NAT: egress goes to named groups and endpoints only)`;
  }))),
};

const DEFAULT_DESCRIPTION = 'Managed by Terraform';
const described = (d) => typeof d === 'string' && d.trim() !== '' && d !== DEFAULT_DESCRIPTION;

export const sgDescriptions = {
  name: 'sg_descriptions', ids: ['CKV_AWS_23'],
  run: (ctx) => ruleTargets(ctx).filter((t) => t.block.kind !== 'module').map((t) => {
    const p = [];
    if (t.block.type === 'aws_security_group' && !described(t.get('description'))) p.push(`description is ${show(t.get('description'))}`);
    for (const r of rulesOf(t)) if (!r.problem && !described(r.get('description'))) p.push(`${r.where} has no description`);
    return all(t, p);
  }),
};

const vpcs = (ctx) => [...ctx.blocks('resource', 'aws_vpc'), ...ctx.registryCalls('vpc')];

function isEmptyList(v) {
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

export const vpcDefaultSgClosed = {
  name: 'vpc_default_sg_closed', ids: ['CKV2_AWS_12', 'EC2.2'],
  run: (ctx) => vpcs(ctx).map((t) => {
    if (t.block.kind === 'module') {
      return all(t, [
        mustBeTrue(t.get('manage_default_security_group'), 'manage_default_security_group'),
        isEmptyList(t.get('default_security_group_ingress')) ? null : 'default_security_group_ingress is not empty',
        isEmptyList(t.get('default_security_group_egress')) ? null : 'default_security_group_egress is not empty',
      ]);
    }
    const d = companions(ctx, t, 'aws_default_security_group', 'vpc_id')[0];
    if (!d) return verdict(t, 'no aws_default_security_group adopting the default group');
    return verdict(t, d.sub('ingress').length || d.sub('egress').length ? 'the default security group has rules' : null);
  }),
};

export const vpcFlowLogs = {
  name: 'vpc_flow_logs', ids: ['CKV2_AWS_11', 'EC2.6'],
  run: (ctx) => vpcs(ctx).map((t) => {
    if (t.block.kind === 'module') return verdict(t, mustBeTrue(t.get('enable_flow_log'), 'enable_flow_log'));
    return verdict(t, companions(ctx, t, 'aws_flow_log', 'vpc_id').length ? null : 'no aws_flow_log for this VPC');
  }),
};

export const subnetNoPublicIp = {
  name: 'subnet_no_public_ip', ids: ['EC2.15'],
  run: (ctx) => [...ctx.blocks('resource', 'aws_subnet'), ...ctx.registryCalls('vpc')]
    .map((t) => verdict(t, mustNotBeTrue(t.get('map_public_ip_on_launch'), 'map_public_ip_on_launch'))),
};

export default [sgNoOpenIngress, sgRestrictedEgress, sgDescriptions, vpcDefaultSgClosed, vpcFlowLogs, subnetNoPublicIp];
