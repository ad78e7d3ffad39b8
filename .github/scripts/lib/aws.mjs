// The AWS CLI as the deploy steps use it: one call, JSON out, bounded in time, errors with the
// CLI's own message (never the environment: credentials stay in the CLI's process).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const CALL_TIMEOUT_MS = 15 * 60 * 1000; // the longest call is a waiter (Signer, Lambda update)

export class AwsError extends Error {
  constructor(args, stderr, status) {
    super(`aws ${args.slice(0, 2).join(' ')} failed (exit ${status}): ${String(stderr).trim().slice(0, 2000)}`);
    this.stderr = String(stderr);
  }
}

// Runs `aws ARGS --output json`; returns the parsed answer ({} for an empty one).
export function aws(args, { timeoutMs = CALL_TIMEOUT_MS } = {}) {
  let out;
  try {
    out = execFileSync('aws', [...args, '--output', 'json'], {
      encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    throw new AwsError(args, e.stderr || e.message, e.status);
  }
  const text = out.trim();
  if (text === '') return {};
  try { return JSON.parse(text); } catch { throw new Error(`aws ${args.slice(0, 2).join(' ')}: answer is not JSON`); }
}

export function ssmParameter(name) {
  const answer = aws(['ssm', 'get-parameter', '--name', name]);
  const value = answer && answer.Parameter && answer.Parameter.Value;
  if (typeof value !== 'string' || value === '') throw new Error(`SSM parameter ${name} has no value`);
  return value;
}

// Step outputs for later steps (GITHUB_OUTPUT), when run by Actions.
export function setOutput(name, value) {
  if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

export const STAGES = ['dev', 'prod'];
export function stageArg(value) {
  if (!STAGES.includes(value)) throw new Error(`stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

// Runs main, turns a thrown error into "<tool>: message" and exit 1.
export function runMain(tool, main) {
  Promise.resolve().then(main).then((code) => { process.exitCode = code || 0; }, (e) => {
    console.error(`${tool}: ${e.message}`);
    process.exitCode = 1;
  });
}
