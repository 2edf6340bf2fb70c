// The Redis adapter against a real redis-server, started here on a free loopback port and stopped
// by its pid. Without redis-server on PATH the test is skipped with one loud line, except in CI.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createRedisCache, recentlyPurchased } from '../../src/bigcommerce/index.js';
import { createMockStoreApi, MOCK_STORE_API_SEED as SEED } from '../../src/testing/index.js';
import { freePort } from '../../scripts/free-port.mjs';

const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
const inCi = process.env['CI'] === 'true';
if (!found && !inCi) {
  console.error(
    '\n*** SKIPPED the Redis cache test: redis-server is not on PATH. Install the Debian package ' +
      '"redis-server" (apt-get install redis-server) to run it. ***\n',
  );
}

describe('createRedisCache', { skip: !found && !inCi ? 'redis-server is not installed' : false }, () => {
  let server: ChildProcess | undefined;
  let client: ReturnType<typeof createClient>;
  const api = createMockStoreApi();

  before(async () => {
    assert.ok(found, 'CI=true and redis-server is not on PATH: install the Debian package "redis-server".');
    const port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      server!.stdout!.on('data', (chunk) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      });
      server!.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
    client = createClient({ url: `redis://127.0.0.1:${port}` });
    await client.connect();
    await api.listen();
  });

  after(async () => {
    await client?.quit().catch(() => {});
    await api.close();
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
  });

  it('stores with a TTL in milliseconds and reads back', async () => {
    const cache = createRedisCache(client, { prefix: 't1:' });
    await cache.set('k', 'v', 5000);
    assert.equal(await cache.get('k'), 'v');
    assert.equal(await client.get('t1:k'), 'v');
    const ttl = await client.pTTL('t1:k');
    assert.ok(ttl > 0 && ttl <= 5000, `PTTL ${ttl}`);
    assert.equal(await cache.get('missing'), undefined);
  });

  it('expires', async () => {
    const cache = createRedisCache(client);
    await cache.set('short', 'v', 20);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(await cache.get('short'), undefined);
  });

  it('shares answers between two app instances (two clients), without the token in Redis', async () => {
    const second = createClient({ url: client.options?.url });
    await second.connect();
    try {
      const ask = (cache: ReturnType<typeof createRedisCache>) =>
        recentlyPurchased({
          storeHash: SEED.store,
          customerId: 7,
          accessToken: SEED.accessToken,
          apiUrl: api.url,
          cache,
        });
      const first = await ask(createRedisCache(client, { prefix: 'shared:' }));
      const calls = api.calls.length;
      const again = await ask(createRedisCache(second, { prefix: 'shared:' }));
      assert.deepEqual(again, first);
      assert.equal(api.calls.length, calls);
      const keys = await client.keys('shared:*');
      assert.equal(keys.length, 1);
      assert.ok(keys[0]!.includes(SEED.store));
      for (const key of keys) assert.ok(!`${key}${await client.get(key)}`.includes(SEED.accessToken));
    } finally {
      await second.quit();
    }
  });

  it('refuses something that is not a client', () => {
    assert.throws(() => createRedisCache({} as never), /redis/);
  });
});
