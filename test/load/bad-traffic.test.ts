// Load with bad traffic, loopback only and bounded in count and time: over 20,000 requests through
// a keep-alive agent with 64 in flight, against the exchange endpoint on node:http (toNodeListener)
// in a child process. Valid tokens for many customers of several stores are mixed with every kind
// of bad request. No 5xx; every valid token answered with its own customer and store, never
// another's; every bad one refused with the status the protocol gives it; and the server's heap,
// after a full collection, back near where it was after warm-up.
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { mintCustomerToken } from '../../src/testing/mint.js';
import type { ChildMessage, LoadServerConfig, ParentMessage } from './exchange-server.js';

const REQUESTS = 20_000;
const WARM_UP = 2_000;
const CONCURRENCY = 64;
/** The whole run (warm-up included) must finish within this, or the test fails. */
const TIME_LIMIT_MS = 45_000;
/**
 * Heap growth allowed between warm-up and the end, after full collections. The handler keeps no
 * state per request, so the heap should come back to its baseline; what remains is noise (code
 * compiled late by the optimising JIT, V8's internal tables grown once; about 0.2 MB here). 20 MB is
 * far above that noise and still catches anything kept per request of a kilobyte or more
 * (20,000 requests × 1 KB = 20 MB).
 */
const MAX_HEAP_GROWTH = 20 * 1024 * 1024;

const CLIENT_ID = 'load-client-id-5k2m9q';
const SECRET = 'load-client-secret-3f8a1c77e0';
const STORES = ['store-a1', 'store-b2', 'store-c3', 'store-d4', 'store-e5'];
const ORIGIN = 'https://store-a1.example.com';
const DENY_EVERY = 97;
const CUSTOMERS_PER_STORE = 120;

type Kind = 'valid' | 'wrongSecret' | 'otherStore' | 'expired' | 'garbage' | 'wrongType' | 'oversized' | 'badOrigin';

/** Share of each kind of request, out of 100. */
const MIX: Record<Kind, number> = {
  valid: 58,
  wrongSecret: 7,
  otherStore: 7,
  expired: 7,
  garbage: 7,
  wrongType: 5,
  oversized: 3,
  badOrigin: 6,
};

interface Planned {
  kind: Kind;
  token: string;
  /** Who the token is for, when it is valid. */
  customerId?: number;
  store?: string;
}

interface Outcome {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** mulberry32: the same request sequence on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emailOf = (store: string, id: number) => `shopper${id}@${store}.example.com`;

async function tokenPools(): Promise<Record<Exclude<Kind, 'wrongType' | 'oversized' | 'badOrigin'>, Planned[]>> {
  const mint = (storeHash: string, id: number, extra: { secret?: string; issuedAt?: number } = {}) =>
    mintCustomerToken({
      clientId: CLIENT_ID,
      clientSecret: extra.secret ?? SECRET,
      storeHash,
      customer: { id, email: emailOf(storeHash, id), groupId: String(id % 4) },
      ...(extra.issuedAt === undefined ? {} : { issuedAt: extra.issuedAt }),
    });
  const valid: Planned[] = [];
  for (const [s, store] of STORES.entries()) {
    for (let i = 0; i < CUSTOMERS_PER_STORE; i++) {
      // Customer IDs overlap across stores on purpose: the store in the answer must be the token's.
      const id = 90 + i + s * 7;
      valid.push({ kind: 'valid', token: await mint(store, id), customerId: id, store });
    }
  }
  const few = (build: (i: number) => Promise<string>, kind: Kind) =>
    Promise.all(Array.from({ length: 40 }, async (_, i) => ({ kind, token: await build(i) })));
  const now = Math.floor(Date.now() / 1000);
  return {
    valid,
    wrongSecret: await few(
      (i) => mint(STORES[i % STORES.length]!, 500 + i, { secret: `${SECRET}-old` }),
      'wrongSecret',
    ),
    otherStore: await few((i) => mint(`not-allowed-${i % 3}`, 600 + i), 'otherStore'),
    expired: await few((i) => mint(STORES[i % STORES.length]!, 700 + i, { issuedAt: now - 3600 - i }), 'expired'),
    garbage: await few(
      async (i) => ['x', 'e30.e30', `${'eyJ'.repeat(i + 1)}.e30.`, 'Bearer abc', '{"token":1}', '....'][i % 6]!,
      'garbage',
    ),
  };
}

/** What each kind must be answered with. */
const EXPECTED: Record<Kind, { status: number; code?: string }> = {
  valid: { status: 200 },
  wrongSecret: { status: 401, code: 'signature' },
  otherStore: { status: 401, code: 'store' },
  expired: { status: 401, code: 'expired' },
  garbage: { status: 401, code: 'malformed' },
  wrongType: { status: 415 },
  oversized: { status: 413 },
  badOrigin: { status: 403 },
};

function plan(pools: Awaited<ReturnType<typeof tokenPools>>, count: number, seed: number): Planned[] {
  const next = random(seed);
  const kinds = Object.entries(MIX).flatMap(([kind, share]) => Array<Kind>(share).fill(kind as Kind));
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: count }, () => {
    const kind = pick(kinds);
    if (kind === 'wrongType' || kind === 'oversized' || kind === 'badOrigin') return { ...pick(pools.valid), kind };
    return pick(pools[kind]);
  });
}

describe('the exchange endpoint under load with bad traffic (loopback, bounded)', () => {
  let child: ChildProcess;
  let port = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const replies: Array<(message: ChildMessage) => void> = [];

  function ask(message: ParentMessage): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the server did not answer ${message.type} within 10 s`)),
        10_000,
      );
      replies.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send(message);
    });
  }

  before(async () => {
    const config: LoadServerConfig = {
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      stores: STORES,
      origins: [ORIGIN],
      denyEvery: DENY_EVERY,
    };
    child = fork(new URL('./exchange-server.ts', import.meta.url), {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, LOAD_SERVER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message: ChildMessage) => replies.shift()?.(message));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not start within 20 s')), 20_000);
      child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
      replies.push((message) => {
        clearTimeout(timer);
        if (message.type === 'listening') resolve(message.port);
      });
    });
  });

  after(async () => {
    agent.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies ParentMessage);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
      child.kill();
    }
  });

  function send(request: Planned, deadline: number): Promise<Outcome> {
    let body = request.token;
    const headers: Record<string, string> = { 'Content-Type': 'text/plain;charset=UTF-8', Origin: ORIGIN };
    if (request.kind === 'wrongType') headers['Content-Type'] = 'application/xml';
    if (request.kind === 'badOrigin') headers['Origin'] = 'https://evil.example';
    if (request.kind === 'oversized') body = `${request.token}${' '.repeat(9000)}`;
    headers['Content-Length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/customer-gate', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(Math.max(1, deadline - Date.now()), () => req.destroy(new Error('over the time limit')));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends `requests` with CONCURRENCY in flight; returns what went wrong (at most a few examples) and the time taken. */
  async function run(requests: Planned[], deadline: number) {
    const problems: string[] = [];
    let wrong = 0;
    const counts = new Map<string, number>();
    let serverErrors = 0;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < requests.length) {
        if (Date.now() > deadline) throw new Error(`over the ${TIME_LIMIT_MS} ms time limit after ${next} requests`);
        const request = requests[next++]!;
        const outcome = await send(request, deadline);
        if (outcome.status >= 500) serverErrors++;
        const key = `${request.kind} ${outcome.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const problem = judge(request, outcome);
        if (problem && ++wrong <= 5) problems.push(problem);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (wrong > 5) problems.push(`… ${wrong} wrong answers in all`);
    return { problems, counts, serverErrors, ms: performance.now() - started };
  }

  /** Why `outcome` is the wrong answer to `request`, or undefined when it is right. */
  function judge(request: Planned, outcome: Outcome): string | undefined {
    const { kind } = request;
    const { status, headers, text } = outcome;
    const denied = kind === 'valid' && request.customerId! % DENY_EVERY === 0;
    const want = denied ? { status: 403 } : EXPECTED[kind];
    if (status !== want.status) return `${kind}: answered ${status}, expected ${want.status}: ${text.slice(0, 200)}`;
    const allowOrigin = headers['access-control-allow-origin'];
    if (kind === 'badOrigin' ? allowOrigin !== undefined : allowOrigin !== ORIGIN)
      return `${kind}: Access-Control-Allow-Origin ${allowOrigin}`;
    if (headers['cache-control'] !== 'no-store') return `${kind}: Cache-Control ${headers['cache-control']}`;
    let body: {
      customer?: { id?: number; email?: string };
      storeHash?: string;
      data?: Record<string, unknown>;
      code?: string;
    };
    try {
      body = JSON.parse(text);
    } catch {
      return `${kind}: a body that is not JSON: ${text.slice(0, 200)}`;
    }
    if (want.code !== undefined && body.code !== want.code) return `${kind}: code ${body.code}, expected ${want.code}`;
    if (status === 200) {
      const id = request.customerId!;
      const store = request.store!;
      const expected = { customerId: id, email: emailOf(store, id), store };
      if (body.customer?.id !== id || body.customer.email !== expected.email || body.storeHash !== store) {
        return `valid token of customer ${id} at ${store} answered with customer ${body.customer?.id} at ${body.storeHash}`;
      }
      if (JSON.stringify(body.data) !== JSON.stringify(expected))
        return `customer ${id} at ${store} got data ${JSON.stringify(body.data)}`;
    }
    return undefined;
  }

  it(`${REQUESTS} requests, most of them valid, the rest bad in every way: right answers, no 5xx, no leak`, {
    timeout: 90_000,
  }, async (t) => {
    const pools = await tokenPools();
    const deadline = Date.now() + TIME_LIMIT_MS;

    const warm = await run(plan(pools, WARM_UP, 1), deadline);
    assert.deepEqual(warm.problems, []);
    const baseline = await ask({ type: 'heap' });

    const requests = plan(pools, REQUESTS, 2);
    const load = await run(requests, deadline);
    const end = await ask({ type: 'heap' });
    assert.ok(baseline.type === 'heap' && end.type === 'heap');

    const perSecond = Math.round((REQUESTS / load.ms) * 1000);
    const growth = end.heapUsed - baseline.heapUsed;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    const summary =
      `${REQUESTS} requests (after ${WARM_UP} to warm up) in ${(load.ms / 1000).toFixed(2)} s, ${perSecond} req/s, ` +
      `${CONCURRENCY} in flight; server heap ${mb(baseline.heapUsed)} -> ${mb(end.heapUsed)} (${growth >= 0 ? '+' : ''}${mb(growth)})`;
    console.log(`# load: ${summary}`);
    t.diagnostic(summary);
    t.diagnostic(
      [...load.counts.entries()]
        .sort()
        .map(([key, count]) => `${key}: ${count}`)
        .join(', '),
    );

    assert.deepEqual(load.problems, []);
    assert.equal(load.serverErrors, 0, 'answers with a 5xx status');
    assert.equal(end.serverErrors, 0, 'server errors reported to onError');
    // Every kind was exercised.
    for (const kind of Object.keys(MIX))
      assert.ok(
        [...load.counts.keys()].some((key) => key.startsWith(`${kind} `)),
        `no ${kind} request was sent`,
      );
    assert.ok(load.counts.get('valid 403'), 'no valid token of a denied customer was sent');
    assert.ok(growth < MAX_HEAP_GROWTH, `the server's heap grew by ${mb(growth)} (more than ${mb(MAX_HEAP_GROWTH)})`);
  });
});
