/**
 * The demo's stand-in for BigCommerce's Management API: the test kit's `createMockStoreApi`, loaded
 * with the stores in demo/data/store.json. That file is written in BigCommerce's own shapes (Orders
 * v2 orders with RFC 2822 dates and their product lines, Catalog v3 products with `custom_url` and
 * `primary_image`), so the app reads it through exactly the calls it makes to a real store.
 */
import { readFileSync } from 'node:fs';
import { createMockStoreApi } from 'bc-customer-gate/testing';
import { DEMO_ACCESS_TOKEN, DEMO_STORE_HASH, DEMO_TOKEN_SCOPES } from './config.mjs';

/** The demo's store data, as BigCommerce would answer it. */
export const STORE_DATA = JSON.parse(readFileSync(new URL('./data/store.json', import.meta.url), 'utf8'));

/**
 * Starts the mock API on 127.0.0.1 (only the app's server calls it). Image paths in the catalog
 * are served by the storefront, so they are made absolute against `imageOrigin`, as BigCommerce's
 * CDN URLs are.
 *
 * @param {{ imageOrigin: string }} options
 */
export async function startStoreApi({ imageOrigin }) {
  const api = createMockStoreApi({ seed: false });
  for (const [hash, store] of Object.entries(STORE_DATA.stores)) {
    // Only the demo store has a token the app holds: another store's data stays unreadable.
    api.addStore({ hash, tokens: hash === DEMO_STORE_HASH ? { [DEMO_ACCESS_TOKEN]: DEMO_TOKEN_SCOPES } : {} });
    for (const product of store.catalog) {
      const image = product.primary_image?.url_standard;
      api.addProduct(hash, {
        id: product.id,
        name: product.name,
        sku: product.sku,
        price: product.price,
        path: product.custom_url.url,
        imageUrl: image ? new URL(image, imageOrigin).href : null,
      });
    }
    for (const order of store.orders) {
      api.addOrder(hash, {
        id: order.id,
        customerId: order.customer_id,
        channelId: order.channel_id,
        statusId: order.status_id,
        createdAt: order.date_created,
        lines: order.products.map((line) => ({
          productId: line.product_id,
          name: line.name,
          sku: line.sku,
          quantity: line.quantity,
          price: Number(line.base_price),
        })),
      });
    }
  }
  await api.listen();
  return api;
}
