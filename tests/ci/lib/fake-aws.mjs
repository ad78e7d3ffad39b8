// A stand-in for the AWS CLI in the offline tests of .github/scripts: answers each
// "<service> <operation>" from the scenario file named by FAKE_AWS_SCENARIO
//   { "lambda invoke": { "stdout": {...}, "file": "<text written to the last argument>",
//                        "stderr": "...", "exit": 0 }, ... }
// and appends every call (argv as JSON, one a line) to FAKE_AWS_LOG. Unknown calls fail.
import fs from 'node:fs';

const args = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(process.env.FAKE_AWS_SCENARIO, 'utf8'));
fs.appendFileSync(process.env.FAKE_AWS_LOG, `${JSON.stringify(args)}\n`);
const op = `${args[0]} ${args[1]}${args[1] === 'wait' ? ` ${args[2]}` : ''}`;
const answer = scenario[op];
if (!answer) {
  process.stderr.write(`fake aws: no answer for ${op}\n`);
  process.exit(252);
}
// Outputs that go to a file: get-object and invoke write their last positional argument.
const target = args.filter((a) => a !== '--output' && a !== 'json').pop();
if (answer.file !== undefined) fs.writeFileSync(target, answer.file);
if (answer.fileBase64 !== undefined) fs.writeFileSync(target, Buffer.from(answer.fileBase64, 'base64'));
if (answer.stderr) process.stderr.write(answer.stderr);
if (answer.stdout !== undefined) process.stdout.write(JSON.stringify(answer.stdout));
process.exit(answer.exit || 0);
