// The store API part of the conformance suite: what the host's mock store API holds for the suite's
// store and what each runtime's app must answer from it. Free of any runtime's API (every server
// entry imports it through app.mjs).
import { STORE } from './fixture.mjs';

/** The access token the app holds for STORE (as an app keeps one per installed store). */
export const STORE_TOKEN = 'conformance-store-api-token-77c1';

/** Customers whose `authorize` reads recently purchased from the mock store API. */
export const STORE_CUSTOMERS = { purchases: 21, none: 22, badToken: 23 };

/** The storefront's channel by Origin, as an app serving several storefronts maps them. */
export const CHANNELS = { 'https://shop.example.com': 1, 'https://other-shop.example.com': 2 };

const mug = { id: 301, name: 'Runtime Mug', sku: 'RT-MUG' };
const lamp = { id: 302, name: 'Runtime Lamp', sku: 'RT-LAMP' };

/** Fills a mock store API (from `bc-customer-gate/testing`) with the suite's store. */
export function seedStoreApi(api) {
  api.addStore({
    hash: STORE,
    tokens: { [STORE_TOKEN]: ['store_v2_orders_read_only', 'store_v2_products_read_only'] },
  });
  api.addProduct(STORE, mug);
  api.addProduct(STORE, lamp);
  const buyer = STORE_CUSTOMERS.purchases;
  api.addOrder(STORE, {
    id: 901,
    customerId: buyer,
    channelId: 1,
    createdAt: '2024-03-01T10:00:00Z',
    lines: [
      { productId: mug.id, quantity: 2 },
      { productId: lamp.id, quantity: 1 },
    ],
  });
  api.addOrder(STORE, {
    id: 902,
    customerId: buyer,
    channelId: 2,
    createdAt: '2024-03-05T10:00:00Z',
    lines: [{ productId: lamp.id, quantity: 4 }],
  });
  api.addOrder(STORE, {
    id: 903,
    customerId: buyer,
    channelId: 1,
    createdAt: '2024-03-10T10:00:00Z',
    lines: [{ productId: mug.id, quantity: 1 }],
  });
}

const item = (product, orderId, purchasedAt, quantity) => ({
  productId: product.id,
  name: product.name,
  orderId,
  purchasedAt,
  quantity,
  sku: product.sku,
  imageUrl: `https://cdn.example.com/${STORE}/${product.id}.jpg`,
  url: `/${product.name.toLowerCase().replace(/ /g, '-')}/`,
});

/** What recently purchased answers for the buyer, by channel. */
export const EXPECTED_PURCHASES = {
  1: [item(mug, 903, '2024-03-10T10:00:00.000Z', 1), item(lamp, 901, '2024-03-01T10:00:00.000Z', 1)],
  2: [item(lamp, 902, '2024-03-05T10:00:00.000Z', 4)],
};
