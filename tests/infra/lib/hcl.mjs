// Loading Terraform sources with HashiCorp's HCL parser (the Go hcl library,
// compiled to WebAssembly in @cdktf/hcl2json), so what parses here parses in
// Terraform. The parser is asynchronous; everything it yields is collected
// up front so that the checks themselves are plain synchronous functions.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_ROOT = path.resolve(here, '../../..');
const requireTools = createRequire(path.join(SOURCE_ROOT, 'tools/package.json'));
const hcl2json = requireTools('@cdktf/hcl2json');

// A file larger than this is not Terraform anyone meant to write; refusing it
// keeps a hostile or generated file from stalling the test run.
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Every directory under root holding .tf files, sorted, skipping .terraform. */
export function findModuleDirs(root) {
  const dirs = [];
  const walk = (dir) => {
    let entries;
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    if (entries.some((e) => e.isFile() && (e.name.endsWith('.tf') || e.name.endsWith('.tf.json')))) dirs.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.')) walk(path.join(dir, e.name));
    }
  };
  walk(root);
  return dirs.sort();
}

/** Parse one file. Returns { json } or { error } with the parser's message. */
export async function parseFile(file) {
  let text;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_FILE_BYTES) return { text: '', error: `file larger than ${MAX_FILE_BYTES} bytes` };
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { text: '', error: `cannot read: ${e.message}` };
  }
  try {
    const json = await hcl2json.parse(path.basename(file), text);
    if (json === null || typeof json !== 'object') return { text, error: 'parser returned no document' };
    return { text, json };
  } catch (e) {
    return { text, error: String(e.message || e).replace(/\s+/g, ' ').trim() };
  }
}

/** Expression ASTs by source text; null when the parser rejects it. */
export async function expressionAst(src) {
  try {
    return await hcl2json.getExpressionAst('expr.tf', src);
  } catch {
    return null;
  }
}

/**
 * Lines covered by `# iac-allow: <rule id> <reason>` (or //) comments: the
 * comment's own line and, for a comment alone on its line, the next line that
 * is not itself a comment. Returns Map(line number → [{ id, reason }]).
 */
export function allowComments(text) {
  const lines = text.split('\n');
  const out = new Map();
  const add = (n, a) => { if (!out.has(n)) out.set(n, []); out.get(n).push(a); };
  lines.forEach((line, i) => {
    const m = /(?:#|\/\/)\s*iac-allow:\s*([A-Za-z0-9_.\-]+)\s*(.*)$/.exec(line);
    if (!m) return;
    const allow = { id: m[1], reason: m[2].trim() };
    add(i + 1, allow);
    if (/^\s*(#|\/\/)/.test(line)) {
      let j = i + 1;
      while (j < lines.length && /^\s*(#|\/\/)/.test(lines[j])) j += 1;
      if (j < lines.length) add(j + 1, allow);
    }
  });
  return out;
}

/**
 * The [first, last] line span of a block `kind "a" "b" {` in text, found by
 * matching braces outside strings and comments; null when it is not found.
 */
export function blockSpan(text, kind, labels) {
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const head = [kind, ...labels.map((l) => `"${esc(l)}"`)].join('\\s+');
  const re = new RegExp(`^\\s*${head}\\s*\\{`, 'm');
  const m = re.exec(text);
  if (!m) return null;
  let depth = 0;
  let i = m.index + m[0].length - 1;
  let inStr = false;
  for (; i < text.length; i += 1) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i += 1;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) { while (i < text.length && text[i] !== '\n') i += 1; }
    else if (c === '{') depth += 1;
    else if (c === '}') { depth -= 1; if (depth === 0) break; }
  }
  const lineOf = (idx) => text.slice(0, idx).split('\n').length;
  return [lineOf(m.index), lineOf(Math.min(i, text.length))];
}
