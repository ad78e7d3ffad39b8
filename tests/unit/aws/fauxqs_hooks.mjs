// Module hooks for fauxqs_local.mjs: node 20 has no node:sqlite, which fauxqs
// imports for a persistence the tests do not use. A stub that fails if used.
export function resolve(specifier, context, next) {
  if (specifier === 'node:sqlite') {
    return {
      shortCircuit: true,
      url: 'data:text/javascript,export class DatabaseSync { constructor() { throw new Error("node:sqlite is not available"); } }',
    };
  }
  return next(specifier, context);
}
