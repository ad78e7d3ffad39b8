// Errors 1-4 of issue 13 were in terraform/ at commit cb03927; the checks added for them must fail
// on that tree, each on the place it was. Skipped when the clone has no such commit (a shallow
// CI checkout); the fixtures tests/infra/fixtures/{tf_schema,tf_plan_known,
// iam_no_role_escalation,delivery_after_bucket_policy}/fail reproduce each error as well.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runChecks } from '../lib/runner.mjs';
import { ALL_CHECKS } from '../checks/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');
const OLD = 'cb03927';

function hasCommit() {
  try { execFileSync('git', ['-C', ROOT, 'cat-file', '-e', `${OLD}^{commit}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

// [check, text in the failing target, text in the message]
const EXPECTED = [
  ['tf_schema', 'aws_cloudwatch_metric_alarm.proxy_connections', 'required argument "period" is not set'],
  ['tf_plan_known', 'aws_s3_bucket_logging.this [environments/dev module.orders module.storage module.archive]', 'count = var.access_log_bucket == null ? 0 : 1 is not known at plan time'],
  ['tf_plan_known', 'aws_s3_bucket_logging.this [environments/prod module.orders module.ci module.security_logs]', 'not known at plan time'],
  ['iam_no_role_escalation', 'aws_iam_role.this [environments/prod module.orders module.ci]', 'matches role orders-prod-github-deploy (itself)'],
  ['delivery_after_bucket_policy', 'aws_cloudtrail.this [environments/prod module.orders module.ci]', 'does not depend on its policy'],
  ['delivery_after_bucket_policy', 'aws_config_delivery_channel.this [environments/prod module.orders module.ci]', 'does not depend on its policy'],
];

test(`the checks catch errors 1-4 of issue 13 in terraform/ of ${OLD}`, { skip: !hasCommit() && `no commit ${OLD} in this clone` }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'infra-issue13-'));
  try {
    const tar = execFileSync('git', ['-C', ROOT, 'archive', OLD, 'terraform'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    const names = new Set(EXPECTED.map(([c]) => c));
    const { results } = await runChecks(path.join(dir, 'terraform'), ALL_CHECKS.filter((c) => names.has(c.name)));
    const missed = EXPECTED.filter(([check, target, msg]) => !results.some((r) => !r.ok && r.check.name === check && r.target.includes(target) && r.message.includes(msg)))
      .map(([check, target]) => `${check} did not fail on ${target}`);
    assert.deepEqual(missed, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
