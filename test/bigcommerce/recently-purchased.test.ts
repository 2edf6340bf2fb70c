import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  createMemoryCache,
  recentlyPurchased,
  type RecentlyPurchasedOptions,
  type StoreApiEvent,
} from '../../src/bigcommerce/index.js';
import { createMockStoreApi, MOCK_STORE_API_SEED as SEED } from '../../src/testing/index.js';
import { countingFetch, rejectsWith } from './helpers.js';

const api = createMockStoreApi();
before(() => api.listen());
after(() => api.close());
beforeEach(() => api.reset());

const ask = (extra: Partial<RecentlyPurchasedOptions> = {}) =>
  recentlyPurchased({
    storeHash: SEED.store,
    customerId: SEED.customerId,
    accessToken: SEED.accessToken,
    apiUrl: api.url,
    cache: false,
    ...extra,
  });

const calls = (part: string) => api.calls.filter((call) => call.path.includes(part));

describe('recentlyPurchased: the answer', () => {
  it('one item per product, its latest purchase, newest first, with image and link', async () => {
    const items = await ask();
    assert.deepEqual(
      items.map((item) => [item.productId, item.orderId]),
      [
        [106, 206],
        [105, 205],
        [101, 204],
        [104, 204],
        [103, 202],
      ],
    );
    assert.deepEqual(items[2], {
      productId: 101,
      name: 'Orbit Terrarium',
      orderId: 204,
      purchasedAt: '2024-05-07T09:30:00.000Z',
      quantity: 3,
      sku: 'SKU-101',
      imageUrl: `https://cdn.example.com/${SEED.store}/101.jpg`,
      url: '/orbit-terrarium/',
    });
  });

  it('asks Orders v2 sorted newest first for this customer, and the catalog once with id:in and the image', async () => {
    await ask();
    const [orders] = calls('/v2/orders').filter((call) => !call.path.includes('products'));
    assert.equal(orders!.query['customer_id'], String(SEED.customerId));
    assert.equal(orders!.query['sort'], 'date_created:desc');
    assert.equal(orders!.query['channel_id'], undefined);
    const catalog = calls('/v3/catalog/products');
    assert.equal(catalog.length, 1);
    assert.equal(catalog[0]!.query['include'], 'primary_image');
    assert.deepEqual(catalog[0]!.query['id:in']!.split(',').map(Number).sort(), [101, 103, 104, 105, 106]);
  });

  it('cancelled orders and custom products (product_id 0) are left out', async () => {
    const items = await ask({ limit: 50 });
    assert.ok(!items.some((item) => item.productId === 110), 'the cancelled order 203');
    assert.ok(!items.some((item) => item.productId === 0));
    assert.deepEqual(items.map((item) => item.productId).sort(), [101, 102, 103, 104, 105, 106]);
  });

  it('limit: only as many products, and only the orders needed to find them', async () => {
    const items = await ask({ limit: 2 });
    assert.deepEqual(
      items.map((item) => item.productId),
      [106, 105],
    );
    assert.equal(calls('/products').filter((c) => c.path.includes('/orders/')).length, 2);
  });

  it('channelId filters the orders by channel', async () => {
    const items = await ask({ channelId: 2 });
    assert.deepEqual(
      items.map((item) => item.productId),
      [105],
    );
    assert.equal(api.calls[0]!.query['channel_id'], '2');
  });

  it('no orders (204): an empty list, and no more calls', async () => {
    assert.deepEqual(await ask({ customerId: SEED.customerWithoutOrders }), []);
    assert.equal(api.calls.length, 1);
    assert.equal(api.calls[0]!.status, 204);
  });

  it('storefrontUrl makes the links absolute', async () => {
    const [first] = await ask({ limit: 1, storefrontUrl: 'https://shop.example.com/' });
    assert.equal(first!.url, 'https://shop.example.com/tiered-wire-basket/');
  });

  it('a product without an image, or gone from the catalog, has no imageUrl (and no url when gone)', async () => {
    api.addProduct(SEED.store, { id: 106, name: 'Tiered Wire Basket', imageUrl: null });
    api.addOrder(SEED.store, {
      customerId: 7,
      createdAt: '2024-06-01T00:00:00Z',
      lines: [{ productId: 999, name: 'Gone' }],
    });
    const [gone, noImage] = await ask({ limit: 2 });
    assert.deepEqual(gone, {
      productId: 999,
      name: 'Gone',
      orderId: gone!.orderId,
      purchasedAt: '2024-06-01T00:00:00.000Z',
      quantity: 1,
    });
    assert.equal(noImage!.imageUrl, undefined);
    assert.equal(noImage!.url, '/tiered-wire-basket/');
  });

  it('two lines of one product in an order: one item, quantities added', async () => {
    api.addOrder(SEED.store, {
      customerId: 7,
      createdAt: '2024-06-01T00:00:00Z',
      lines: [
        { productId: 102, quantity: 2 },
        { productId: 102, quantity: 5, sku: 'SKU-102-RED' },
      ],
    });
    const [first] = await ask({ limit: 1 });
    assert.equal(first!.productId, 102);
    assert.equal(first!.quantity, 7);
  });

  it('orders on later pages are read when the first page repeats products', async () => {
    for (let day = 1; day <= 25; day++) {
      api.addOrder(SEED.store, { customerId: 40, createdAt: Date.UTC(2024, 6, day), lines: [{ productId: 101 }] });
    }
    api.addOrder(SEED.store, { customerId: 40, createdAt: Date.UTC(2024, 5, 1), lines: [{ productId: 102 }] });
    const items = await ask({ customerId: 40, limit: 2 });
    assert.deepEqual(
      items.map((item) => item.productId),
      [101, 102],
    );
    assert.equal(items[0]!.purchasedAt, new Date(Date.UTC(2024, 6, 25)).toISOString());
    const pages = calls('/v2/orders').filter((c) => !c.path.includes('products'));
    assert.deepEqual(
      pages.map((c) => c.query['page']),
      ['1', '2', '3'],
    );
  });

  it("an order's product lines past the first page (250) are read", async () => {
    const lines = Array.from({ length: 260 }, (_, i) => ({ productId: 1000 + i, name: `P${i}` }));
    for (const line of lines) api.addProduct(SEED.store, { id: line.productId, name: line.name });
    api.addOrder(SEED.store, { customerId: 41, createdAt: '2024-06-01T00:00:00Z', lines });
    const items = await ask({ customerId: 41, limit: 50 });
    assert.equal(items.length, 50);
    const pages = calls('/products').filter((c) => c.path.includes('/orders/'));
    assert.deepEqual(
      pages.map((c) => c.query['page']),
      ['1', '2'],
    );
  });

  it('cold: three sequential round trips at most; warm: none', async () => {
    const { fetch, stats } = countingFetch();
    const cache = createMemoryCache();
    await ask({ fetch, cache });
    assert.equal(stats.rounds, 3);
    assert.equal(stats.requests, 7); // orders, five orders' lines, catalog
    await ask({ fetch, cache });
    assert.equal(stats.requests, 7);
  });
});

describe('recentlyPurchased: access tokens and errors', () => {
  it('a lookup function gets the store hash and is called only on a miss', async () => {
    const asked: string[] = [];
    const cache = createMemoryCache();
    const accessToken = async (hash: string) => {
      asked.push(hash);
      return SEED.accessToken;
    };
    await ask({ accessToken, cache });
    await ask({ accessToken, cache });
    assert.deepEqual(asked, [SEED.store]);
  });

  it('a lookup that throws or gives no token: access_token', async () => {
    await rejectsWith(ask({ accessToken: () => Promise.reject(new Error('db down')) }), 'access_token', /lookup/);
    await rejectsWith(ask({ accessToken: () => '' }), 'access_token');
    assert.equal(api.calls.length, 0);
  });

  it('401 names the credentials, never the token', async () => {
    const error = await rejectsWith(ask({ accessToken: 'wrong-token-abcdef' }), 'unauthorized', /access token/);
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes('wrong-token-abcdef'));
    assert.ok(!String(error.stack).includes('wrong-token-abcdef'));
  });

  it("another store's token: 401", async () => {
    await rejectsWith(ask({ accessToken: SEED.otherStoreToken }), 'unauthorized');
  });

  it('403 names the missing scope: orders, then products', async () => {
    await rejectsWith(ask({ accessToken: SEED.productsOnlyToken }), 'forbidden', /store_v2_orders_read_only/);
    await rejectsWith(ask({ accessToken: SEED.ordersOnlyToken }), 'forbidden', /store_v2_products_read_only/);
  });

  it('an unknown store: not_found', async () => {
    await rejectsWith(ask({ storeHash: 'nosuchstore' }), 'not_found', /store hash/);
  });

  it('429 with X-Rate-Limit-Time-Reset-Ms: waits it out and answers', async () => {
    api.fail({ status: 429, resetMs: 30, path: '/v2/orders' });
    assert.equal((await ask()).length, 5);
    assert.deepEqual(
      api.calls.slice(0, 2).map((c) => c.status),
      [429, 200],
    );
  });

  it('429 without rate-limit headers: waits a second and answers', async () => {
    api.fail({ status: 429, headers: false, path: '/v3/' });
    assert.equal((await ask()).length, 5);
  });

  it('429 whose reset is after the time limit: rate_limited at once, without waiting', async () => {
    api.fail({ status: 429, resetMs: 60_000 });
    await rejectsWith(ask({ timeoutMs: 5000 }), 'rate_limited', /quota.*timeoutMs 5000/);
    assert.equal(api.calls.length, 1);
  });

  it('429 again and again: gives up after a few waits', async () => {
    api.fail({ status: 429, resetMs: 1, times: 100 });
    await rejectsWith(ask(), 'rate_limited');
    assert.equal(api.calls.length, 4);
  });

  it('a spent quota answers a real 429; a short reset is waited out', async () => {
    const tight = createMockStoreApi({ quota: { requests: 3, windowMs: 300 } });
    const url = await tight.listen();
    try {
      assert.equal((await ask({ apiUrl: url })).length, 5);
      assert.ok(tight.calls.some((c) => c.status === 429));
    } finally {
      await tight.close();
    }
  });

  it('5xx: retried twice, then an answer', async () => {
    api.fail({ status: 503, times: 2, path: '/v2/orders' });
    assert.equal((await ask()).length, 5);
  });

  it('5xx three times: server_error, after three attempts', async () => {
    api.fail({ status: 500, times: 3, path: '/v3/' });
    const error = await rejectsWith(ask(), 'server_error', /500/);
    assert.equal(error.status, 500);
    assert.equal(calls('/v3/').length, 3);
  });

  it('a hang fails at timeoutMs', async () => {
    api.fail({ hang: true });
    await rejectsWith(ask({ timeoutMs: 300 }), 'timeout', /timeoutMs 300/);
  });

  it("the caller's signal aborts, with or without the cache", async () => {
    api.fail({ hang: true, times: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await rejectsWith(ask({ signal: controller.signal }), 'aborted');
    await rejectsWith(ask({ signal: AbortSignal.abort(), cache: createMemoryCache() }), 'aborted');
  });

  it('malformed JSON and HTML: bad_response, naming the Content-Type', async () => {
    api.fail({ body: 'truncated-json' });
    await rejectsWith(ask(), 'bad_response', /not JSON \(Content-Type: application\/json\)/);
    api.fail({ body: 'html', path: '/v3/' });
    await rejectsWith(ask(), 'bad_response', /text\/html/);
  });

  it('an unexpected status: bad_response', async () => {
    api.fail({ status: 418 });
    await rejectsWith(ask(), 'bad_response', /418/);
  });

  it('a redirect is not followed (the token would go along): bad_response', async () => {
    api.fail({ status: 302 });
    await rejectsWith(ask(), 'bad_response', /302/);
    assert.equal(api.calls.length, 1);
  });

  it('a refused connection: network, after bounded retries', async () => {
    const closed = createMockStoreApi();
    const url = await closed.listen();
    await closed.close();
    await rejectsWith(ask({ apiUrl: url }), 'network', /connection failed/);
  });
});

describe('recentlyPurchased: options', () => {
  const bad: Array<[string, Partial<RecentlyPurchasedOptions>, RegExp]> = [
    ['a store hash with a slash', { storeHash: 'abc/../x' }, /storeHash/],
    ['an empty store hash', { storeHash: '' }, /storeHash/],
    ['customer 0', { customerId: 0 }, /customerId/],
    ['a customer as a string', { customerId: '7' as unknown as number }, /customerId/],
    ['a fractional customer', { customerId: 1.5 }, /customerId/],
    ['limit 0', { limit: 0 }, /limit.*1 to 50/],
    ['limit 51', { limit: 51 }, /limit/],
    ['channel -1', { channelId: -1 }, /channelId/],
    ['plain http to another host', { apiUrl: 'http://api.bigcommerce.com' }, /apiUrl.*https/],
    ['not a URL', { apiUrl: 'nope' }, /apiUrl/],
    ['timeoutMs 0', { timeoutMs: 0 }, /timeoutMs/],
    ['a token with a space', { accessToken: 'a b' }, /accessToken/],
    ['no token', { accessToken: undefined as unknown as string }, /accessToken/],
    ['a cache without set', { cache: { get: async () => undefined } as never }, /cache/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what}, before any call`, async () => {
      const error = await rejectsWith(
        ask(options),
        options.accessToken === 'a b' ? 'access_token' : 'invalid_options',
        message,
      );
      assert.equal(api.calls.length, 0, error.message);
    });
  }

  it('the default apiUrl is https://api.bigcommerce.com', async () => {
    const seen: string[] = [];
    await ask({
      apiUrl: undefined,
      fetch: async (input) => {
        seen.push(String(input));
        return new Response(null, { status: 204 });
      },
    });
    assert.equal(
      seen[0],
      `https://api.bigcommerce.com/stores/${SEED.store}/v2/orders?customer_id=7&sort=date_created%3Adesc&limit=10&page=1`,
    );
  });

  it('an apiUrl with a path keeps it', async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = async (input) => {
      seen.push(String(input));
      return new Response(null, { status: 204 });
    };
    await ask({ apiUrl: 'https://proxy.example.com/bc', fetch });
    assert.ok(seen[0]!.startsWith(`https://proxy.example.com/bc/stores/${SEED.store}/v2/orders?`));
  });
});

describe('recentlyPurchased: the cache', () => {
  it('on by default: the second identical question makes no call', async () => {
    const options = { customerId: 9, cache: undefined };
    await ask(options);
    const before = api.calls.length;
    await ask(options);
    assert.equal(api.calls.length, before);
  });

  it('keyed by store: the same customer ID in another store gets its own answer', async () => {
    const cache = createMemoryCache();
    const first = await ask({ cache });
    const other = await ask({ cache, storeHash: SEED.otherStore, accessToken: SEED.otherStoreToken });
    assert.deepEqual(
      other.map((item) => item.productId),
      [501],
    );
    assert.notDeepEqual(first, other);
  });

  it('keyed by customer, channel and limit', async () => {
    const cache = createMemoryCache();
    const events: StoreApiEvent[] = [];
    const onEvent = (event: StoreApiEvent) => events.push(event);
    for (const extra of [{}, { customerId: 9 }, { channelId: 2 }, { limit: 2 }, {}])
      await ask({ cache, onEvent, ...extra });
    const outcomes = events.flatMap((event) => (event.type === 'cache' ? [event.outcome] : []));
    assert.deepEqual(outcomes, ['miss', 'miss', 'miss', 'miss', 'hit']);
    assert.equal(cache.size, 4);
    for (const event of events) assert.ok(!JSON.stringify(event).includes(SEED.accessToken));
  });

  it('simultaneous identical questions share one set of calls', async () => {
    const cache = createMemoryCache();
    api.latencyMs = 30;
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask({ cache })));
    assert.equal(api.calls.length, 7);
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
  });

  it('cache: false asks every time', async () => {
    await ask({ limit: 1 });
    await ask({ limit: 1 });
    assert.equal(calls('/v3/').length, 2);
  });

  it('expires after cacheTtlMs', async () => {
    let now = 0;
    const cache = createMemoryCache({ now: () => now });
    await ask({ cache, limit: 1, cacheTtlMs: 1000 });
    now = 999;
    await ask({ cache, limit: 1, cacheTtlMs: 1000 });
    assert.equal(calls('/v3/').length, 1);
    now = 1000;
    await ask({ cache, limit: 1, cacheTtlMs: 1000 });
    assert.equal(calls('/v3/').length, 2);
  });

  it('is bounded: the least recently used entry goes', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', '1', 1000);
    await cache.set('b', '2', 1000);
    await cache.get('a');
    await cache.set('c', '3', 1000);
    assert.equal(cache.size, 2);
    assert.equal(await cache.get('b'), undefined);
    assert.equal(await cache.get('a'), '1');
    assert.throws(() => createMemoryCache({ maxEntries: 0 }), /maxEntries/);
  });

  it('a failing cache is reported and the API answers', async () => {
    const events: StoreApiEvent[] = [];
    const broken = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) };
    const items = await ask({ cache: broken, onEvent: (event) => events.push(event) });
    assert.equal(items.length, 5);
    assert.equal(events.filter((event) => event.type === 'cache-error').length, 2);
  });

  it('a cached value that is not an answer is a miss', async () => {
    const cache = createMemoryCache();
    const events: StoreApiEvent[] = [];
    await ask({ cache, limit: 1, onEvent: (event) => events.push(event) });
    const key = events.find((event) => event.type === 'cache')!;
    await cache.set((key as { key: string }).key, '{not json', 1000);
    assert.equal((await ask({ cache, limit: 1 })).length, 1);
    assert.equal(calls('/v3/').length, 2);
  });
});
