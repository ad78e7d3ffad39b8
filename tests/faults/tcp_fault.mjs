// A TCP proxy on 127.0.0.1 that can misbehave on command, to put a dependency
// (the local SQS, for the api) in the states a network gives it. Prints
// "PORT n" once listening, then "MODE m" each time a command took effect.
// Commands, one per line on stdin:
//   pass        forward as is (the start)
//   refuse      stop listening and drop open connections: connects are refused
//   freeze      accept and keep connections, forward nothing (a hung peer)
//   hold        forward requests, hold the answers (a peer that acts, then hangs)
//   slow MS     forward each chunk MS milliseconds late, in order
// Ends when stdin closes.
//   node tcp_fault.mjs TARGET_PORT
import net from 'node:net';
import readline from 'node:readline';

const target = Number(process.argv[2]);
if (!(target > 0)) {
  console.error('usage: node tcp_fault.mjs TARGET_PORT');
  process.exit(2);
}
let mode = 'pass', delayMs = 0, port = 0;
let thawed = () => {};
let thaw = new Promise((r) => { thawed = r; });
const sockets = new Set();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const held = (answer) => mode === 'freeze' || (mode === 'hold' && answer);

// One direction of a connection (answer: upstream to client): chunks leave in
// order, each once the mode lets it.
function pipe(from, to, answer) {
  let chain = Promise.resolve();
  from.on('data', (chunk) => {
    chain = chain.then(async () => {
      while (held(answer)) await thaw;
      if (mode === 'slow') await sleep(delayMs);
      if (!to.destroyed) to.write(chunk);
    });
  });
  from.on('end', () => { chain = chain.then(() => to.end()); });
}

const server = net.createServer((client) => {
  const upstream = net.connect(target, '127.0.0.1');
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => { client.destroy(); upstream.destroy(); });
  }
  pipe(client, upstream, false);
  pipe(upstream, client, true);
});

function listen() {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); port = server.address().port; resolve(); });
  });
}

// Every change wakes the chunks waiting in held(); those still held wait for the next.
function setMode(m, ms) {
  mode = m;
  delayMs = ms;
  const wake = thawed;
  thaw = new Promise((r) => { thawed = r; });
  wake();
}

async function command(line) {
  const [verb, arg] = line.trim().split(/\s+/);
  if (verb === 'refuse') {
    setMode('refuse', 0);
    if (server.listening) await new Promise((r) => { server.close(() => r()); for (const s of sockets) s.destroy(); });
  } else if (['pass', 'slow', 'freeze', 'hold'].includes(verb)) {
    setMode(verb, verb === 'slow' ? Number(arg) || 0 : 0);
    if (!server.listening) await listen();
  } else {
    console.error(`tcp_fault: unknown command: ${line}`);
    return;
  }
  console.log(`MODE ${mode}${mode === 'slow' ? ` ${delayMs}` : ''}`);
}

await listen();
console.log(`PORT ${port}`);
const rl = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => { queue = queue.then(() => command(line)); });
rl.on('close', () => { queue.then(() => { for (const s of sockets) s.destroy(); process.exit(0); }); });
