// Node 20 has no node:sqlite, which fauxqs imports for a persistence the
// local stack does not use: a stub that fails only if it is ever used.
export function resolve(specifier, context, next) {
  if (specifier === 'node:sqlite') {
    return {
      shortCircuit: true,
      url: 'data:text/javascript,export class DatabaseSync { constructor() { throw new Error("node:sqlite is not available"); } }',
    };
  }
  return next(specifier, context);
}
