/**
 * `bc-customer-gate/bigcommerce`: the store side of a BigCommerce app, fetch-only so it runs
 * wherever the exchange handler runs (Node, workerd, Deno, Bun). A shopper's recently purchased
 * products from the store's orders, the install callback's code exchange, and verification of the
 * load, uninstall and remove-user callbacks.
 */
export {
  type AccessTokenOption,
  DEFAULT_API_URL,
  type RecentlyPurchasedOptions,
  type RecentPurchase,
  recentlyPurchased,
} from './recently-purchased.js';
export { createMemoryCache, type MemoryCache, type MemoryCacheOptions, type StoreCache } from './cache.js';
export { createRedisCache, type RedisCacheOptions, type RedisLikeClient } from './redis-cache.js';
export type { StoreApiEvent } from './http.js';
export {
  DEFAULT_TOKEN_URL,
  exchangeAuthCode,
  type ExchangeAuthCodeOptions,
  type InstalledStore,
  type StoreUser,
} from './oauth.js';
export { type SignedPayload, type SignedPayloadOptions, verifySignedPayload } from './signed-payload.js';
export {
  isSignedPayloadError,
  isStoreApiError,
  SIGNED_PAYLOAD_ERROR_CODES,
  SignedPayloadError,
  type SignedPayloadErrorCode,
  STORE_API_ERROR_CODES,
  StoreApiError,
  type StoreApiErrorCode,
} from './errors.js';
export { ORDERS_SCOPE, PRODUCTS_SCOPE } from './orders.js';
