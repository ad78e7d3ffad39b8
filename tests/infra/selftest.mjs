#!/usr/bin/env node
// Self-test of the offline checks: every check has fixtures/<check name>/pass
// and fixtures/<check name>/fail. The check alone must pass on pass/ (with at
// least one target, so a check that finds nothing cannot pass by accident)
// and fail on fail/ naming its rule id. fail/EXPECT, when present, holds text
// every expected failure message must contain (one per line: each line must
// appear in some failure).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecks, formatFailure } from './lib/runner.mjs';
import { ALL_CHECKS } from './checks/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, 'fixtures');

async function runCase(check, dir, wantFail) {
  if (!fs.existsSync(dir)) return [`${path.relative(process.cwd(), dir)} is missing`];
  const { results } = await runChecks(dir, [check]);
  const failures = results.filter((r) => !r.ok);
  const problems = [];
  if (!wantFail) {
    if (!results.length) problems.push('pass fixture has no target for the check');
    for (const f of failures) problems.push(`unexpected failure: ${formatFailure(f)}`);
    return problems;
  }
  if (!failures.length) return [`fail fixture passed (${results.length} targets)`];
  for (const f of failures) {
    const line = formatFailure(f);
    if (!check.ids.some((id) => line.includes(id))) problems.push(`failure does not name ${check.ids[0]}: ${line}`);
  }
  const expectFile = path.join(dir, 'EXPECT');
  if (fs.existsSync(expectFile)) {
    const all = failures.map(formatFailure).join('\n');
    for (const want of fs.readFileSync(expectFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean)) {
      if (!all.includes(want)) problems.push(`no failure mentions "${want}"; got:\n    ${all.replace(/\n/g, '\n    ')}`);
    }
  }
  return problems;
}

async function main() {
  let passed = 0;
  let failed = 0;
  const names = new Set(ALL_CHECKS.map((c) => c.name));
  for (const check of ALL_CHECKS) {
    for (const kind of ['pass', 'fail']) {
      const dir = path.join(FIXTURES, check.name, kind);
      const problems = await runCase(check, dir, kind === 'fail');
      if (problems.length) {
        failed += 1;
        for (const p of problems) console.log(`FAIL ${check.ids[0]} ${path.relative(process.cwd(), dir)}: ${check.name}: ${p}`);
      } else passed += 1;
    }
  }
  // A fixture directory no check claims is a renamed or deleted check.
  for (const d of fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES) : []) {
    if (!names.has(d)) { failed += 1; console.log(`FAIL SELFTEST ${path.join('fixtures', d)}: no check named ${d}`); }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e.stack || e); process.exitCode = 2; });
