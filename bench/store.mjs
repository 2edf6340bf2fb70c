// The store API side of an exchange: what `recentlyPurchased` costs the store's rate limit and the
// shopper's wait, against the mock store API at a simulated distance to BigCommerce. One exchange
// endpoint (node:http, this package's handler) per configuration, all in this process on loopback:
//
//   - API calls per 1,000 signed-in page views by 100 shoppers, cache on and off;
//   - exchange latency p50/p95: cold (cache miss, the store API called), warm (cache hit), and a
//     fixture answer (authorize returns fixed data, no store API), measured in interleaved rounds.
import { createServer } from 'node:http';
import { createMemoryCache, recentlyPurchased } from 'bc-customer-gate/bigcommerce';
import { createCustomerGateHandler, toNodeListener } from 'bc-customer-gate/server';
import { createMockStoreApi, mintCustomerToken } from 'bc-customer-gate/testing';
import { BenchError, CLIENT_ID, EXCHANGE_CONTENT_TYPE, STORE_HASH } from './common.mjs';

const ORIGIN = 'https://store.example.com';
const ACCESS_TOKEN = 'bench-store-api-token-0123456789';
const SHOPPERS = 100;
const PRODUCTS = 40;

/** A deterministic pseudo-random sequence (mulberry32), so every run models the same shoppers. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 100 shoppers with 1 to 6 orders of 1 to 3 lines each, over the last year. */
function seedStore(api) {
  const next = random(18);
  api.addStore({
    hash: STORE_HASH,
    tokens: { [ACCESS_TOKEN]: ['store_v2_orders_read_only', 'store_v2_products_read_only'] },
  });
  for (let id = 1; id <= PRODUCTS; id++) api.addProduct(STORE_HASH, { id, name: `Product ${id}`, sku: `SKU-${id}` });
  const now = Date.now();
  for (let customer = 1; customer <= SHOPPERS; customer++) {
    const orders = 1 + Math.floor(next() * 6);
    for (let o = 0; o < orders; o++) {
      const lines = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({
        productId: 1 + Math.floor(next() * PRODUCTS),
        quantity: 1 + Math.floor(next() * 3),
      }));
      api.addOrder(STORE_HASH, { customerId: customer, createdAt: now - Math.floor(next() * 365) * 86_400_000, lines });
    }
  }
}

/** An exchange endpoint on a free loopback port; `answer` is its authorize hook's data. */
async function startEndpoint(secret, answer) {
  const handler = createCustomerGateHandler({
    clientId: CLIENT_ID,
    clientSecret: secret,
    stores: [STORE_HASH],
    origins: [ORIGIN],
    authorize: async (verified) => ({ products: await answer(verified) }),
    onError: (error) => {
      throw new BenchError(`the endpoint failed: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  const server = createServer(toNodeListener(handler));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** One page view's exchange; resolves with its latency in milliseconds. */
async function exchange(url, token) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    body: token,
    headers: { Origin: ORIGIN, 'Content-Type': EXCHANGE_CONTENT_TYPE },
  });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new BenchError(`an exchange answered ${response.status}: ${body.slice(0, 200)}`);
  return ms;
}

/** Runs `views` (token per view) with at most `inFlight` at once; returns each latency. */
async function run(url, views, inFlight) {
  const latencies = new Array(views.length);
  let next = 0;
  const worker = async () => {
    while (next < views.length) {
      const index = next++;
      latencies[index] = await exchange(url, views[index]);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return latencies;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round1 = (ms) => Math.round(ms * 10) / 10;

/**
 * @param {{ secret: string, latencyMs?: number, views?: number, rounds?: number, log: (line: string) => void }} options
 */
export async function benchStore({ secret, latencyMs = 80, views = 1000, rounds = 4, inFlight = 10, log }) {
  const api = createMockStoreApi({ seed: false, latencyMs, quota: { requests: 1_000_000, windowMs: 30_000 } });
  seedStore(api);
  const apiUrl = await api.listen();
  const tokens = await Promise.all(
    Array.from({ length: SHOPPERS }, (_, i) =>
      mintCustomerToken({
        clientId: CLIENT_ID,
        clientSecret: secret,
        storeHash: STORE_HASH,
        customer: { id: i + 1, email: `shopper${i + 1}@example.com` },
      }),
    ),
  );
  // 1,000 page views by 100 shoppers, in a seeded random order: each shopper views 10 pages.
  const shuffle = random(7);
  const pageViews = Array.from({ length: views }, (_, i) => tokens[i % SHOPPERS]);
  for (let i = pageViews.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [pageViews[i], pageViews[j]] = [pageViews[j], pageViews[i]];
  }

  let cache = createMemoryCache();
  // The fixture endpoint answers each shopper with the very list the store gave them, so the two
  // answers are the same bytes and only the way to them differs.
  const answers = new Map();
  const fromStore = async ({ storeHash, customer }, useCache) => {
    const items = await recentlyPurchased({
      storeHash,
      customerId: customer.id,
      accessToken: ACCESS_TOKEN,
      apiUrl,
      cache: useCache ? cache : false,
    });
    answers.set(customer.id, items);
    return items;
  };
  const fromFixture = async ({ customer }) => {
    const items = answers.get(customer.id);
    if (!items) throw new BenchError(`no fixture answer for customer ${customer.id}`);
    return items;
  };
  const cached = await startEndpoint(secret, (verified) => fromStore(verified, true));
  const uncached = await startEndpoint(secret, (verified) => fromStore(verified, false));
  const fixed = await startEndpoint(secret, fromFixture);
  const storeCalls = () => api.calls.filter((call) => call.path.startsWith('/stores/')).length;

  try {
    log(`  ${views} page views by ${SHOPPERS} shoppers, ${inFlight} in flight, store API at ${latencyMs} ms...`);
    const calls = {};
    for (const [name, url] of [
      ['cacheOn', cached.url],
      ['cacheOff', uncached.url],
    ]) {
      cache = createMemoryCache();
      api.clearCalls();
      await run(url, pageViews, inFlight);
      calls[name] = storeCalls();
    }

    // Latency: cold = each shopper's first view on an empty cache; warm = views answered from the
    // cache; fixture = the same answer from a Map, no store API at all. Interleaved rounds, pooled.
    const latency = { cold: [], warm: [], fixture: [] };
    for (let round = 0; round < rounds; round++) {
      log(`  latency round ${round + 1} of ${rounds}...`);
      cache = createMemoryCache();
      latency.cold.push(...(await run(cached.url, tokens, inFlight)));
      // Warm and fixture take turns going first, so neither always runs right after the cold phase.
      const order = round % 2 === 0 ? ['warm', 'fixture'] : ['fixture', 'warm'];
      for (const name of order) {
        latency[name].push(...(await run(name === 'warm' ? cached.url : fixed.url, pageViews, inFlight)));
      }
    }
    const summary = Object.fromEntries(
      Object.entries(latency).map(([name, values]) => [
        name,
        { count: values.length, p50: round1(percentile(values, 50)), p95: round1(percentile(values, 95)) },
      ]),
    );
    return { latencyMs, views, shoppers: SHOPPERS, inFlight, rounds, calls, latency: summary };
  } finally {
    await Promise.all([cached.close(), uncached.close(), fixed.close(), api.close()]);
  }
}
