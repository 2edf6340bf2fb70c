/**
 * The demo's fixed settings.
 *
 * DEMO VALUES ONLY. The client ID and secret below are public, made-up values so the demo runs
 * offline with no setup. They are not the credentials of any BigCommerce app: never use them for a
 * real one. A real app reads its client secret from an environment variable (see the deployment
 * checklist in docs/server.md) and never commits it.
 */

/** Demo app client ID (not a real app). The storefront sends it as `app_client_id`; tokens carry it as `aud`. */
export const DEMO_CLIENT_ID = 'demo-client-id-not-a-real-app';

/** Demo client secret (public, not a secret): the mock storefront signs tokens with it, the app verifies them. */
export const DEMO_CLIENT_SECRET = 'demo-client-secret-public-never-use-in-production';

/** The mock storefront's store hash. The app's `stores` allow-list holds exactly this one. */
export const DEMO_STORE_HASH = 'demo42';

export const STORE_NAME = 'Harbor & Hearth Coffee';

/** Customer groups the demo app knows. Group 5 is refused by `authorize`, to show the denied state. */
export const GROUPS = {
  1: 'Retail',
  2: 'Wholesale',
  5: 'Trade applicant, pending',
};
export const DENIED_GROUPS = new Set(['5']);

/** Customers who can sign in on the mock storefront. Names are for the storefront's pages only. */
export const DEMO_CUSTOMERS = [
  { id: 1, email: 'ann.carter@example.com', groupId: '1', name: 'Ann Carter' },
  { id: 2, email: 'ben.okafor@example.com', groupId: '2', name: 'Ben Okafor' },
  { id: 3, email: 'cleo.ruiz@example.com', groupId: '5', name: 'Cleo Ruiz' },
];

/** Default ports, and the environment variables that change them. */
export const DEFAULT_STOREFRONT_PORT = 8080;
export const DEFAULT_APP_PORT = 8081;
export const STOREFRONT_PORT_ENV = 'STOREFRONT_PORT';
export const APP_PORT_ENV = 'APP_PORT';

/** The app backend's endpoint paths. */
export const JSON_ENDPOINT_PATH = '/customer-gate';
export const FRAGMENT_ENDPOINT_PATH = '/customer-gate/fragment';

/**
 * The store's API access token, as a real app gets it from its install on the store (or a
 * store-level API account). DEMO VALUE: the mock store API accepts it; BigCommerce never will.
 */
export const DEMO_ACCESS_TOKEN = 'demo-store-api-token-not-a-real-token';

/** The scopes recently purchased needs: orders and products, read-only. */
export const DEMO_TOKEN_SCOPES = ['store_v2_orders_read_only', 'store_v2_products_read_only'];

/** Most products the app asks for per customer: enough for the shop page's ten cards. */
export const RECENT_LIMIT = 10;
