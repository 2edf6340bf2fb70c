/**
 * A {@link StoreCache} in Redis, so every instance of an app shares one cache (and one API quota's
 * worth of answers). It takes a client the app created with the `redis` package (node-redis 5 or
 * later) and calls two of its methods; this module never imports `redis`, so apps without Redis
 * do not need it installed.
 */
import type { StoreCache } from './cache.js';

/**
 * The part of a node-redis client this adapter uses: `createClient()` from `redis` (connected) fits,
 * and so does a cluster client. Declared here so the package needs no types from `redis`.
 */
export interface RedisLikeClient {
  get(key: string): Promise<string | null | unknown>;
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
}

/** Options of {@link createRedisCache}. */
export interface RedisCacheOptions {
  /** Put before every key, to keep this package's keys apart in a shared database. Default `""`. */
  prefix?: string;
}

/**
 * Wraps a connected node-redis client as a {@link StoreCache}: `SET key value PX ttl` and `GET key`.
 * Connection errors reject, and `recentlyPurchased` then asks the API instead (reported through its
 * `onEvent` as `cache-error`).
 *
 * @example
 * import { createClient } from 'redis';
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const cache = createRedisCache(redis);
 * await recentlyPurchased({ storeHash, customerId, accessToken, cache });
 */
export function createRedisCache(client: RedisLikeClient, options: RedisCacheOptions = {}): StoreCache {
  if (!client || typeof client.get !== 'function' || typeof client.set !== 'function') {
    throw new TypeError('bc-customer-gate: createRedisCache needs a connected client from the "redis" package.');
  }
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new TypeError('bc-customer-gate: "prefix" must be a string.');
  return {
    async get(key) {
      const value = await client.get(prefix + key);
      return typeof value === 'string' ? value : undefined;
    },
    async set(key, value, ttlMs) {
      await client.set(prefix + key, value, { expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) } });
    },
  };
}
