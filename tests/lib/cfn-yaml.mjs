// Reads serverless.yml (or any CloudFormation YAML) with js-yaml from the
// pinned tools/: CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...) are
// read as plain values, whatever kind of node they tag.
import { createRequire } from 'node:module';
import path from 'node:path';

const cfnTags = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Equals', 'Select', 'Split', 'ImportValue',
  'FindInMap', 'Base64', 'GetAZs', 'Not', 'And', 'Or', 'Condition', 'Cidr'];

export function loadYaml(nodeModules) {
  return createRequire(path.resolve(nodeModules, 'x.js'))('js-yaml');
}

export function loadCfnYaml(text, nodeModules) {
  const yaml = loadYaml(nodeModules);
  const schema = yaml.DEFAULT_SCHEMA.extend(cfnTags.flatMap((t) => ['scalar', 'sequence', 'mapping']
    .map((kind) => new yaml.Type(`!${t}`, { kind, construct: (d) => ({ [t]: d }) }))));
  return yaml.load(text, { schema });
}
