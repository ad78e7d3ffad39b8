// One outcome of one check on one target. A check returns a list of these;
// the runner prints failures and counts passes and failures.
export const pass = (t) => ({ ok: true, file: t.file, target: t.label });
export const fail = (t, message) => ({ ok: false, file: t.file, target: t.label, message, t });
/** pass when msg is null/empty, fail with msg otherwise. */
export const verdict = (t, msg) => (msg ? fail(t, msg) : pass(t));
/** Several conditions on one target: fails with every problem joined. */
export const all = (t, problems) => {
  const p = problems.filter(Boolean);
  return p.length ? fail(t, p.join('; ')) : pass(t);
};
/** Let iac-allow comments in companion blocks (e.g. the bucket's encryption
 * resource) waive this result too. */
export const withCompanions = (r, comps) => (r.ok ? r : { ...r, also: comps.filter(Boolean) });
