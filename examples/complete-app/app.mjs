/**
 * A complete BigCommerce app server for a shopper's recently purchased products: everything the
 * official hello-world samples do, done correctly.
 *
 *   GET  /auth          install: trade the code for the store's access token, keep it (encrypted) in SQLite
 *   GET  /load          the control panel opens the app: verify the signed payload; unknown stores are refused
 *   GET  /uninstall     verify, then forget the store's token
 *   GET  /remove-user   verify (this app keeps nothing per user)
 *   POST /customer-gate the storefront's <bc-customer-gate>: verify the shopper's token, answer their
 *                       recently purchased products for the storefront (channel) the request came from
 *
 * No token or secret is ever logged or echoed: logs carry store hashes, scopes and error codes.
 */
import {
  exchangeAuthCode,
  isSignedPayloadError,
  isStoreApiError,
  recentlyPurchased,
  verifySignedPayload,
} from 'bc-customer-gate/bigcommerce';
import { createCustomerGateHandler, escapeHtml, toNodeListener } from 'bc-customer-gate/server';

const NEEDED_SCOPES = ['store_v2_orders_read_only', 'store_v2_products_read_only'];

/**
 * @param {object} config
 * @param {string} config.clientId      the app's client ID (Developer Portal)
 * @param {string} config.clientSecret  the app's client secret
 * @param {string} config.authCallbackUrl  the Auth Callback URL, exactly as registered
 * @param {Record<string, { storeHash: string, channelId: number }>} config.storefronts
 *   each storefront origin the gate answers, with its store and channel
 * @param {ReturnType<import('./token-store.mjs').openTokenStore>} config.tokens
 * @param {string} [config.apiUrl]    default BigCommerce's API
 * @param {string} [config.tokenUrl]  default BigCommerce's OAuth endpoint
 * @param {(line: string) => void} [config.log]
 * @returns {(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void}
 */
export function createCompleteApp(config) {
  const { clientId, clientSecret, tokens, storefronts, log = () => {} } = config;
  const storefrontOf = (origin) => (Object.hasOwn(storefronts, origin) ? storefronts[origin] : undefined);

  const gate = toNodeListener(
    createCustomerGateHandler({
      clientId,
      clientSecret,
      // Only stores that installed the app (the installations table is the allow-list).
      stores: (storeHash) => tokens.has(storeHash),
      origins: (origin) => storefrontOf(origin) !== undefined,
      async authorize({ storeHash, customer }, request) {
        // The token carries no channel: the storefront the request came from says which one.
        const storefront = storefrontOf(request.headers.get('Origin') ?? '');
        if (!storefront || storefront.storeHash !== storeHash) return false;
        const products = await recentlyPurchased({
          storeHash,
          customerId: customer.id,
          channelId: storefront.channelId,
          accessToken: (hash) => tokens.get(hash),
          storefrontUrl: request.headers.get('Origin'),
          ...(config.apiUrl && { apiUrl: config.apiUrl }),
        });
        return { products };
      },
      onError(error, context) {
        log(
          `gate: ${context.status} in ${context.phase}${context.code ? ` (${context.code})` : ''}: ${errorText(error)}`,
        );
      },
    }),
  );

  const routes = {
    '/auth': install,
    '/load': load,
    '/uninstall': uninstall,
    '/remove-user': removeUser,
  };

  async function install(url, response) {
    const [code, scope, context] = ['code', 'scope', 'context'].map((name) => url.searchParams.get(name) ?? '');
    let installed;
    try {
      installed = await exchangeAuthCode({
        code,
        scope,
        context,
        clientId,
        clientSecret,
        redirectUri: config.authCallbackUrl,
        ...(config.tokenUrl && { tokenUrl: config.tokenUrl }),
      });
    } catch (error) {
      log(`install: refused (${isStoreApiError(error) ? error.code : 'error'})`);
      return page(response, 400, 'Installation failed', 'BigCommerce did not accept this installation. Try again.');
    }
    tokens.save(installed);
    const missing = NEEDED_SCOPES.filter((needed) => !installed.scope.split(' ').includes(needed));
    log(
      `install: store ${installed.storeHash}, scopes ${installed.scope}${missing.length ? `; missing ${missing}` : ''}`,
    );
    return page(response, 200, 'Installed', `The app is installed on store ${installed.storeHash}.`);
  }

  async function load(url, response) {
    const payload = await verified(url, response, 'load');
    if (!payload) return;
    if (!tokens.has(payload.storeHash)) {
      log(`load: store ${payload.storeHash} has not installed the app`);
      return page(response, 403, 'Not installed', 'Install the app on this store first.');
    }
    log(`load: store ${payload.storeHash}, user ${payload.user.id}`);
    return page(response, 200, 'Recently purchased', `Signed in as ${payload.user.email}.`);
  }

  async function uninstall(url, response) {
    const payload = await verified(url, response, 'uninstall');
    if (!payload) return;
    const was = tokens.delete(payload.storeHash);
    log(`uninstall: store ${payload.storeHash}${was ? '' : ' (was not installed)'}`);
    response.writeHead(204).end();
  }

  async function removeUser(url, response) {
    const payload = await verified(url, response, 'remove-user');
    if (!payload) return;
    log(`remove-user: store ${payload.storeHash}, user ${payload.user.id}`);
    response.writeHead(204).end();
  }

  /** The callback's verified payload, or `undefined` once a 401 is sent. */
  async function verified(url, response, what) {
    try {
      return await verifySignedPayload(url.searchParams.get('signed_payload_jwt') ?? '', { clientId, clientSecret });
    } catch (error) {
      log(`${what}: refused a signed payload (${isSignedPayloadError(error) ? error.code : 'error'})`);
      page(response, 401, 'Refused', 'This request was not signed by BigCommerce for this app.');
      return undefined;
    }
  }

  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://app.invalid');
    if (url.pathname === '/customer-gate') return gate(request, response);
    const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
    if (!route) return page(response, 404, 'Not found', 'Nothing here.');
    if (request.method !== 'GET') return page(response, 405, 'Method not allowed', 'Callbacks are GET requests.');
    route(url, response).catch((error) => {
      log(`${url.pathname}: failed: ${errorText(error)}`);
      if (!response.headersSent) page(response, 500, 'Error', 'Something went wrong.');
    });
  };
}

/** An error's code and message: this package's errors never hold a token. */
function errorText(error) {
  if (isStoreApiError(error) || isSignedPayloadError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.name : 'unknown error';
}

function page(response, status, title, text) {
  const body = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><p>${escapeHtml(text)}</p>\n`;
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(body);
}
