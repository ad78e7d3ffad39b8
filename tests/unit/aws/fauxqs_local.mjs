// Starts fauxqs (the SQS/S3 emulator pinned in tools/package.json) for the
// client tests: on 127.0.0.1 only, on a free port, with one queue and one
// bucket. Prints "PORT <n>" and "QUEUE <url>", then runs until its stdin
// closes, so it ends with the test that started it even if that one dies.
//   node fauxqs_local.mjs NODE_MODULES QUEUE_NAME BUCKET
import net from 'node:net';
import path from 'node:path';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const [nodeModules, queueName, bucket] = process.argv.slice(2);
// The node:sqlite stub is shared with the local stack (local/fauxqs_hooks.mjs).
register('../../../local/fauxqs_hooks.mjs', import.meta.url);

// fauxqs listens on 0.0.0.0; the tests touch 127.0.0.1 only.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] && typeof args[0] === 'object') args[0] = { ...args[0], host: '127.0.0.1' };
  return listen.apply(this, args);
};

const app = await import(pathToFileURL(path.join(nodeModules, 'fauxqs/dist/app.js')).href);
const server = await app.startFauxqs({ port: 0, logger: false, defaultRegion: 'us-east-1' });
const { queueUrl } = server.createQueue(queueName);
server.createBucket(bucket);
process.stdout.write(`PORT ${server.port}\nQUEUE ${queueUrl}\n`);

const stop = () => server.stop().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
