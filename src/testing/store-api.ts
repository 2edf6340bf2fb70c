/**
 * A mock of the BigCommerce APIs an app's server calls for a shopper's data: Orders v2 (orders and
 * their products), Catalog v3 products, and the OAuth token endpoint of the install callback. A
 * real HTTP server on loopback, faithful to the documented shapes, with switchable faults (429,
 * 5xx, hangs, bad bodies), simulated latency and a call log. For tests and local demos only.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOn, trackSockets } from './lifecycle.js';
import {
  type MockOrder,
  type MockProduct,
  type MockStoreSeed,
  MockStoreData,
  ORDERS_READ,
  PRODUCTS_READ,
  seedStores,
} from './store-api-data.js';

export {
  MOCK_STORE_API_SEED,
  type MockOrder,
  type MockOrderLine,
  type MockProduct,
  type MockStoreSeed,
} from './store-api-data.js';

/** Options of {@link createMockStoreApi}. */
export interface MockStoreApiOptions {
  /** Start with the seeded stores, customers and orders ({@link MOCK_STORE_API_SEED}). Default `true`. */
  seed?: boolean;
  /** The app the OAuth endpoint accepts. Defaults: `mock-client-id`, `mock-client-secret`, `https://app.example.com/auth`. */
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  /** Requests per window per store before a real 429. Default 150 per 30000 ms (a Standard plan). */
  quota?: { requests: number; windowMs: number };
  /** Wait this long before every answer, to simulate the distance to BigCommerce. Default 0. */
  latencyMs?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `0`: a free port. */
  port?: number;
}

/**
 * A misbehaviour for the next `times` matching requests (default 1). `path` limits it to requests
 * whose path contains the string or matches the pattern.
 */
export type StoreApiFault = { times?: number; path?: string | RegExp } & (
  | /** 429; `resetMs` goes in `X-Rate-Limit-Time-Reset-Ms` unless `headers` is `false` (no rate-limit headers at all). */
  { status: 429; resetMs?: number; headers?: boolean } /** Any other status, with a small JSON error body. */
  | { status: number } /** Never answer; the caller must time out. `close()` ends it. */
  | { hang: true } /** 200 with a body that is not the documented JSON. */
  | { body: 'truncated-json' | 'html' }
);

/** One request the mock received. Never holds a header (so never a token). */
export interface StoreApiCall {
  method: string;
  /** The path without the query. */
  path: string;
  /** The query's parameters. */
  query: Record<string, string>;
  /** The status answered; `undefined` for a hang. */
  status: number | undefined;
}

/** An authorization code the OAuth endpoint will accept once. */
export interface MockAuthCode {
  code: string;
  storeHash: string;
  /** Scopes granted, space-separated. Default orders and products read-only. */
  scope?: string;
  /** The access token to issue. Default a random one. */
  accessToken?: string;
  user?: { id: number; username?: string; email: string };
  owner?: { id: number; username?: string; email: string };
}

export interface MockStoreApi {
  /** Starts listening; resolves with the origin, `http://127.0.0.1:PORT`. */
  listen(): Promise<string>;
  /** Stops and destroys every connection, hung ones included. Safe to call twice. */
  close(): Promise<void>;
  /** The origin: pass it as `recentlyPurchased`'s `apiUrl`. Throws before `listen()` resolves. */
  readonly url: string;
  /** The OAuth endpoint: pass it as `exchangeAuthCode`'s `tokenUrl`. */
  readonly tokenUrl: string;
  /** Every request so far, oldest first (a copy). */
  readonly calls: StoreApiCall[];
  /** Empties the call log. */
  clearCalls(): void;
  /** Adds a store (or more tokens to one). */
  addStore(store: MockStoreSeed): void;
  /** Adds or replaces a catalog product. */
  addProduct(storeHash: string, product: MockProduct): void;
  /** Adds an order; returns its ID. */
  addOrder(storeHash: string, order: MockOrder): number;
  /** Registers an authorization code for the OAuth endpoint. */
  addAuthCode(code: MockAuthCode): void;
  /** Queues a fault; faults apply in the order queued. */
  fail(fault: StoreApiFault): void;
  /** Simulated latency for every answer from now on. */
  latencyMs: number;
  /** Back to the seeded (or empty) data, no faults, no calls, a fresh quota. */
  reset(): void;
}

const STORE_PATH = /^\/stores\/([^/]+)\/(v2\/orders|v2\/orders\/(\d+)\/products|v3\/catalog\/products)$/;

/** Creates a mock BigCommerce API server. Call `listen()` before use and `close()` after. */
export function createMockStoreApi(options: MockStoreApiOptions = {}): MockStoreApi {
  const app = {
    clientId: options.clientId ?? 'mock-client-id',
    clientSecret: options.clientSecret ?? 'mock-client-secret',
    redirectUri: options.redirectUri ?? 'https://app.example.com/auth',
  };
  const quota = options.quota ?? { requests: 150, windowMs: 30_000 };
  const state = freshState(options.seed !== false);
  let origin: string | undefined;
  const api = {} as MockStoreApi;

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { status: 500, title: 'Mock failure' });
    });
  });
  const sockets = trackSockets(server);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    const call: StoreApiCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: undefined,
    };
    state.calls.push(call);
    callOf.set(response, call);
    if (api.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, api.latencyMs));
    const fault = takeFault(state.faults, url.pathname);
    if (fault && 'hang' in fault) return;
    if (url.pathname === '/oauth2/token') return oauthRoute(state, app, request, response, fault);
    const match = STORE_PATH.exec(url.pathname);
    const store = match ? state.stores.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !store) return sendJson(response, 404, { status: 404, title: 'Not found' });
    if (fault) return sendFault(response, fault, rateHeaders(store.hash, quota, state, false).headers);
    const limits = rateHeaders(store.hash, quota, state, true);
    if (limits.left < 0) return sendJson(response, 429, { status: 429, title: 'Too many requests' }, limits.headers);
    const scopes = store.tokens.get(String(request.headers['x-auth-token'] ?? ''));
    if (!scopes) return sendJson(response, 401, { status: 401, title: 'Unauthorized' }, limits.headers);
    const needed = match[2] === 'v3/catalog/products' ? PRODUCTS_READ : ORDERS_READ;
    if (!scopes.has(needed))
      return sendJson(response, 403, { status: 403, title: 'You do not have permission' }, limits.headers);
    const answer = storeRoute(store, match[2]!, match[3], url.searchParams, api.url);
    return answer.body === undefined
      ? send(response, answer.status, '', limits.headers)
      : sendJson(response, answer.status, answer.body, limits.headers);
  }

  Object.defineProperties(api, {
    url: { get: () => origin ?? throwNotListening() },
    tokenUrl: { get: () => `${api.url}/oauth2/token` },
    calls: { get: () => state.calls.map((call) => ({ ...call, query: { ...call.query } })) },
  });
  Object.assign(api, {
    latencyMs: options.latencyMs ?? 0,
    async listen() {
      const listening = await listenOn(server, options.port ?? 0, options.host ?? '127.0.0.1');
      origin = listening.origin;
      return origin;
    },
    close: () => closeServer(server, sockets),
    clearCalls: () => (state.calls.length = 0),
    addStore(seed: MockStoreSeed) {
      const store = storeOf(state, seed.hash);
      for (const [token, scopes] of Object.entries(seed.tokens ?? {})) store.tokens.set(token, new Set(scopes));
    },
    addProduct: (hash: string, product: MockProduct) => storeOf(state, hash).addProduct(product),
    addOrder: (hash: string, order: MockOrder) => storeOf(state, hash).addOrder(order),
    addAuthCode: (code: MockAuthCode) => state.codes.set(code.code, { ...code }),
    fail: (fault: StoreApiFault) => state.faults.push({ fault, left: fault.times ?? 1 }),
    reset() {
      Object.assign(state, freshState(options.seed !== false));
    },
  } satisfies Omit<MockStoreApi, 'url' | 'tokenUrl' | 'calls'>);
  return api;
}

/** The OAuth token endpoint: one registered code, once, for the configured app. */
async function oauthRoute(
  state: State,
  app: { clientId: string; clientSecret: string; redirectUri: string },
  request: IncomingMessage,
  response: ServerResponse,
  fault: StoreApiFault | undefined,
): Promise<void> {
  const text = await readBody(request);
  if (fault) return sendFault(response, fault, {});
  if (request.method !== 'POST') return sendJson(response, 405, { error: 'Method not allowed' });
  const form = parseBody(text, request.headers['content-type']);
  if (form.client_id !== app.clientId || form.client_secret !== app.clientSecret)
    return sendJson(response, 401, { error: 'Invalid client id or secret' });
  const grant = state.codes.get(form.code ?? '');
  const valid =
    grant &&
    form.grant_type === 'authorization_code' &&
    form.redirect_uri === app.redirectUri &&
    form.context === `stores/${grant.storeHash}`;
  if (!grant || !valid) return sendJson(response, 400, { error: 'Invalid authorization code' });
  state.codes.delete(grant.code); // a code works once
  const scope = grant.scope ?? `${ORDERS_READ} ${PRODUCTS_READ}`;
  const accessToken = grant.accessToken ?? randomBytes(16).toString('hex');
  const store = storeOf(state, grant.storeHash);
  store.tokens.set(accessToken, new Set(scope.split(' ')));
  const user = grant.user ?? { id: 24654, username: 'merchant', email: 'merchant@example.com' };
  sendJson(response, 200, {
    access_token: accessToken,
    scope,
    user,
    owner: grant.owner ?? user,
    context: `stores/${grant.storeHash}`,
    account_uuid: '00000000-0000-4000-8000-000000000000',
  });
}

function storeOf(state: State, hash: string): MockStoreData {
  let store = state.stores.get(hash);
  if (!store) {
    store = new MockStoreData(hash);
    state.stores.set(hash, store);
  }
  return store;
}

function throwNotListening(): never {
  throw new Error('The mock store API is not listening yet: await listen() first.');
}

interface State {
  stores: Map<string, MockStoreData>;
  codes: Map<string, MockAuthCode>;
  faults: Array<{ fault: StoreApiFault; left: number }>;
  calls: StoreApiCall[];
  windows: Map<string, { start: number; used: number }>;
}

function freshState(seed: boolean): State {
  return {
    stores: new Map((seed ? seedStores() : []).map((store) => [store.hash, store])),
    codes: new Map(),
    faults: [],
    calls: [],
    windows: new Map(),
  };
}

function takeFault(faults: State['faults'], path: string): StoreApiFault | undefined {
  const entry = faults.find(({ fault }) =>
    fault.path === undefined
      ? true
      : typeof fault.path === 'string'
        ? path.includes(fault.path)
        : fault.path.test(path),
  );
  if (!entry) return undefined;
  entry.left -= 1;
  if (entry.left <= 0) faults.splice(faults.indexOf(entry), 1);
  return entry.fault;
}

/** Counts a request against the store's window and returns BigCommerce's four rate-limit headers. */
function rateHeaders(hash: string, quota: { requests: number; windowMs: number }, state: State, count: boolean) {
  const now = Date.now();
  let window = state.windows.get(hash);
  if (!window || now - window.start >= quota.windowMs) {
    window = { start: now, used: 0 };
    state.windows.set(hash, window);
  }
  if (count) window.used += 1;
  const left = quota.requests - window.used;
  const headers = {
    'X-Rate-Limit-Time-Window-Ms': String(quota.windowMs),
    'X-Rate-Limit-Time-Reset-Ms': String(Math.max(0, window.start + quota.windowMs - now)),
    'X-Rate-Limit-Requests-Quota': String(quota.requests),
    'X-Rate-Limit-Requests-Left': String(Math.max(0, left)),
  };
  return { left, headers };
}

function sendFault(response: ServerResponse, fault: StoreApiFault, headers: Record<string, string>): void {
  if ('body' in fault) {
    if (fault.body === 'html')
      send(response, 200, '<!doctype html><title>Maintenance</title>', { ...headers, 'Content-Type': 'text/html' });
    else send(response, 200, '[{"id": 1, "date_cr', { ...headers, 'Content-Type': 'application/json' });
    return;
  }
  if (!('status' in fault)) return;
  if (fault.status === 429) {
    const limited = fault as { resetMs?: number; headers?: boolean };
    const rate =
      limited.headers === false
        ? {}
        : {
            ...headers,
            'X-Rate-Limit-Requests-Left': '0',
            'X-Rate-Limit-Time-Reset-Ms': String(limited.resetMs ?? 50),
          };
    sendJson(response, 429, { status: 429, title: 'Too many requests' }, rate);
  } else sendJson(response, fault.status, { status: fault.status, title: 'Mock fault' }, headers);
}

/** Answers one of the three store routes: `body` undefined means 204. */
function storeRoute(
  store: MockStoreData,
  route: string,
  orderId: string | undefined,
  query: URLSearchParams,
  base: string,
): { status: number; body?: unknown } {
  const limit = Number(query.get('limit') ?? 50);
  const page = Number(query.get('page') ?? 1);
  if (!Number.isInteger(limit) || limit < 1 || limit > 250 || !Number.isInteger(page) || page < 1)
    return { status: 400, body: { status: 400, title: 'Invalid limit or page' } };
  const slice = <T>(items: T[]) => items.slice((page - 1) * limit, page * limit);

  if (route === 'v3/catalog/products') {
    const ids = (query.get('id:in') ?? '').split(',').filter(Boolean).map(Number);
    const all = [...store.products.values()].filter((product) => ids.length === 0 || ids.includes(product.id));
    const withImage = (query.get('include') ?? '').split(',').includes('primary_image');
    const data = slice(all).map((product) => store.productJson(product, withImage));
    const pages = Math.max(1, Math.ceil(all.length / limit));
    const pagination = {
      total: all.length,
      count: data.length,
      per_page: limit,
      current_page: page,
      total_pages: pages,
      links: {},
    };
    return { status: 200, body: { data, meta: { pagination } } };
  }
  if (orderId !== undefined) {
    const order = store.orders.find((o) => o.id === Number(orderId));
    if (!order) return { status: 404, body: [{ status: 404, message: 'The requested resource was not found.' }] };
    const lines = slice(order.lines.map((line, index) => store.lineJson(order, line, index)));
    return lines.length ? { status: 200, body: lines } : { status: 204 };
  }
  return listOrders(store, query, slice, base);
}

function listOrders(
  store: MockStoreData,
  query: URLSearchParams,
  slice: <T>(items: T[]) => T[],
  base: string,
): { status: number; body?: unknown } {
  const customer = query.get('customer_id');
  const channel = query.get('channel_id');
  const status = query.get('status_id');
  const sort = query.get('sort');
  const orders = store.orders
    .filter((o) => customer === null || o.customerId === Number(customer))
    .filter((o) => channel === null || o.channelId === Number(channel))
    // Incomplete orders are left out unless asked for by status, as on BigCommerce.
    .filter((o) => (status === null ? o.statusId !== 0 : o.statusId === Number(status)))
    .sort((a, b) =>
      sort === 'date_created:desc'
        ? b.createdAt - a.createdAt
        : sort === 'date_created:asc'
          ? a.createdAt - b.createdAt
          : a.id - b.id,
    );
  const page = slice(orders);
  return page.length ? { status: 200, body: page.map((order) => store.orderJson(order, base)) } : { status: 204 };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 65_536) request.destroy();
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

/** A JSON or form body as strings; anything else as empty. */
function parseBody(text: string, type: string | undefined): Record<string, string | undefined> {
  try {
    if ((type ?? '').includes('json')) {
      const value: unknown = JSON.parse(text);
      return value && typeof value === 'object' ? (value as Record<string, string>) : {};
    }
    return Object.fromEntries(new URLSearchParams(text));
  } catch {
    return {};
  }
}

/** Each answer's log entry, so its status is recorded before the client can see the answer. */
const callOf = new WeakMap<ServerResponse, StoreApiCall>();

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  const call = callOf.get(response);
  if (call) call.status = status;
  response.writeHead(status, headers).end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, status, JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
}
