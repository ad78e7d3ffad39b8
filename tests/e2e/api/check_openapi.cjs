// Validates answers against docs/openapi.yaml's schemas (JSON Schema 2020-12,
// as OpenAPI 3.1 uses it), with the pinned ajv and js-yaml from tools/.
//   node check_openapi.cjs NODE_MODULES OPENAPI_YAML SCHEMA_NAME FILE...
const [nodeModules, specPath, schemaName, ...files] = process.argv.slice(2);
const req = (m) => require(require('path').join(nodeModules, m));
const Ajv2020 = req('ajv/dist/2020').default;
const addFormats = req('ajv-formats');
const yaml = req('js-yaml');
const fs = require('fs');

const spec = yaml.load(fs.readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: spec.components }, 'openapi');
const validate = ajv.getSchema(`openapi#/components/schemas/${schemaName}`);
if (!validate) { console.error(`no schema ${schemaName}`); process.exit(2); }
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!validate(doc)) {
    bad++;
    console.error(`${f} is not a valid ${schemaName}:`, JSON.stringify(validate.errors), JSON.stringify(doc));
  }
}
process.exit(bad ? 1 : 0);
