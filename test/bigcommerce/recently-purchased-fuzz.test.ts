// Generated order histories against a plain model of the answer: one item per product, from its
// latest purchased order (quantities of that order's lines added), newest first (within one order,
// in line order), at most `limit`. Order times are distinct: with equal times either order is "latest".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { recentlyPurchased } from '../../src/bigcommerce/index.js';
import { createMockStoreApi, type MockOrder } from '../../src/testing/index.js';
import { runProperty } from '../fuzz/run-property.js';

const TOKEN = 'fuzz-store-token-0001';
const api = createMockStoreApi({ seed: false, quota: { requests: 1_000_000, windowMs: 30_000 } });
before(() => api.listen());
after(() => api.close());

const order = fc.record({
  day: fc.integer({ min: 1, max: 28 }),
  hour: fc.integer({ min: 0, max: 23 }),
  statusId: fc.constantFrom(0, 5, 6, 10, 10, 11),
  channelId: fc.constantFrom(1, 2),
  lines: fc.array(fc.record({ productId: fc.integer({ min: 0, max: 12 }), quantity: fc.integer({ min: 1, max: 3 }) }), {
    minLength: 1,
    maxLength: 4,
  }),
});

function model(
  orders: Array<Required<Pick<MockOrder, 'id' | 'statusId' | 'channelId'>> & { at: number; lines: MockOrder['lines'] }>,
  limit: number,
  channel?: number,
) {
  const latest = new Map<number, { orderId: number; at: number; quantity: number; line: number }>();
  for (const o of orders) {
    if ([0, 5, 6].includes(o.statusId) || (channel !== undefined && o.channelId !== channel)) continue;
    const inOrder = new Map<number, number>();
    const firstLine = new Map<number, number>();
    for (const [index, line] of o.lines.entries()) {
      if (!line.productId) continue;
      inOrder.set(line.productId, (inOrder.get(line.productId) ?? 0) + (line.quantity ?? 1));
      if (!firstLine.has(line.productId)) firstLine.set(line.productId, index);
    }
    for (const [productId, quantity] of inOrder) {
      const seen = latest.get(productId);
      if (!seen || o.at > seen.at || (o.at === seen.at && o.id > seen.orderId))
        latest.set(productId, { orderId: o.id, at: o.at, quantity, line: firstLine.get(productId)! });
    }
  }
  return [...latest.entries()]
    .sort(([, a], [, b]) => b.at - a.at || b.orderId - a.orderId || a.line - b.line)
    .slice(0, limit)
    .map(([productId, { orderId, quantity }]) => ({ productId, orderId, quantity }));
}

describe('recentlyPurchased against a model (fuzz)', () => {
  it('matches the model for any order history, limit and channel', async (t) => {
    let run = 0;
    await runProperty(
      t,
      fc.asyncProperty(
        fc.array(order, { maxLength: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.constantFrom(1, 2), { nil: undefined }),
        async (generated, limit, channelId) => {
          const store = `fuzz${++run}`;
          api.addStore({
            hash: store,
            tokens: { [TOKEN]: ['store_v2_orders_read_only', 'store_v2_products_read_only'] },
          });
          for (let id = 1; id <= 12; id++) api.addProduct(store, { id, name: `P${id}` });
          const orders = generated.map((o, index) => ({
            ...o,
            id: 1000 + index,
            at: Date.UTC(2024, 1, o.day, o.hour),
          }));
          for (const o of orders) api.addOrder(store, { ...o, customerId: 5, createdAt: o.at });
          const items = await recentlyPurchased({
            storeHash: store,
            customerId: 5,
            accessToken: TOKEN,
            apiUrl: api.url,
            limit,
            channelId,
            cache: false,
          });
          assert.deepEqual(
            items.map(({ productId, orderId, quantity }) => ({ productId, orderId, quantity })),
            model(orders, limit, channelId),
          );
        },
      ),
      { numRuns: 60, timeLimitMs: 4000 },
    );
  });
});
