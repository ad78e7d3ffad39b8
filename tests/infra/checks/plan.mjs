// What the first `terraform plan` stops on: "Invalid count argument" / "Invalid for_each
// argument". count must be a known number and for_each a map with known keys or a set of known
// strings, at plan time, in every instance. Values only apply knows (ids, ARNs and other computed
// attributes of resources created in the same run, module outputs made from them, data sources
// reading them) make the plan fail; variables, locals, literals and resource arguments set from
// them are known (lib/model.mjs, tree.planEval).
import { Unknown, Ref, isKnown } from '../lib/eval.mjs';
import { show } from '../lib/context.mjs';

const ok = (t) => ({ ok: true, file: t.file, target: t.label });
const bad = (t, message) => ({ ok: false, file: t.file, target: t.label, message, t });

function cause(v) {
  return v instanceof Unknown ? `${v.text}: ${v.why}` : show(v);
}

/** null when a count/for_each value is known at plan time, else why not. */
export function planProblem(kind, v, raw) {
  if (kind === 'count') {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return null;
    return `count = ${raw} is not known at plan time (${cause(v)}): drive it with a boolean or a number from variables`;
  }
  if (v instanceof Ref) return `for_each = ${raw} is not statically known (${v.path})`;
  if (Array.isArray(v)) {
    const unknown = v.filter((x) => !isKnown(x) || (x !== null && typeof x === 'object'));
    return unknown.length ? `for_each = ${raw}: set elements not known at plan time (${unknown.map(cause).join(', ')}): use a map with known keys` : null;
  }
  if (v !== null && typeof v === 'object' && isKnown(v)) return null; // keys known; values may come after apply
  return `for_each = ${raw} is not known at plan time (${cause(v)}): use a map whose keys are known`;
}

export const tfPlanKnown = {
  name: 'tf_plan_known', ids: ['TF.PLAN_KNOWN'],
  run(ctx) {
    const res = [];
    const tree = ctx.tree;
    for (const inst of tree.instances) {
      const blocks = [
        ...inst.mod.resources.map((b) => ({ b, id: `${b.type}.${b.name}` })),
        ...inst.mod.data.map((b) => ({ b, id: `data.${b.type}.${b.name}` })),
        ...[...inst.mod.modules.values()].map((b) => ({ b, id: `module.${b.name}` })),
      ];
      for (const { b, id } of blocks) {
        for (const kind of ['count', 'for_each']) {
          if (b.body[kind] === undefined) continue;
          const t = { file: ctx.rel(b.file), label: `${id} [${inst.label}]`, inst, block: b };
          const raw = String(b.body[kind]).replace(/^\$\{([\s\S]*)\}$/, '$1');
          const p = planProblem(kind, tree.planEval.value(b.body[kind], inst), raw);
          res.push(p ? bad(t, p) : ok(t));
        }
      }
    }
    return res;
  },
};

export default [tfPlanKnown];
