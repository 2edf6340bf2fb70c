// The exchange endpoint over loopback HTTP: this package's handler, a bare node:http ceiling and
// Express with jsonwebtoken, each in one child process, loaded in turn by autocannon from this one.
// Every request carries another token from the pool, the body and headers a browser sends.
import { fork } from 'node:child_process';
import autocannon from 'autocannon';
import { BenchError, EXCHANGE_CONTENT_TYPE, median, rotate } from './common.mjs';

export const ORIGIN = 'https://store.example.com';
const PATH = '/customer-gate';
const TARGETS = [
  { id: 'package', name: 'this package (node:http, toNodeListener)' },
  { id: 'bare', name: 'bare node:http, fixed JSON (ceiling)' },
  { id: 'express', name: 'Express + jsonwebtoken' },
];

function startServers(config) {
  const child = fork(new URL('./servers.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new BenchError('the benchmark servers did not start within 15 s')), 15_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message.ports);
    });
    child.once('exit', (code) => reject(new BenchError(`the benchmark servers exited early (code ${code})`)));
  });
  child.send(config);
  /** The servers' CPU time so far (user + system, every thread), in microseconds. */
  const cpu = () =>
    new Promise((resolve) => {
      const onMessage = (message) => {
        if (!message?.cpu) return;
        child.off('message', onMessage);
        resolve(message.cpu.user + message.cpu.system);
      };
      child.on('message', onMessage);
      child.send('cpu');
    });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.send('close');
    });
  return { ready, stop, cpu };
}

/** One request by hand before any load: a 200 with the right customer, or the target is broken. */
async function check(port, target, token, expectedId) {
  const response = await fetch(`http://127.0.0.1:${port}${PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': EXCHANGE_CONTENT_TYPE, Origin: ORIGIN },
    body: token,
  });
  const body = await response.text();
  if (response.status !== 200)
    throw new BenchError(`${target.name} answered ${response.status} to a valid token: ${body.slice(0, 200)}`);
  if (response.headers.get('access-control-allow-origin') !== ORIGIN)
    throw new BenchError(`${target.name} did not allow the storefront origin`);
  if (target.id !== 'bare' && JSON.parse(body).customer?.id !== expectedId)
    throw new BenchError(`${target.name} answered for the wrong customer`);
}

/** autocannon for `seconds`, each connection cycling through its own slice of the pool. */
function load(port, pool, { connections, seconds }) {
  const slice = Math.floor(pool.length / connections);
  let client = 0;
  const headers = { 'Content-Type': EXCHANGE_CONTENT_TYPE, Origin: ORIGIN, Accept: '*/*' };
  return autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    method: 'POST',
    headers,
    body: pool[0],
    connections,
    duration: seconds,
    timeout: 10,
    setupClient(c) {
      const start = (client++ % connections) * slice;
      c.setRequests(
        pool.slice(start, start + slice).map((token) => ({ method: 'POST', path: PATH, headers, body: token })),
      );
    },
  });
}

export async function benchEndpoint({
  secret,
  pool,
  rounds = 3,
  seconds = 5,
  warmupSeconds = 1,
  connections = 50,
  log = () => {},
}) {
  const servers = startServers({ secret, origin: ORIGIN });
  try {
    const ports = await servers.ready;
    const expectedId = JSON.parse(Buffer.from(pool[0].split('.')[1], 'base64url').toString()).customer.id;
    for (const target of TARGETS) await check(ports[target.id], target, pool[0], expectedId);

    const samples = Object.fromEntries(TARGETS.map((t) => [t.id, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of rotate(TARGETS, round)) {
        await load(ports[target.id], pool, { connections, seconds: warmupSeconds });
        const cpuBefore = await servers.cpu();
        const result = await load(ports[target.id], pool, { connections, seconds });
        const cpuUsed = (await servers.cpu()) - cpuBefore;
        const failures = result.non2xx + result.errors + result.timeouts;
        if (failures > 0) {
          throw new BenchError(
            `${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts ` +
              `in a run of valid tokens (status counts: ${JSON.stringify(result.statusCodeStats)})`,
          );
        }
        samples[target.id].push({
          rps: result.requests.total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          requests: result.requests.total,
          cpuMicrosPerRequest: cpuUsed / result.requests.total,
        });
      }
      log(`  endpoint round ${round + 1}/${rounds} done`);
    }

    const results = TARGETS.map((t) => {
      const runs = samples[t.id];
      return {
        id: t.id,
        name: t.name,
        rps: Math.round(median(runs.map((r) => r.rps))),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        cpuMicrosPerRequest: Math.round(median(runs.map((r) => r.cpuMicrosPerRequest)) * 10) / 10,
        requests: runs.reduce((sum, r) => sum + r.requests, 0),
        nonOk: 0,
        samples: runs,
      };
    });
    return { connections, seconds, warmupSeconds, rounds, results };
  } finally {
    await servers.stop();
  }
}
