/**
 * `recentlyPurchased`: a signed-in shopper's latest purchases, one item per product, newest first,
 * read from the store's orders with as few calls as the answer allows, and cached.
 */
import { defaultCache, shareInFlight, type StoreCache } from './cache.js';
import { StoreApiError } from './errors.js';
import { type CallContext, type StoreApiEvent, withDeadline } from './http.js';
import {
  checkAccessToken,
  invalid,
  readFetch,
  readInteger,
  readPositiveInteger,
  readSignal,
  readStoreHash,
  readUrl,
} from './options.js';
import { type StoreTarget, catalogEntries, listOrderLines, listOrders, MAX_PAGE, type OrderSummary } from './orders.js';

/** BigCommerce's Management API root. */
export const DEFAULT_API_URL = 'https://api.bigcommerce.com';

/** Where an access token comes from: the token itself, or a lookup by store hash (an app serving many stores). */
export type AccessTokenOption = string | ((storeHash: string) => string | Promise<string>);

/** Options of {@link recentlyPurchased}. */
export interface RecentlyPurchasedOptions {
  /** The store's hash, from the verified token's `storeHash`. */
  storeHash: string;
  /** The shopper's customer ID, from the verified token's `customer.id`. */
  customerId: number;
  /**
   * The store's API access token (from the app's install on that store, or a store-level API
   * account), with scopes `store_v2_orders_read_only` and `store_v2_products_read_only`; or a
   * function that looks it up by store hash. Called only when the answer is not cached.
   */
  accessToken: AccessTokenOption;
  /** Most products returned, 1 to 50. Default 5. */
  limit?: number;
  /**
   * Only orders placed on this channel (storefront). The Current Customer token carries no channel:
   * map the request's `Origin` to its channel when the store has several storefronts.
   */
  channelId?: number;
  /** The Management API root. Default `https://api.bigcommerce.com`; http only to localhost. */
  apiUrl?: string;
  /**
   * The storefront's URL, against which each product's storefront path is resolved into `url`.
   * Without it, `url` is the path (`/blue-mug/`).
   */
  storefrontUrl?: string;
  /** Time limit for the whole answer, waits and retries included, in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** The fetch to call. Default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the call; it then rejects with code `aborted`. */
  signal?: AbortSignal;
  /**
   * `true` (default): the process-wide in-memory cache. `false`: no cache and no sharing of
   * simultaneous calls. A {@link StoreCache}: that cache, e.g. `createRedisCache(client)`.
   */
  cache?: boolean | StoreCache;
  /** How long an answer is cached, in milliseconds. Default 60000. */
  cacheTtlMs?: number;
  /** Called for every request and cache outcome, for logs and metrics. Never receives a token. */
  onEvent?: (event: StoreApiEvent) => void;
}

/** One recently purchased product. */
export interface RecentPurchase {
  productId: number;
  /** The product's name as it was on the order. */
  name: string;
  /** The latest order with this product. */
  orderId: number;
  /** When that order was placed, ISO 8601 in UTC (`2024-05-01T09:30:00.000Z`). */
  purchasedAt: string;
  /** How many of it that order had (all its lines for the product). */
  quantity: number;
  sku?: string;
  /** The product's primary image (`url_standard`), if it still has one. */
  imageUrl?: string;
  /** The product's storefront page: absolute with `storefrontUrl`, else the path. */
  url?: string;
}

/** Orders with these statuses bought nothing: Incomplete (0), Cancelled (5), Declined (6). */
const NOT_PURCHASED = new Set([0, 5, 6]);
/** The most orders looked at for one answer: a customer who bought one product 1000 times costs 4 pages, not 40. */
const MAX_ORDERS_SCANNED = 1000;
const CACHE_PREFIX = 'bc-customer-gate:recently-purchased:v1';

interface Config {
  storeHash: string;
  customerId: number;
  accessToken: AccessTokenOption;
  limit: number;
  channelId: number | undefined;
  apiUrl: URL;
  storefrontUrl: URL | undefined;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
  signal: AbortSignal | undefined;
  cache: StoreCache | undefined;
  cacheTtlMs: number;
  onEvent: ((event: StoreApiEvent) => void) | undefined;
}

/**
 * The shopper's recently purchased products: one item per product carrying its latest purchase,
 * newest first, at most `limit`.
 *
 * Cold, it takes three sequential round trips: one Orders v2 page (sorted newest first), the
 * product lines of just enough of those orders (in parallel), and one Catalog v3 call for images
 * and links. More only when those orders repeat products or an order has over 250 lines. Warm
 * (cached), none. Rejects with a {@link StoreApiError}.
 *
 * @example
 * const items = await recentlyPurchased({
 *   storeHash: verified.storeHash,
 *   customerId: verified.customer.id,
 *   accessToken: (hash) => tokens.get(hash),
 * });
 */
export async function recentlyPurchased(options: RecentlyPurchasedOptions): Promise<RecentPurchase[]> {
  const config = readOptions(options);
  if (config.signal?.aborted) throw new StoreApiError('aborted', "recentlyPurchased: aborted by the caller's signal.");
  const { cache } = config;
  if (!cache) return fetchRecent(config, config.signal);

  const key = cacheKey(config);
  const cached = parseCached(await cacheGet(cache, key, config));
  if (cached) {
    config.onEvent?.({ type: 'cache', outcome: 'hit', key });
    return cached;
  }
  // The shared run ignores each caller's signal (one caller giving up must not fail the others);
  // every caller still stops waiting when its own signal aborts.
  const { promise, shared } = shareInFlight(cache, key, async () => {
    const text = JSON.stringify(await fetchRecent(config, undefined));
    await cacheSet(cache, key, text, config);
    return text;
  });
  config.onEvent?.({ type: 'cache', outcome: shared ? 'shared' : 'miss', key });
  return JSON.parse(await untilAborted(promise, config.signal)) as RecentPurchase[];
}

function readOptions(options: RecentlyPurchasedOptions): Config {
  if (!options || typeof options !== 'object') {
    throw invalid('pass { storeHash, customerId, accessToken } to recentlyPurchased.');
  }
  const { accessToken, channelId, cache, onEvent } = options;
  if (typeof accessToken !== 'string' && typeof accessToken !== 'function') {
    throw invalid('"accessToken" must be the store\'s API token, or a function (storeHash) => token.');
  }
  if (typeof accessToken === 'string') checkAccessToken(accessToken, '"accessToken"');
  if (cache !== undefined && typeof cache !== 'boolean' && !isCache(cache)) {
    throw invalid('"cache" must be true, false, or an object with get(key) and set(key, value, ttlMs).');
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') throw invalid('"onEvent" must be a function.');
  return {
    storeHash: readStoreHash(options.storeHash),
    customerId: readPositiveInteger(options.customerId, 'customerId'),
    accessToken,
    limit: readInteger(options.limit, 'limit', 5, 1, 50),
    channelId: channelId === undefined ? undefined : readPositiveInteger(channelId, 'channelId'),
    apiUrl: readUrl(options.apiUrl, 'apiUrl', DEFAULT_API_URL),
    storefrontUrl:
      options.storefrontUrl === undefined
        ? undefined
        : readUrl(options.storefrontUrl, 'storefrontUrl', 'https://shop.example.com'),
    timeoutMs: readInteger(options.timeoutMs, 'timeoutMs', 10_000, 1, 300_000),
    fetch: readFetch(options.fetch),
    signal: readSignal(options.signal),
    cache: cache === false ? undefined : cache === true || cache === undefined ? defaultCache : cache,
    cacheTtlMs: readInteger(options.cacheTtlMs, 'cacheTtlMs', 60_000, 1, 86_400_000),
    onEvent,
  };
}

function isCache(value: unknown): value is StoreCache {
  const cache = value as Partial<StoreCache> | null;
  return (
    typeof cache === 'object' && cache !== null && typeof cache.get === 'function' && typeof cache.set === 'function'
  );
}

/** Store, customer, channel and limit (and which API and storefront): never the token. */
function cacheKey(config: Config): string {
  const api = config.apiUrl.href.replace(/\/$/, '');
  const channel = config.channelId ?? 'all';
  const site = config.storefrontUrl?.href ?? '';
  return `${CACHE_PREFIX}:${api}:${config.storeHash}:${config.customerId}:${channel}:${config.limit}:${site}`;
}

async function cacheGet(cache: StoreCache, key: string, config: Config): Promise<string | undefined> {
  try {
    return (await cache.get(key)) ?? undefined;
  } catch (error) {
    config.onEvent?.({ type: 'cache-error', error });
    return undefined;
  }
}

async function cacheSet(cache: StoreCache, key: string, value: string, config: Config): Promise<void> {
  try {
    await cache.set(key, value, config.cacheTtlMs);
  } catch (error) {
    config.onEvent?.({ type: 'cache-error', error });
  }
}

/** A cached answer, or `undefined` when it is missing or not one (a shared store can hold anything). */
function parseCached(text: string | undefined): RecentPurchase[] | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as RecentPurchase[]) : undefined;
  } catch {
    return undefined;
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const aborted = () => new StoreApiError('aborted', "recentlyPurchased: aborted by the caller's signal.");
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function fetchRecent(config: Config, signal: AbortSignal | undefined): Promise<RecentPurchase[]> {
  const ctx: CallContext = {
    fetch: config.fetch,
    deadline: Date.now() + config.timeoutMs,
    timeoutMs: config.timeoutMs,
    signal,
    onEvent: config.onEvent,
  };
  const target: StoreTarget = {
    apiUrl: config.apiUrl,
    storeHash: config.storeHash,
    accessToken: await lookUpToken(config, ctx),
  };
  const picked = await pickPurchases(ctx, target, config);
  const entries = await catalogEntries(
    ctx,
    target,
    picked.map((item) => item.productId),
  );
  return picked.map((item) => {
    const entry = entries.get(item.productId);
    const url = entry?.path && (config.storefrontUrl ? new URL(entry.path, config.storefrontUrl).href : entry.path);
    return { ...item, ...(entry?.imageUrl && { imageUrl: entry.imageUrl }), ...(url && { url }) };
  });
}

async function lookUpToken(config: Config, ctx: CallContext): Promise<string> {
  const { accessToken, storeHash } = config;
  if (typeof accessToken === 'string') return accessToken;
  let token: unknown;
  try {
    token = await withDeadline(ctx, 'access token lookup', async () => accessToken(storeHash));
  } catch (error) {
    if (error instanceof StoreApiError && error.code !== 'network') throw error;
    throw new StoreApiError(
      'access_token',
      `bc-customer-gate: the "accessToken" lookup for store "${storeHash}" failed.`,
      {
        cause: (error as { cause?: unknown }).cause ?? error,
      },
    );
  }
  return checkAccessToken(token, `the "accessToken" lookup for store "${storeHash}"`);
}

/**
 * Reads orders newest first and the lines of just enough of them to find `limit` distinct products:
 * each order adds at least one product unless it repeats earlier ones, so `limit - found` more
 * orders are read per round, in parallel.
 */
async function pickPurchases(ctx: CallContext, target: StoreTarget, config: Config): Promise<RecentPurchase[]> {
  const pageSize = Math.min(MAX_PAGE, Math.max(10, config.limit * 2));
  const picked = new Map<number, RecentPurchase & { createdAt: number }>();
  const pending: OrderSummary[] = [];
  let page = 1;
  let more = true;
  let scanned = 0;
  while (picked.size < config.limit) {
    if (pending.length === 0) {
      if (!more || scanned >= MAX_ORDERS_SCANNED) break;
      const orders = await listOrders(ctx, target, {
        customerId: config.customerId,
        channelId: config.channelId,
        limit: pageSize,
        page: page++,
      });
      more = orders.length === pageSize;
      scanned += orders.length;
      pending.push(...orders.filter((order) => !NOT_PURCHASED.has(order.statusId)).sort(newestFirst));
      continue;
    }
    const batch = pending.splice(0, config.limit - picked.size);
    const lines = await Promise.all(batch.map((order) => listOrderLines(ctx, target, order.id)));
    batch.forEach((order, index) => {
      const inOrder = new Map<number, RecentPurchase & { createdAt: number }>();
      for (const line of lines[index]!) {
        if (line.productId === 0) continue; // a custom product: no catalog entry to show
        const same = inOrder.get(line.productId);
        if (same) same.quantity += line.quantity;
        else
          inOrder.set(line.productId, {
            productId: line.productId,
            name: line.name,
            orderId: order.id,
            purchasedAt: new Date(order.createdAt).toISOString(),
            quantity: line.quantity,
            createdAt: order.createdAt,
            ...(line.sku && { sku: line.sku }),
          });
      }
      for (const [id, item] of inOrder) {
        const earlier = picked.get(id);
        if (!earlier || newestFirst({ id: item.orderId, ...item }, { id: earlier.orderId, ...earlier }) < 0)
          picked.set(id, item);
      }
    });
  }
  return [...picked.values()]
    .sort((a, b) => newestFirst({ id: a.orderId, createdAt: a.createdAt }, { id: b.orderId, createdAt: b.createdAt }))
    .slice(0, config.limit)
    .map(({ createdAt: _, ...item }) => item);
}

function newestFirst(a: { id: number; createdAt: number }, b: { id: number; createdAt: number }): number {
  return b.createdAt - a.createdAt || b.id - a.id;
}
