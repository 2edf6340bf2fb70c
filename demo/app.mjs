/**
 * The demo's app backend (origin B): the exchange endpoint as an app would deploy it, built only from
 * `bc-customer-gate/server` and `bc-customer-gate/bigcommerce`. It verifies the shopper's Current
 * Customer token, then reads that customer's recently purchased products from the store's API with
 * `recentlyPurchased`, exactly as against a real store: the API URL and access token come from the
 * app's configuration (in the demo, the mock store API's URL and its demo token).
 *
 *   POST /customer-gate            JSON { customer, storeHash, expiresAt, data: { products, bought } }
 *   POST /customer-gate/fragment   text/html: recently purchased, with images and links, as a server-rendered fragment
 *   GET  /                         a short page saying what this server is
 *
 * The store comes from the verified token, never from the URL: the mock API holds another store's
 * customer 1 on purpose, and the `stores` allow-list is what keeps a token from that store out.
 */
import { createServer } from 'node:http';
import { createMemoryCache, recentlyPurchased } from 'bc-customer-gate/bigcommerce';
import { createCustomerGateHandler, html, toNodeListener } from 'bc-customer-gate/server';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_STORE_HASH,
  DENIED_GROUPS,
  FRAGMENT_ENDPOINT_PATH,
  GROUPS,
  JSON_ENDPOINT_PATH,
  RECENT_LIMIT,
} from './config.mjs';

const dateFormat = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** One product as the pages show it: `purchasedAt` (ISO 8601) becomes "Nov 1, 2026". */
function describe(item) {
  return {
    productId: item.productId,
    sku: item.sku ?? '',
    name: item.name,
    quantity: item.quantity,
    orderId: item.orderId,
    purchasedOn: dateFormat.format(new Date(item.purchasedAt)),
    imageUrl: item.imageUrl ?? '',
    url: item.url ?? '',
  };
}

/**
 * `data` for the JSON endpoint: the product list, and `bought` keyed by SKU (a one-item list for
 * each SKU bought, none for the rest), so a product card's template can use `data-bc-list` on its
 * own SKU and show nothing for products the customer never bought.
 */
export function purchaseData(items) {
  const products = items.map(describe);
  const bought = {};
  for (const product of products)
    if (product.sku) bought[product.sku] ??= [{ purchasedOn: product.purchasedOn, quantity: product.quantity }];
  return { products, bought };
}

/** Group discount on reorders: 10% for Retail, 20% for Wholesale. */
function discountOf(groupId) {
  return groupId === '2' ? '20%' : '10%';
}

/** One line per store API request or cache outcome: path and status, never a header (so never the token). */
function storeApiLogger(log, storeHash, customerId) {
  return (event) => {
    if (event.type === 'request') {
      const left = event.requestsLeft === undefined ? '' : `, ${event.requestsLeft} left in the window`;
      log(`store api: ${event.method} ${event.path} -> ${event.status ?? 'no answer'} (${event.durationMs} ms${left})`);
    } else if (event.type === 'cache') {
      log(`store api: cache ${event.outcome} for customer ${customerId} on ${storeHash}`);
    } else log('store api: the cache failed; reading the store instead');
  };
}

/**
 * Starts nothing: returns the app server, ready to `start()`. `storefrontOrigin` is the only origin
 * allowed to call the endpoints from a browser. `storeApi` is the store's Management API as a real
 * app configures it: `apiUrl` (default BigCommerce's) and the store's `accessToken`.
 */
export function createDemoApp({ storefrontOrigin, host, port, storeApi, log = () => {} }) {
  // One cache per app: both endpoints and every page share a customer's answer for a minute.
  const cache = createMemoryCache();
  const purchasesOf = (storeHash, customerId) =>
    recentlyPurchased({
      storeHash,
      customerId,
      accessToken: storeApi.accessToken,
      apiUrl: storeApi.apiUrl,
      storefrontUrl: storefrontOrigin,
      limit: RECENT_LIMIT,
      cache,
      onEvent: storeApiLogger(log, storeHash, customerId),
    });

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
    async authorize(verified) {
      if (!allowed(verified)) return false;
      const data = purchaseData(await purchasesOf(verified.storeHash, verified.customer.id));
      log(`app: verified customer ${verified.customer.id} on ${verified.storeHash}: ${data.products.length} products`);
      return data;
    },
  });

  const fragmentHandler = createCustomerGateHandler({
    ...common,
    async authorize(verified) {
      if (!allowed(verified)) return false;
      const { customer, storeHash } = verified;
      const products = (await purchasesOf(storeHash, customer.id)).map(describe);
      log(`app: verified customer ${customer.id} on ${storeHash}: fragment with ${products.length} products`);
      const group = GROUPS[customer.groupId] ?? 'Member';
      // The `html` tag escapes every interpolated value: customer and store data cannot become markup.
      return html`<div class="members-recent">
  <p class="members-who">Signed in as <strong>${customer.email}</strong> · ${group}: ${discountOf(customer.groupId)} off every reorder</p>
  ${
    products.length === 0
      ? html`<p>No orders yet: what you buy appears here, ready to reorder at your member price.</p>`
      : html`<ul class="recent">${products.map(
          (product) => html`
    <li class="recent-item">
      ${product.imageUrl ? html`<img class="recent-image" src="${product.imageUrl}" alt="" width="56" height="56">` : html`<span class="thumb" aria-hidden="true"></span>`}
      <span class="recent-text">
        ${product.url ? html`<a class="recent-name" href="${product.url}">${product.name}</a>` : html`<span class="recent-name">${product.name}</span>`}
        <span class="recent-meta">Ordered ${product.purchasedOn} · Quantity ${product.quantity}</span>
      </span>
    </li>`,
        )}
  </ul>`
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
