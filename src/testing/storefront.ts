/**
 * A mock Stencil storefront on `node:http`: the Current Customer route (`/customer/current.jwt`),
 * cookie sessions with sign-in and sign-out, static pages rendered with the signed-in customer, and
 * switchable misbehaviour for tests of everything that calls it. For tests and local demos only.
 *
 * This module keeps the server's lifecycle and the routing; the parts live beside it: the session
 * store (sessions.ts), the token route (token-route.ts), sign-in (login.ts), static files
 * (static.ts) and the request log (request-log.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CLIENT_ID_PARAM, DEFAULT_TOKEN_URL } from '../protocol.js';
import { closeServer, listenOn, trackSockets } from './lifecycle.js';
import { loginPath, loginRoute, logoutRoute } from './login.js';
import { RequestLog, type StorefrontStats } from './request-log.js';
import { methodNotAllowed, sendText } from './respond.js';
import { SESSION_COOKIE, SessionStore } from './sessions.js';
import { StaticSite } from './static.js';
import { renderTemplate, type PageContext, type PageRenderer, type StorefrontCustomer } from './template.js';
import { TokenRoute, type StorefrontBehaviour } from './token-route.js';

export type { StorefrontRequestRecord, StorefrontStats } from './request-log.js';
export { SESSION_COOKIE } from './sessions.js';
export { OTHER_STORE_HASH, type StorefrontBehaviour } from './token-route.js';

/** Per-request information handed to custom routes. */
export interface StorefrontRequestContext {
  /** The request URL, resolved against the storefront's origin. */
  url: URL;
  /** The customer signed in on this request's session cookie, or `null` for a guest. */
  customer: Readonly<StorefrontCustomer> | null;
  /** Renders HTML with the storefront's page renderer for this request (unchanged when rendering is off). */
  render(html: string): Promise<string>;
}

/** An extra page or endpoint, for demos and tests that need more than static files. */
export interface StorefrontRoute {
  /**
   * An exact path (`'/account'`) or a pattern, compared with the request's path as sent
   * (percent-encoded, without the query).
   */
  path: string | RegExp;
  /** Methods this route answers. Default `GET` and `HEAD`. */
  methods?: readonly string[];
  /** Answers the request. A throw or rejection becomes a `500`. */
  handle(request: IncomingMessage, response: ServerResponse, context: StorefrontRequestContext): void | Promise<void>;
}

export interface MockStorefrontOptions {
  /** The app's client ID: the only `app_client_id` the token route accepts, and the tokens' `aud`. */
  clientId: string;
  /** The app's client secret, which signs the tokens (HS512). */
  clientSecret: string;
  /** The store's hash: the tokens' `store_hash` and `sub`. */
  storeHash: string;
  /** Customers who can sign in. IDs must be unique positive integers. */
  customers?: readonly StorefrontCustomer[];
  /** A folder served at `/`, for demo and test pages. Without it only routes and mounts answer. */
  root?: string;
  /**
   * More folders, by URL prefix: `{ '/dist/': '/path/to/package/dist' }`. A longer prefix wins over a
   * shorter one, and any prefix over `root`.
   */
  mounts?: Readonly<Record<string, string>>;
  /** Extra routes, tried in order after the built-in ones and before static files. */
  routes?: readonly StorefrontRoute[];
  /**
   * How `.html` files are rendered per request. Default {@link renderTemplate}, whose placeholders
   * (`{{#if customer}}`, `{{customer.email}}`, ...) are listed there. `false` sends them as they are.
   */
  render?: PageRenderer | false;
  /** Path of the Current Customer route. Default `/customer/current.jwt`. */
  tokenPath?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `0`: a free port, read it from what `listen()` resolves with. */
  port?: number;
  /** Called when a custom route or a page renderer throws. Default: print it to stderr. */
  onError?: (error: unknown) => void;
}

/** Where a listening storefront is. */
export interface StorefrontAddress {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** The token route's full URL, with this storefront's `app_client_id`. */
  tokenUrl: string;
}

export interface MockStorefront {
  /** Starts listening; resolves once the port is known. */
  listen(): Promise<StorefrontAddress>;
  /** Stops listening and destroys every connection, hung requests included. Safe to call twice. */
  close(): Promise<void>;
  /** The origin, once listening. Throws before `listen()` resolves. */
  readonly origin: string;
  /** The underlying server. */
  readonly server: Server;
  /**
   * Starts a session for a customer (by ID, or by email) and returns a `Cookie` header value for
   * direct requests: `SHOP_SESSION_TOKEN=...`. Throws for an unknown customer.
   */
  signIn(customer: number | string): string;
  /**
   * Ends the session in `cookie` (a `Cookie` header value, such as `signIn` returned), or every
   * session when called without one. Returns whether a session ended.
   */
  signOut(cookie?: string): boolean;
  /**
   * The path a browser visits to sign in (it sets the session cookie and redirects to `returnTo`,
   * default `/`): `/login?customer=ID&return=...`.
   */
  loginPath(customer: number | string, returnTo?: string): string;
  /** Replaces the token route's behaviour; `behave()` or `behave({})` restores normal service. */
  behave(behaviour?: StorefrontBehaviour): void;
  /** The current behaviour (a copy). */
  readonly behaviour: StorefrontBehaviour;
  /** A snapshot of the request counters and log. */
  readonly stats: StorefrontStats;
  /** Zeroes the counters and empties the request log. */
  resetStats(): void;
  /** Normal behaviour, zero counters, nobody signed in. */
  reset(): void;
  /** Adds a route after those given in the options. */
  route(route: StorefrontRoute): void;
  /** Serves `directory` at URL `prefix` (see {@link MockStorefrontOptions.mounts}). */
  mount(prefix: string, directory: string): void;
}

/**
 * Creates a mock Stencil storefront. Routes, in order:
 *
 * - `GET {tokenPath}?app_client_id=ID`: the signed-in customer's token as `text/plain`, or as JSON
 *   `{"token"}` when the `Accept` header ranks `application/json` above `text/plain` (a tie goes to
 *   text). `404` for a guest. `400` when `app_client_id` is missing or not this app's (BigCommerce
 *   does not document this case; a loud error beats passing for a guest). Always `Cache-Control:
 *   no-store` and never any CORS header: the route is same-origin only.
 * - `GET|POST /login` and `/login.php`, with `customer` (an ID or email) and optional `return` (a path
 *   on this origin) in the query or a form body: signs in with a fresh HttpOnly session cookie and
 *   answers `303` to `return` (default `/`). Without `customer`, a GET shows a page to pick one. An
 *   unknown customer or a `return` that is not a same-origin path: `400`, and nobody is signed in.
 * - `GET|POST /logout` and `/login.php?action=logout`: ends the session, clears the cookie, `303` to `return`.
 * - Custom routes, then mounts (longest prefix first), then `root`: `GET` and `HEAD` only, a
 *   directory's `index.html`, `404` otherwise. `.html` files go through the page renderer.
 *
 * Nothing is logged; tokens and session cookies never appear in the request log.
 */
export function createMockStorefront(options: MockStorefrontOptions): MockStorefront {
  const config = readOptions(options);
  const parts: Parts = {
    config,
    sessions: new SessionStore(config.customers),
    tokens: new TokenRoute(config),
    site: new StaticSite(options.root, options.mounts),
    routes: [...(options.routes ?? [])],
    log: new RequestLog(),
    origin: () => currentOrigin(),
  };
  const server = createServer((request, response) => {
    dispatch(parts, request, response).catch((error: unknown) => fail(config, response, error));
  });
  const sockets = trackSockets(server);
  let address: StorefrontAddress | undefined;

  function currentOrigin(): string {
    if (!address) throw new Error('bc-customer-gate: the mock storefront is not listening; await listen() first.');
    return address.origin;
  }

  return {
    server,
    get origin() {
      return currentOrigin();
    },
    async listen() {
      if (server.listening) throw new Error('bc-customer-gate: the mock storefront is already listening.');
      parts.tokens.open();
      address = addressOf(await listenOn(server, config.port, config.host), config);
      return { ...address };
    },
    close() {
      parts.tokens.close();
      address = undefined;
      return closeServer(server, sockets);
    },
    signIn(ref) {
      const customer = parts.sessions.find(ref);
      if (!customer) {
        throw new Error(
          `bc-customer-gate: no customer ${JSON.stringify(ref)} on the mock storefront; ` +
            'add it to the "customers" option.',
        );
      }
      return `${SESSION_COOKIE}=${parts.sessions.start(customer)}`;
    },
    signOut: (cookie) => parts.sessions.endCookie(cookie),
    loginPath: (ref, returnTo = '/') => loginPath(parts.sessions, ref, returnTo),
    behave: (next = {}) => parts.tokens.behave(next),
    get behaviour() {
      return parts.tokens.behaviour;
    },
    get stats() {
      return parts.log.snapshot();
    },
    resetStats: () => parts.log.reset(),
    reset() {
      parts.tokens.behave({});
      parts.log.reset();
      parts.sessions.endCookie();
    },
    route: (route) => void parts.routes.push(route),
    mount: (prefix, directory) => parts.site.mount(prefix, directory),
  };
}

/** What answering a request needs: the storefront's configuration and its parts. */
interface Parts {
  config: Config;
  sessions: SessionStore;
  tokens: TokenRoute;
  site: StaticSite;
  routes: StorefrontRoute[];
  log: RequestLog;
  /** The listening origin; throws when not listening. */
  origin(): string;
}

/** Routes one request, in the order {@link createMockStorefront} documents. */
async function dispatch(parts: Parts, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { config, sessions } = parts;
  const method = request.method ?? 'GET';
  const target = request.url ?? '';
  parts.log.add(method, target, response);
  response.setHeader('X-Content-Type-Options', 'nosniff');

  // Origin-form only: an absolute or `*` target has no business here.
  if (!target.startsWith('/')) return sendText(response, 400, 'Bad request target.');
  const path = target.split('?', 1)[0]!;
  // Concatenated, never resolved: `new URL('//host/x', base)` would leave this origin.
  let url: URL;
  try {
    url = new URL(`http://storefront.invalid${target}`);
  } catch {
    return sendText(response, 400, 'Bad request target.');
  }
  const session = sessions.of(request.headers.cookie);
  const customer = session?.customer ?? null;

  if (path === config.tokenPath) {
    parts.log.tokenRequests++;
    if (await parts.tokens.answer(request, response, url, customer)) parts.log.tokensIssued++;
    return;
  }
  const logout = path === '/logout' || (path === '/login.php' && url.searchParams.get('action') === 'logout');
  if (logout) return logoutRoute(request, response, url, sessions, session?.id);
  if (path === '/login' || path === '/login.php') return loginRoute(request, response, url, sessions, session?.id);

  const context: PageContext = { customer, storeHash: config.storeHash, clientId: config.clientId, path };
  const { render } = config;
  const renderPage = render ? async (html: string) => render(html, context) : undefined;
  const route = parts.routes.find((candidate) =>
    typeof candidate.path === 'string' ? candidate.path === path : candidate.path.test(path),
  );
  if (!route) return parts.site.serve(request, response, path, renderPage);
  const methods = route.methods ?? ['GET', 'HEAD'];
  if (!methods.includes(method)) return methodNotAllowed(response, methods);
  await route.handle(request, response, {
    url: new URL(parts.origin() + target),
    customer,
    render: async (html) => (renderPage ? renderPage(html) : html),
  });
}

function fail(config: Config, response: ServerResponse, error: unknown): void {
  config.onError(error);
  if (response.headersSent) response.destroy();
  else sendText(response, 500, 'The storefront failed to answer this request.');
}

/** Every open connection, so close() can end them, hung token requests included. */
function addressOf({ origin, port }: { origin: string; port: number }, config: Config): StorefrontAddress {
  const query = new URLSearchParams({ [CLIENT_ID_PARAM]: config.clientId });
  return { url: `${origin}/`, origin, port, tokenUrl: `${origin}${config.tokenPath}?${query}` };
}

interface Config {
  clientId: string;
  clientSecret: string;
  storeHash: string;
  customers: StorefrontCustomer[];
  render: PageRenderer | undefined;
  tokenPath: string;
  host: string;
  port: number;
  onError: (error: unknown) => void;
}

function readOptions(options: MockStorefrontOptions): Config {
  if (!options || typeof options !== 'object') {
    throw new TypeError(
      'bc-customer-gate: pass { clientId, clientSecret, storeHash, customers } to createMockStorefront.',
    );
  }
  for (const name of ['clientId', 'clientSecret', 'storeHash'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new TypeError(`bc-customer-gate: the mock storefront's "${name}" must be a non-empty string.`);
    }
  }
  const customers = [...(options.customers ?? [])];
  const ids = new Set<number>();
  for (const customer of customers) {
    if (!customer || !Number.isSafeInteger(customer.id) || customer.id <= 0 || typeof customer.email !== 'string') {
      throw new TypeError(
        'bc-customer-gate: each customer needs an "id" (a positive integer) and an "email" (a string).',
      );
    }
    if (ids.has(customer.id)) throw new TypeError(`bc-customer-gate: customer id ${customer.id} appears twice.`);
    ids.add(customer.id);
  }
  const tokenPath = options.tokenPath ?? DEFAULT_TOKEN_URL;
  if (typeof tokenPath !== 'string' || !tokenPath.startsWith('/') || tokenPath.includes('?')) {
    throw new TypeError('bc-customer-gate: "tokenPath" must be a path starting with "/", without a query.');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('bc-customer-gate: "port" must be an integer from 0 to 65535 (0 picks a free port).');
  }
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    storeHash: options.storeHash,
    customers,
    render: options.render === false ? undefined : (options.render ?? renderTemplate),
    tokenPath,
    host: options.host ?? '127.0.0.1',
    port,
    onError: options.onError ?? ((error) => console.error('mock storefront: a route or page renderer failed:', error)),
  };
}
