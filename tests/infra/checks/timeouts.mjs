// Cross-tool invariants of IAC-RULES.md on the timeouts Terraform declares:
// the api function must finish before API Gateway's 29 s integration limit.
// (Visibility ≥ 6 × worker timeout is sqs_visibility; borrow < function
// timeout is proxy_settings.)
import { verdict } from '../lib/result.mjs';
import { varValue, localValue } from '../lib/model.mjs';
import { show } from '../lib/policy.mjs';

// API Gateway REST integrations stop at 29 s.
export const GATEWAY_LIMIT_SECONDS = 29;
const API_TIMEOUT = /^api_(function_)?timeout(_seconds|_s)?$/;

export const apiTimeout = {
  name: 'api_timeout', ids: ['IAC.CROSS.API_TIMEOUT'],
  run(ctx) {
    const res = [];
    for (const inst of ctx.instances()) {
      const decls = [
        ...[...inst.mod.variables.values()].map((d) => ({ d, kind: 'variable', v: () => varValue(ctx.tree, inst, d.name) })),
        ...[...inst.mod.locals.values()].map((d) => ({ d, kind: 'local', v: () => localValue(ctx.tree, inst, d.name) })),
      ].filter((x) => API_TIMEOUT.test(x.d.name));
      for (const { d, kind, v } of decls) {
        const t = { file: ctx.rel(d.file), label: `${kind}.${d.name} [${inst.label}]`, inst, block: { kind, name: d.name, file: d.file } };
        const val = v();
        res.push(verdict(t, typeof val === 'number' && val > 0 && val < GATEWAY_LIMIT_SECONDS ? null
          : `${d.name} is ${show(val)}, must be below API Gateway's ${GATEWAY_LIMIT_SECONDS} s`));
      }
    }
    return res;
  },
};

export default [apiTimeout];
