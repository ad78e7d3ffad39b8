// packaging/infra/offline.yml stands in for the SSM parameters Terraform publishes when the stack
// is packaged without AWS. Its values must name what a deploy would name: this test derives each
// one from terraform/ itself (resource names, module inputs, the stage's terraform.tfvars), with
// the placeholder account 000000000000, so a rename on either side fails here.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadTree, varValue, localValue, attr } from '../lib/model.mjs';
import { symbolic } from '../lib/eval.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');
const yaml = createRequire(path.join(ROOT, 'tools/package.json'))('js-yaml');
const ACCOUNT = '000000000000';

function instance(tree, label) {
  const inst = tree.instances.find((i) => i.label === label);
  assert.ok(inst, `no instance ${label} in terraform/`);
  return inst;
}

/** A value as text, with the account, region and partition data sources filled in. */
function text(v, region, what) {
  const s = symbolic(v);
  assert.equal(typeof s, 'string', `${what}: not derivable from terraform/ (${String(v)})`);
  const out = s.replace(/⟨data\.aws_caller_identity\.[^.⟩]+\.account_id⟩/g, ACCOUNT)
    .replace(/⟨data\.aws_region\.[^.⟩]+\.(name|region)⟩/g, region)
    .replace(/⟨data\.aws_partition\.[^.⟩]+\.partition⟩/g, 'aws');
  assert.ok(!out.includes('⟨'), `${what}: ${out} still names something only apply knows`);
  return out;
}

function resourceArg(tree, inst, type, name, arg) {
  const b = inst.mod.resources.find((r) => r.type === type && r.name === name);
  assert.ok(b, `${type}.${name} not found in ${inst.label}`);
  return attr(tree, inst, b.body, arg);
}

async function derive(stage) {
  const tree = await loadTree(path.join(ROOT, 'terraform'));
  const env = instance(tree, `environments/${stage}`);
  const orders = instance(tree, `environments/${stage} module.orders`);
  const at = (m) => instance(tree, `environments/${stage} module.orders module.${m}`);
  const region = varValue(tree, env, 'region');
  assert.equal(typeof region, 'string');
  const t = (v, what) => text(v, region, what);
  const queue = t(resourceArg(tree, at('messaging'), 'aws_sqs_queue', 'orders', 'name'), 'queue name');
  const asyncDlq = t(resourceArg(tree, at('messaging'), 'aws_sqs_queue', 'async_failure', 'name'), 'async-failure queue name');
  const bucket = t(localValue(tree, at('storage'), 'archive_bucket_name'), 'archive bucket name');
  const db = at('database');
  const proxy = t(attr(tree, db, db.mod.modules.get('rds_proxy').body, 'name'), 'proxy name');
  const ssm = localValue(tree, orders, 'ssm_strings');
  const waf = t(resourceArg(tree, at('edge'), 'aws_wafv2_web_acl', 'this', 'name'), 'web ACL name');
  return {
    queueUrl: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${queue}`,
    queueArn: `arn:aws:sqs:${region}:${ACCOUNT}:${queue}`,
    asyncFailureDlqArn: `arn:aws:sqs:${region}:${ACCOUNT}:${asyncDlq}`,
    archiveBucketName: bucket,
    archiveBucketArn: `arn:aws:s3:::${bucket}`,
    dbName: t(ssm['db/name'], 'db/name'),
    dbUserMigrate: t(ssm['db/migrator_user'], 'db/migrator_user'),
    dbUserApi: t(ssm['db/api_user'], 'db/api_user'),
    dbUserWorker: t(ssm['db/worker_user'], 'db/worker_user'),
    dbUserCleanup: t(ssm['db/cleanup_user'], 'db/cleanup_user'),
    // <proxy name>.proxy-<id>.<region>.rds.amazonaws.com
    dbProxyEndpoint: new RegExp(`^${proxy}\\.proxy-[a-z0-9]+\\.${region}\\.rds\\.amazonaws\\.com$`),
    wafAclArn: new RegExp(`^arn:aws:wafv2:${region}:${ACCOUNT}:regional/webacl/${waf}/[0-9a-f-]+$`),
  };
}

for (const stage of ['dev', 'prod']) {
  test(`offline.yml names what Terraform names in ${stage}`, async () => {
    const raw = fs.readFileSync(path.join(ROOT, 'packaging/infra/offline.yml'), 'utf8').replaceAll('${sls:stage}', stage);
    const offline = yaml.load(raw);
    const want = await derive(stage);
    for (const [key, v] of Object.entries(want)) {
      if (v instanceof RegExp) assert.match(String(offline[key]), v, `offline.yml ${key}`);
      else assert.equal(offline[key], v, `offline.yml ${key}`);
    }
  });
}
