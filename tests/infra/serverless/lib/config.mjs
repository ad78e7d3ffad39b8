// serverless.yml as written (before osls fills in provider defaults), parsed with js-yaml and the
// CloudFormation short tags (!Ref, !Sub, ...) kept as their long forms.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const TAGS = ['Ref', 'Sub', 'GetAtt', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or',
  'FindInMap', 'ImportValue', 'Base64', 'Cidr', 'GetAZs', 'Condition'];

export function loadServerlessYml(root) {
  const require = createRequire(path.join(root, 'tools', 'package.json'));
  const yaml = require('js-yaml');
  const types = [];
  for (const tag of TAGS) {
    const key = tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;
    for (const kind of ['scalar', 'sequence', 'mapping']) {
      types.push(new yaml.Type(`!${tag}`, { kind, construct: (data) => ({ [key]: data }) }));
    }
  }
  const schema = yaml.DEFAULT_SCHEMA.extend(types);
  return yaml.load(fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8'), { schema });
}
