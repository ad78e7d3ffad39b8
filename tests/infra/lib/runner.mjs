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
    for (const r of rs) results.push(waive(ctx, check, { ...r, check }));
  }
  const failed = results.filter((r) => !r.ok).length;
  return { tree, results, passed: results.length - failed, failed };
}

// A failure is waived by an `# iac-allow: <id> <reason>` inside the target's
// block or the module call that instantiated it, unless the check handles
// allows line by line itself (lineAllow), as the IAM wildcard check does.
function waive(ctx, check, r) {
  if (r.ok || !r.t || check.lineAllow) return r;
  const allows = [r.t, ...(r.also || [])].flatMap((t) => ctx.targetAllows(t, check.ids));
  if (!allows.length) return r;
  return { ...r, ok: true, allowed: `${allows[0].id} ${allows[0].reason} (${r.message})` };
}

export function formatAllowed(r) {
  return `ALLOW ${r.check.ids.join(',')} ${r.file}: ${r.target}: [${r.check.name}] ${r.allowed}`;
}

export function formatFailure(r) {
  return `FAIL ${r.check.ids.join(',')} ${r.file}: ${r.target}: [${r.check.name}] ${r.message}`;
}
