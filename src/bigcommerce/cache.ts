/**
 * Where answers are kept between calls. The interface is deliberately small (string values, a TTL
 * per entry, async) so a shared store such as Redis can implement it in a few lines; see
 * `createRedisCache`. The default is one in-memory cache per process, bounded in entries.
 */

/**
 * A cache for serialised answers. `get` resolves `undefined` (or `null`) for a missing or expired
 * key; `set` keeps `value` for at least `ttlMs` milliseconds and at most until the store evicts it.
 * Both may reject: the caller then treats a `get` as a miss and a `set` as not stored.
 */
export interface StoreCache {
  get(key: string): Promise<string | null | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

/** Options of {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Most entries kept; the least recently used goes first. Default 1000. */
  maxEntries?: number;
  /** Current time in milliseconds. For tests; default `Date.now`. */
  now?: () => number;
}

/** A {@link StoreCache} in this process's memory, with its current size for monitoring and tests. */
export interface MemoryCache extends StoreCache {
  /** Entries held now (expired ones included until they are read or evicted). */
  readonly size: number;
  /** Drops every entry. */
  clear(): void;
}

/**
 * An in-memory, least-recently-used cache of at most `maxEntries` entries. A `Map` keeps insertion
 * order, so re-inserting on every read makes its first key the least recently used one.
 */
export function createMemoryCache(options: MemoryCacheOptions = {}): MemoryCache {
  const maxEntries = options.maxEntries ?? 1000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('bc-customer-gate: "maxEntries" must be a positive integer.');
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expires <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { value, expires: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}

/** The cache used when `cache` is `true` or left out: shared by every call in this process. */
export const defaultCache: MemoryCache = createMemoryCache();

/** Calls in flight, per cache, by key: identical simultaneous questions share one set of requests. */
const inFlight = new WeakMap<StoreCache, Map<string, Promise<string>>>();

/**
 * Runs `work` for `key` unless the same key is already running against the same cache, in which
 * case it joins that run. `shared` tells the caller which happened.
 */
export function shareInFlight(
  cache: StoreCache,
  key: string,
  work: () => Promise<string>,
): { promise: Promise<string>; shared: boolean } {
  let running = inFlight.get(cache);
  if (!running) {
    running = new Map();
    inFlight.set(cache, running);
  }
  const existing = running.get(key);
  if (existing) return { promise: existing, shared: true };
  const calls = running;
  const promise = work().finally(() => calls.delete(key));
  running.set(key, promise);
  // Every caller may have stopped waiting (aborted); a failure then has nobody left to report to.
  promise.catch(() => {});
  return { promise, shared: false };
}
