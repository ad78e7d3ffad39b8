// Terraform's side of the cross-tool invariants, read from terraform/*.tf with @cdktf/hcl2json
// (pinned in tools/): the defaults the stage compositions start from, and the SSM parameter names
// terraform/ssm.tf writes. A missing value is an error: the invariant can no longer be checked.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

async function parseTf(root, rel) {
  const require = createRequire(path.join(root, 'tools', 'package.json'));
  const { parse } = require('@cdktf/hcl2json');
  return parse(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
}

function variableDefault(doc, name, rel) {
  const v = ((doc.variable || {})[name] || [])[0];
  if (!v || typeof v.default !== 'number') throw new Error(`${rel}: no numeric default for variable ${name}`);
  return v.default;
}

// Whether the root passes `input` to module `name` (then the module's own default does not apply).
function rootPasses(doc, name, input) {
  const m = ((doc.module || {})[name] || [])[0] || {};
  return Object.prototype.hasOwnProperty.call(m, input);
}

export async function readTerraform(root) {
  const vars = await parseTf(root, 'terraform/variables.tf');
  const main = await parseTf(root, 'terraform/main.tf');
  const dbVars = await parseTf(root, 'terraform/modules/database/variables.tf');
  const ssm = await parseTf(root, 'terraform/ssm.tf');
  const signing = await parseTf(root, 'terraform/modules/ci/signing.tf');
  if (rootPasses(main, 'database', 'proxy_max_connections_percent')) {
    throw new Error('terraform/main.tf now sets proxy_max_connections_percent: read it from there');
  }
  const regions = {};
  for (const stage of ['dev', 'prod']) {
    const rel = `terraform/environments/${stage}/terraform.tfvars`;
    const region = (await parseTf(root, rel)).region;
    if (typeof region !== 'string') throw new Error(`${rel}: no region`);
    regions[stage] = region;
  }
  const observability = await parseTf(root, 'terraform/modules/observability/main.tf');
  const lambdaKey = ((observability.module || {}).lambda_key || [])[0] || {};
  // "arn:...:log-group:/aws/api-gateway/${var.name}*" -> "/aws/api-gateway/${var.name}*"
  const keyLogGroups = (lambdaKey.log_group_arns || []).map((a) => String(a).split(':log-group:')[1]).filter(Boolean);
  if (keyLogGroups.length === 0) throw new Error('terraform/modules/observability/main.tf: lambda_key has no log_group_arns');
  // The alarms on the functions' own EMF metrics name this namespace and Service dimension.
  const locals = Object.assign({}, ...(main.locals || []));
  for (const k of ['service', 'metrics_namespace']) {
    if (typeof locals[k] !== 'string' || locals[k].includes('${')) throw new Error(`terraform/main.tf: no literal local.${k}`);
  }
  return {
    regions,
    service: locals.service,
    metricsNamespace: locals.metrics_namespace,
    keyLogGroups,
    proxyBorrowTimeoutS: variableDefault(vars, 'proxy_borrow_timeout_seconds', 'terraform/variables.tf'),
    workerTimeoutS: variableDefault(vars, 'worker_timeout_seconds', 'terraform/variables.tf'),
    apiTimeoutS: variableDefault(vars, 'api_timeout_seconds', 'terraform/variables.tf'),
    proxyMaxConnectionsPercent: variableDefault(dbVars, 'proxy_max_connections_percent',
      'terraform/modules/database/variables.tf'),
    ssmNames: new Set([...ssmNames(ssm), ...signingSsmNames(signing)]),
  };
}

// The parameter names relative to /orders/<stage>/: the keys of local.ssm_strings plus every
// aws_ssm_parameter whose name is written out as "${local.ssm_prefix}/<name>".
function ssmNames(doc) {
  const names = new Set();
  for (const block of doc.locals || []) {
    for (const key of Object.keys(block.ssm_strings || {})) names.add(key);
  }
  for (const list of Object.values((doc.resource || {}).aws_ssm_parameter || {})) {
    for (const r of list) {
      // "${local.ssm_prefix}/${each.key}" is the for_each over ssm_strings, counted above.
      const m = /^\$\{local\.ssm_prefix\}\/([^$]+)$/.exec(String(r.name));
      if (m) names.add(m[1]);
    }
  }
  if (names.size === 0) throw new Error('terraform/ssm.tf: no SSM parameter names found');
  return names;
}

// The code signing parameters terraform/modules/ci/signing.tf writes: the keys of the for_each map
// of aws_ssm_parameter.signing, named "/orders/${var.stage}/${each.key}".
function signingSsmNames(doc) {
  const names = [];
  for (const r of ((doc.resource || {}).aws_ssm_parameter || {}).signing || []) {
    if (String(r.name) !== '/orders/${var.stage}/${each.key}') continue;
    const forEach = r.for_each;
    names.push(...Object.keys(Array.isArray(forEach) ? forEach[0] || {} : forEach || {}));
  }
  if (names.length === 0) throw new Error('terraform/modules/ci/signing.tf: no SSM parameter names found');
  return names;
}
