// Reference RDS IAM auth tokens from AWS's own SDK for JavaScript
// (@aws-sdk/rds-signer, pinned in tools/package.json), on a fixed clock, for
// rds_token_test.c to compare byte for byte.
//   node rds_signer_ref.js NODE_MODULES EPOCH_SECONDS REGION HOST PORT USER
// Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
'use strict';
const path = require('path');

const [nodeModules, epoch, region, hostname, port, username] = process.argv.slice(2);
const fixedMs = Number(epoch) * 1000;
if (!Number.isFinite(fixedMs)) {
  process.stderr.write('bad epoch\n');
  process.exit(2);
}

// The signer reads the clock with `new Date()`: pin it.
const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(fixedMs);
    else super(...args);
  }
  static now() {
    return fixedMs;
  }
}
globalThis.Date = FixedDate;

const { Signer } = require(path.join(nodeModules, '@aws-sdk/rds-signer'));
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
};
if (process.env.AWS_SESSION_TOKEN) credentials.sessionToken = process.env.AWS_SESSION_TOKEN;

new Signer({ region, hostname, port: Number(port), username, credentials })
  .getAuthToken()
  .then(
    (token) => process.stdout.write(token),
    (e) => {
      process.stderr.write(`${e}\n`);
      process.exit(1);
    },
  );
