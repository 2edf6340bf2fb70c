/**
 * The demo's app backend (origin B): the exchange endpoint as an app would deploy it, built only from
 * `bc-customer-gate/server`. It verifies the shopper's Current Customer token and answers with that
 * customer's recently purchased products, read from per-store, per-customer fixture data.
 *
 *   POST /customer-gate            JSON { customer, storeHash, expiresAt, data: { products, bought } }
 *   POST /customer-gate/fragment   text/html: member prices as a server-rendered fragment (Page Builder page)
 *   GET  /                         a short page saying what this server is
 *
 * The store comes from the verified token, never from the URL: the fixture holds another store's
 * customer 1 on purpose, and the `stores` allow-list is what keeps a token from that store out.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createCustomerGateHandler, html, toNodeListener } from 'bc-customer-gate/server';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_STORE_HASH,
  DENIED_GROUPS,
  FRAGMENT_ENDPOINT_PATH,
  GROUPS,
  JSON_ENDPOINT_PATH,
} from './config.mjs';

const purchases = JSON.parse(readFileSync(new URL('./data/purchases.json', import.meta.url), 'utf8'));

/** A customer's purchases on one store, most recent first; empty when there are none. */
export function purchasesOf(storeHash, customerId) {
  const store = Object.hasOwn(purchases, storeHash) ? purchases[storeHash] : undefined;
  const key = String(customerId);
  const list = store && Object.hasOwn(store, key) ? store[key] : [];
  return [...list].sort((a, b) => b.purchasedOn.localeCompare(a.purchasedOn));
}

const dateFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

function describe(purchase) {
  return {
    sku: purchase.sku,
    name: purchase.name,
    price: purchase.price,
    quantity: purchase.quantity,
    purchasedOn: dateFormat.format(new Date(`${purchase.purchasedOn}T00:00:00Z`)),
    orderId: purchase.orderId,
  };
}

/**
 * `data` for the JSON endpoint: the product list, and `bought` keyed by SKU (a one-item list for
 * each SKU bought, none for the rest), so a product card's template can use `data-bc-list` on its
 * own SKU and show nothing for products the customer never bought.
 */
export function recentlyPurchased(storeHash, customerId) {
  const products = purchasesOf(storeHash, customerId).map(describe);
  const bought = {};
  for (const product of products)
    bought[product.sku] ??= [{ purchasedOn: product.purchasedOn, quantity: product.quantity }];
  return { products, bought };
}

/** Member price: 10% off for Retail, 20% off for Wholesale. */
function memberPrice(price, groupId) {
  const amount = Number(price.replace(/[^0-9.]/g, ''));
  const discount = groupId === '2' ? 0.2 : 0.1;
  return `$${(amount * (1 - discount)).toFixed(2)}`;
}

/**
 * Starts nothing: returns the app server, ready to `start()`. `storefrontOrigin` is the only origin
 * allowed to call the endpoints from a browser.
 */
export function createDemoApp({ storefrontOrigin, host, port, log = () => {} }) {
  const common = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    stores: [DEMO_STORE_HASH],
    origins: [storefrontOrigin],
    // Never the token: only the failure's code and phase.
    onError(error, context) {
      if (context.status === 401) log(`app: refused a token (${context.code})`);
      else
        log(`app: the exchange failed in ${context.phase}: ${error instanceof Error ? error.message : String(error)}`);
    },
  };

  const allowed = ({ customer, storeHash }) => {
    if (DENIED_GROUPS.has(customer.groupId ?? '')) {
      log(
        `app: denied customer ${customer.id} on ${storeHash} (group ${customer.groupId}: ${GROUPS[customer.groupId]})`,
      );
      return false;
    }
    return true;
  };

  const jsonHandler = createCustomerGateHandler({
    ...common,
    authorize(verified) {
      if (!allowed(verified)) return false;
      const data = recentlyPurchased(verified.storeHash, verified.customer.id);
      log(`app: verified customer ${verified.customer.id} on ${verified.storeHash}: ${data.products.length} products`);
      return data;
    },
  });

  const fragmentHandler = createCustomerGateHandler({
    ...common,
    authorize(verified) {
      if (!allowed(verified)) return false;
      const { customer, storeHash } = verified;
      const products = purchasesOf(storeHash, customer.id).map(describe);
      log(`app: verified customer ${customer.id} on ${storeHash}: fragment with ${products.length} products`);
      const group = GROUPS[customer.groupId] ?? 'Member';
      // The `html` tag escapes every interpolated value: customer data cannot become markup.
      return html`<div class="members-prices">
  <p class="members-who">Signed in as <strong>${customer.email}</strong> · ${group} pricing</p>
  ${
    products.length === 0
      ? html`<p>No orders yet: your member prices appear here after your first order.</p>`
      : html`<table>
    <thead><tr><th scope="col">Product</th><th scope="col">List price</th><th scope="col">Your price</th></tr></thead>
    <tbody>${products.map(
      (product) => html`
      <tr><td>${product.name}</td><td>${product.price}</td><td><strong>${memberPrice(product.price, customer.groupId)}</strong></td></tr>`,
    )}
    </tbody>
  </table>`
  }
</div>`;
    },
  });

  const routes = new Map([
    [JSON_ENDPOINT_PATH, toNodeListener(jsonHandler)],
    [FRAGMENT_ENDPOINT_PATH, toNodeListener(fragmentHandler)],
  ]);

  let stats = { requests: [] };
  const sockets = new Set();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    const record = { method: request.method ?? '', path, status: undefined };
    stats.requests.push(record);
    if (stats.requests.length > 1000) stats.requests.shift();
    response.on('finish', () => (record.status = response.statusCode));

    const route = routes.get(path);
    if (route) return route(request, response);
    if (path === '/' && (request.method === 'GET' || request.method === 'HEAD')) return sendHome(response);
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    response.end('Not found. The endpoints are POST /customer-gate and POST /customer-gate/fragment.\n');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  let boundPort = port;

  return {
    server,
    get port() {
      return boundPort;
    },
    /** Listens on the configured port (or, after a stop, the port it had), resolving with it. */
    start() {
      if (server.listening) return Promise.resolve(boundPort);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(boundPort, host, () => {
          server.off('error', reject);
          boundPort = server.address().port;
          resolve(boundPort);
        });
      });
    },
    /** Stops listening and cuts every connection, so the next request fails as if the app were down. */
    stop() {
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
    /** Requests received since the last reset: method, path and status only (never a body). */
    get stats() {
      return {
        requests: stats.requests.map((record) => ({ ...record })),
        count: (method, path) =>
          stats.requests.filter((r) => r.method === method && (path === undefined || r.path === path)).length,
      };
    },
    resetStats() {
      stats = { requests: [] };
    },
  };
}

function sendHome(response) {
  const body = `<!DOCTYPE html>
<html lang="en"><meta charset="utf-8"><title>Demo app backend</title>
<style>body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f3f1ec;padding:0 .25em;border-radius:3px}</style>
<h1>Demo app backend</h1>
<p>This is the app's server, on a different origin from the storefront. Browsers call it from the
storefront's pages; there is nothing to see here directly.</p>
<ul>
  <li><code>POST ${JSON_ENDPOINT_PATH}</code>: the token as the body; answers the customer's recently purchased products as JSON.</li>
  <li><code>POST ${FRAGMENT_ENDPOINT_PATH}</code>: the same exchange, answering an HTML fragment.</li>
</ul>
</html>
`;
  response.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}
