// @actions/workflow-parser imports its schema as `import x from "./workflow-v1.0.min.json"`
// without the `with { type: "json" }` attribute Node requires (it is built for bundlers). This
// load hook serves that package's JSON files as ES modules, so the parser runs under plain Node.
import fs from 'node:fs';

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.json') && url.includes('/@actions/workflow-parser/')) {
    const text = fs.readFileSync(new URL(url), 'utf8');
    JSON.parse(text); // refuse anything that is not JSON before it becomes code
    return { format: 'module', source: `export default ${text};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
