#!/usr/bin/env node
// Offline Terraform checks: node tests/infra/check.mjs [ROOT] (default terraform/).
// Prints one line per failure and "N passed, N failed"; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { runChecks, formatFailure, formatAllowed } from './lib/runner.mjs';
import { ALL_CHECKS } from './checks/index.mjs';
import { SOURCE_ROOT } from './lib/hcl.mjs';

async function main() {
  const args = process.argv.slice(2);
  const verbose = args.includes('-v');
  const root = args.find((a) => !a.startsWith('-')) || path.relative(process.cwd(), path.join(SOURCE_ROOT, 'terraform')) || '.';
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    console.error(`check.mjs: ${root}: not a directory`);
    return 2;
  }
  const { results, passed, failed, tree } = await runChecks(path.resolve(root), ALL_CHECKS);
  if (tree.files.length === 0) {
    console.log(`FAIL TF.PARSE ${root}: (root): no .tf files found`);
    console.log(`${passed} passed, ${failed + 1} failed`);
    return 1;
  }
  for (const r of results) {
    if (!r.ok) console.log(formatFailure(r));
    else if (r.allowed) console.log(formatAllowed(r));
    else if (verbose) console.log(`ok   ${r.check.ids.join(',')} ${r.file}: ${r.target}: [${r.check.name}]`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e.stack || e); process.exitCode = 2; });
