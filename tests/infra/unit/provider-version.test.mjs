// The schema checks are only as good as the schema: the @cdktf/provider-aws pinned in
// tools/package.json must be the installed one, and wrap a release of the provider major that
// every required_providers block of terraform/ allows.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFile, findModuleDirs } from '../lib/hcl.mjs';
import { providerSchema, providerPackageDir } from '../lib/schema.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');

test('the pinned provider schema is installed and matches the provider line of terraform/', async () => {
  const pin = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools/package.json'), 'utf8')).dependencies['@cdktf/provider-aws'];
  const installed = JSON.parse(fs.readFileSync(path.join(providerPackageDir(), 'package.json'), 'utf8')).version;
  assert.equal(installed, pin, 'tools/node_modules differs from tools/package.json: run scripts/deps');
  const s = providerSchema();
  assert.equal(s.error, undefined);
  const major = Number(s.providerVersion.split('.')[0]);
  const constraints = new Set();
  for (const dir of findModuleDirs(path.join(ROOT, 'terraform'))) {
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.tf'))) {
      const { json } = await parseFile(path.join(dir, f));
      for (const t of (json && json.terraform) || []) {
        for (const rp of t.required_providers || []) if (rp.aws) constraints.add(rp.aws.version);
      }
    }
  }
  assert.ok(constraints.size > 0, 'no required_providers.aws in terraform/');
  assert.deepEqual([...constraints], [`>= 6.28, < ${major + 1}.0`], `one aws constraint everywhere, of the schema's major ${major}`);
});
