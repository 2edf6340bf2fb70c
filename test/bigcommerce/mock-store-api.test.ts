// The mock store API answers in the shapes BigCommerce documents, so tests against it mean something.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createMockStoreApi, MOCK_STORE_API_SEED as SEED } from '../../src/testing/index.js';

const api = createMockStoreApi({ latencyMs: 5 });
before(() => api.listen());
after(() => api.close());
beforeEach(() => api.reset());

const get = (path: string, token: string = SEED.accessToken) =>
  fetch(`${api.url}/stores/${SEED.store}${path}`, { headers: { 'X-Auth-Token': token, Accept: 'application/json' } });
const RATE_HEADERS = [
  'x-rate-limit-time-window-ms',
  'x-rate-limit-time-reset-ms',
  'x-rate-limit-requests-quota',
  'x-rate-limit-requests-left',
];

describe('createMockStoreApi', () => {
  it('Orders v2: RFC 2822 dates, money as strings, oldest first without a sort', async () => {
    const response = await get('/v2/orders?customer_id=7');
    const orders = (await response.json()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      orders.map((o) => o['id']),
      [201, 202, 203, 204, 205, 206],
    );
    assert.match(
      String(orders[0]!['date_created']),
      /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
    );
    assert.match(String(orders[0]!['total_inc_tax']), /^\d+\.\d{4}$/);
    assert.deepEqual(Object.keys(orders[0]!['products'] as object), ['url', 'resource']);
  });

  it('pages with limit and page, and answers 204 with an empty body past the end', async () => {
    const second = (await (await get('/v2/orders?customer_id=7&limit=4&page=2')).json()) as unknown[];
    assert.equal(second.length, 2);
    const past = await get('/v2/orders?customer_id=7&limit=4&page=3');
    assert.equal(past.status, 204);
    assert.equal(await past.text(), '');
    assert.equal((await get('/v2/orders?limit=251')).status, 400);
  });

  it('order products and Catalog v3 in their documented shapes', async () => {
    const lines = (await (await get('/v2/orders/201/products')).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(
      lines.map((line) => [line['product_id'], line['quantity'], typeof line['base_price']]),
      [
        [101, 1, 'string'],
        [102, 2, 'string'],
      ],
    );
    const catalog = (await (await get('/v3/catalog/products?id:in=101,102&include=primary_image')).json()) as {
      data: Array<Record<string, unknown>>;
      meta: { pagination: { total: number } };
    };
    assert.equal(catalog.meta.pagination.total, 2);
    assert.deepEqual(Object.keys(catalog.data[0]!['primary_image'] as object).sort(), [
      'id',
      'product_id',
      'url_standard',
      'url_thumbnail',
    ]);
    const bare = (await (await get('/v3/catalog/products?id:in=101')).json()) as {
      data: Array<Record<string, unknown>>;
    };
    assert.equal(bare.data[0]!['primary_image'], undefined);
  });

  it('rate-limit headers on every store answer, 401 and 403 included; the quota counts down', async () => {
    const answers = [
      await get('/v2/orders'),
      await get('/v2/orders', 'wrong'),
      await get('/v3/catalog/products', SEED.ordersOnlyToken),
    ];
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 401, 403],
    );
    for (const response of answers) for (const name of RATE_HEADERS) assert.ok(response.headers.has(name), name);
    assert.deepEqual(
      answers.map((r) => r.headers.get('x-rate-limit-requests-left')),
      ['149', '148', '147'],
    );
  });

  it('faults on demand, matched by path, each for its number of times; the call log has no headers', async () => {
    api.fail({ status: 503, path: '/v3/', times: 2 });
    api.fail({ status: 429, resetMs: 1234 });
    assert.equal((await get('/v3/catalog/products')).status, 503);
    const limited = await get('/v2/orders');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-rate-limit-time-reset-ms'), '1234');
    assert.equal((await get('/v3/catalog/products')).status, 503);
    assert.equal((await get('/v3/catalog/products')).status, 200);
    assert.deepEqual(
      api.calls.map((call) => call.status),
      [503, 429, 503, 200],
    );
    assert.ok(!JSON.stringify(api.calls).includes(SEED.accessToken));
  });

  it('a 429 without headers carries none of them', async () => {
    api.fail({ status: 429, headers: false });
    const response = await get('/v2/orders');
    for (const name of RATE_HEADERS) assert.equal(response.headers.get(name), null, name);
  });

  it('close() ends a hung request', async () => {
    const hung = createMockStoreApi({ seed: true });
    const url = await hung.listen();
    hung.fail({ hang: true });
    const pending = fetch(`${url}/stores/${SEED.store}/v2/orders`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await hung.close();
    assert.equal(await pending, 'cut');
    assert.throws(() => createMockStoreApi().url, /listen/);
  });
});
