// The local stack's SQS and S3 (fauxqs, pinned in tools/package.json), on
// 127.0.0.1 only: the orders queue with its dead-letter queue, and the
// archive bucket. Prints PORT, QUEUE, DLQ and READY lines, then runs until
// its stdin closes (so it ends with scripts/run even if that one is killed)
// or it gets SIGTERM/SIGINT.
//   node fauxqs.mjs NODE_MODULES PORT QUEUE DLQ BUCKET
import net from 'node:net';
import path from 'node:path';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const [nodeModules, port, queueName, dlqName, bucket] = process.argv.slice(2);
if (!bucket) {
  console.error('usage: node fauxqs.mjs NODE_MODULES PORT QUEUE DLQ BUCKET');
  process.exit(2);
}
try {
  await import('node:sqlite');
} catch {
  register('./fauxqs_hooks.mjs', import.meta.url);
}

// fauxqs listens on every interface; the local stack stays on 127.0.0.1.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object') args[0] = { ...args[0], host: '127.0.0.1' };
  else if (typeof args[0] === 'number') args.splice(1, typeof args[1] === 'string' ? 1 : 0, '127.0.0.1');
  return listen.apply(this, args);
};

const app = await import(pathToFileURL(path.join(nodeModules, 'fauxqs/dist/app.js')).href);
const server = await app.startFauxqs({ port: Number(port), logger: false, defaultRegion: process.env.AWS_REGION || 'us-east-1' });
const dlq = server.createQueue(dlqName);
// maxReceiveCount 5: a message the worker keeps failing goes to the DLQ, as in AWS.
// VisibilityTimeout 180: six times the worker's 30 s timeout, as AWS advises.
// FAUXQS_VISIBILITY_TIMEOUT / FAUXQS_MAX_RECEIVE_COUNT: shorter ones for the e2e tests only.
const setting = (name, dflt) => (/^[0-9]{1,5}$/.test(process.env[name] || '') ? process.env[name] : dflt);
const queue = server.createQueue(queueName, {
  attributes: {
    VisibilityTimeout: setting('FAUXQS_VISIBILITY_TIMEOUT', '180'),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.queueArn,
      maxReceiveCount: Number(setting('FAUXQS_MAX_RECEIVE_COUNT', '5')),
    }),
  },
});
server.createBucket(bucket);
process.stdout.write(`PORT ${server.port}\nQUEUE ${queue.queueUrl}\nDLQ ${dlq.queueUrl}\nREADY\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.stop().finally(() => process.exit(0));
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
