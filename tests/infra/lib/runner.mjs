// Runs checks over a loaded tree and prints one line per failure.
import { loadTree } from './model.mjs';
import { makeContext } from './context.mjs';

/** Run every check on the tree at root; returns { results, passed, failed }. */
export async function runChecks(root, checks, opts = {}) {
  const tree = await loadTree(root);
  const ctx = makeContext(tree);
  Object.assign(ctx, opts);
  const results = [];
  for (const check of checks) {
    let rs;
    try {
      rs = check.run(ctx);
    } catch (e) {
      // A check that throws is a failure of that check, never a silent pass.
      rs = [{ ok: false, file: root, target: '(check)', message: `check crashed: ${e.stack || e}` }];
    }
    for (const r of rs) results.push({ ...r, check });
  }
  const failed = results.filter((r) => !r.ok).length;
  return { tree, results, passed: results.length - failed, failed };
}

export function formatFailure(r) {
  return `FAIL ${r.check.ids.join(',')} ${r.file}: ${r.target}: [${r.check.name}] ${r.message}`;
}
