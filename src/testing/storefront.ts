/**
 * A mock Stencil storefront on `node:http`: the Current Customer route (`/customer/current.jwt`),
 * cookie sessions with sign-in and sign-out, static pages rendered with the signed-in customer, and
 * switchable misbehaviour for tests of everything that calls it. For tests and local demos only.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CLIENT_ID_PARAM, DEFAULT_TOKEN_URL, TOKEN_LIFETIME_SECONDS } from '../protocol.js';
import { mintCustomerToken } from './mint.js';
import { contentTypeFor, isHtml, StaticFolder } from './static.js';
import {
  escapeHtml,
  renderTemplate,
  type PageContext,
  type PageRenderer,
  type StorefrontCustomer,
} from './template.js';

/** Name of the session cookie, as on BigCommerce storefronts. */
export const SESSION_COOKIE = 'SHOP_SESSION_TOKEN';

/** Store hash used for tokens when {@link StorefrontBehaviour.otherStore} is `true`. */
export const OTHER_STORE_HASH = 'other-store';

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

/**
 * How the token route misbehaves, for tests of its callers. All off by default; set with
 * {@link MockStorefront.behave}. Options that change the token apply to signed-in customers only;
 * guests still get `404`.
 */
export interface StorefrontBehaviour {
  /** Wait this many milliseconds before answering each token request. */
  delayMs?: number;
  /** Never answer token requests. The caller must time out or abort; `close()` still ends them. */
  hang?: boolean;
  /** Answer every token request with this status (400–599, e.g. 500, 503, 429) and a small error body. */
  errorStatus?: number;
  /** Sign tokens with a different secret: a verifier fails with code `signature`. */
  wrongSecret?: boolean;
  /** Issue tokens for another store (`true`: {@link OTHER_STORE_HASH}): a verifier fails with code `store`. */
  otherStore?: boolean | string;
  /** Issue tokens that expired two minutes ago: a verifier fails with code `expired`. */
  expired?: boolean;
  /** Answer `200` with a body that is no token: an HTML page as text, or truncated JSON when JSON is asked for. */
  malformedBody?: boolean;
  /** Claims to add or replace in each token (`undefined` removes one), as `mintCustomerToken`'s `claims`. */
  claims?: Record<string, unknown>;
}

/** One request the storefront received. */
export interface StorefrontRequestRecord {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** Status answered, or `undefined` while pending or when the connection closed before an answer. */
  status: number | undefined;
}

/** Request accounting, a snapshot. */
export interface StorefrontStats {
  /** Requests to the token route, whatever their outcome. */
  tokenRequests: number;
  /** `200` responses carrying a token (including deliberately bad tokens). */
  tokensIssued: number;
  /** The last 1000 requests, oldest first. Never holds cookies or tokens. */
  requests: StorefrontRequestRecord[];
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

const NO_STORE = 'no-store';
/**
 * Rendered pages may be revalidated but not stored for others, as a storefront's are. Not
 * `no-store`: Chromium keeps such pages out of the back/forward cache, and the element's
 * freshness rules are tested against a page that Back restores from it.
 */
const PAGE_CACHE = 'private, no-cache';
const MAX_FORM_BYTES = 8192;
const MAX_LOGGED_REQUESTS = 1000;
const WRONG_SECRET = 'not-the-client-secret-of-this-app';

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
  const customers = new Map(config.customers.map((customer) => [customer.id, customer]));
  const sessions = new Map<string, number>();
  const routes = [...(options.routes ?? [])];
  const mounts: Array<{ prefix: string; folder: StaticFolder }> = [];
  const sockets = new Set<Socket>();
  const pending = new Map<NodeJS.Timeout, () => void>();
  let behaviour: StorefrontBehaviour = {};
  // The status is read when a snapshot is taken: the client may see a response before 'finish' fires.
  let stats = freshStats();
  let address: StorefrontAddress | undefined;
  let closed = false;

  const mount = (prefix: string, directory: string) => {
    mounts.push({ prefix: readPrefix(prefix), folder: new StaticFolder(directory) });
    mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  };
  for (const [prefix, directory] of Object.entries(options.mounts ?? {})) mount(prefix, directory);
  const rootFolder = options.root === undefined ? undefined : new StaticFolder(options.root);

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => fail(response, error));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function findCustomer(ref: number | string): StorefrontCustomer | undefined {
    if (typeof ref === 'number') return customers.get(ref);
    if (/^\d+$/.test(ref)) return customers.get(Number(ref));
    const email = ref.toLowerCase();
    return config.customers.find((customer) => customer.email.toLowerCase() === email);
  }

  function startSession(customer: StorefrontCustomer): string {
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, customer.id);
    return id;
  }

  function sessionOf(cookieHeader: string | undefined): { id: string; customer: StorefrontCustomer } | undefined {
    for (const id of readCookies(cookieHeader, SESSION_COOKIE)) {
      const customerId = sessions.get(id);
      const customer = customerId === undefined ? undefined : customers.get(customerId);
      if (customer) return { id, customer };
    }
    return undefined;
  }

  function pageContext(customer: StorefrontCustomer | null, path: string): PageContext {
    return { customer, storeHash: config.storeHash, clientId: config.clientId, path };
  }

  async function render(html: string, context: PageContext): Promise<string> {
    return config.render ? config.render(html, context) : html;
  }

  function wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.set(timer, resolve);
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const target = request.url ?? '';
    stats.requests.push({ method, path: target, response });
    if (stats.requests.length > MAX_LOGGED_REQUESTS) stats.requests.shift();
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
    const session = sessionOf(request.headers.cookie);
    const customer = session?.customer ?? null;

    if (path === config.tokenPath) return tokenRoute(request, response, url, customer);
    if (path === '/login' || path === '/login.php') {
      if (path === '/login.php' && url.searchParams.get('action') === 'logout') {
        return logoutRoute(request, response, url, session?.id);
      }
      return loginRoute(request, response, url, session?.id);
    }
    if (path === '/logout') return logoutRoute(request, response, url, session?.id);

    for (const route of routes) {
      if (typeof route.path === 'string' ? route.path !== path : !route.path.test(path)) continue;
      const methods = route.methods ?? ['GET', 'HEAD'];
      if (!methods.includes(method)) return methodNotAllowed(response, methods);
      const context = pageContext(customer, path);
      await route.handle(request, response, {
        url: new URL(currentOrigin() + target),
        customer,
        render: (html) => render(html, context),
      });
      return;
    }

    for (const { prefix, folder } of mounts) {
      if (path === prefix.slice(0, -1)) return redirect(response, 301, prefix);
      if (path.startsWith(prefix))
        return serveStatic(request, response, folder, prefix, path.slice(prefix.length - 1), customer);
    }
    if (rootFolder) return serveStatic(request, response, rootFolder, '/', path, customer);
    return sendText(response, 404, 'Not found.');
  }

  async function tokenRoute(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    customer: StorefrontCustomer | null,
  ) {
    stats.tokenRequests++;
    response.setHeader('Cache-Control', NO_STORE);
    response.setHeader('Vary', 'Accept, Cookie');
    if (request.method !== 'GET') return methodNotAllowed(response, ['GET']);

    const now = behaviour;
    if (now.delayMs) await wait(now.delayMs);
    if (closed || response.destroyed) return;
    if (now.hang) return; // the socket stays open until the client gives up or close() ends it

    const json = prefersJson(request.headers.accept);
    const answerError = (status: number, error: string, message: string) =>
      json ? sendJson(response, status, { error, message }) : sendText(response, status, message);

    if (now.errorStatus) return answerError(now.errorStatus, 'server_error', 'The storefront failed on purpose.');
    const clientIds = url.searchParams.getAll(CLIENT_ID_PARAM);
    if (clientIds.length !== 1 || clientIds[0] !== config.clientId) {
      return answerError(
        400,
        'invalid_client_id',
        clientIds.length === 0
          ? `Missing ${CLIENT_ID_PARAM}: add ?${CLIENT_ID_PARAM}=<your app's client ID>.`
          : `${CLIENT_ID_PARAM} is not the client ID this storefront was configured with.`,
      );
    }
    if (!customer) return answerError(404, 'not_found', 'No customer is signed in.');

    if (now.malformedBody) {
      return json
        ? send(response, 200, 'application/json; charset=utf-8', '{"token":"eyJhbGciOi')
        : send(response, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><title>Oops</title><p>Not a token.</p>');
    }
    const issuedAt = Math.floor(Date.now() / 1000) - (now.expired ? TOKEN_LIFETIME_SECONDS + 120 : 0);
    const token = await mintCustomerToken({
      clientId: config.clientId,
      clientSecret: now.wrongSecret ? WRONG_SECRET : config.clientSecret,
      storeHash: now.otherStore ? (now.otherStore === true ? OTHER_STORE_HASH : now.otherStore) : config.storeHash,
      customer: { id: customer.id, email: customer.email, groupId: customer.groupId ?? null },
      issuedAt,
      ...(now.claims ? { claims: now.claims } : {}),
    });
    if (closed || response.destroyed) return;
    stats.tokensIssued++;
    if (json) sendJson(response, 200, { token });
    else send(response, 200, 'text/plain; charset=utf-8', token);
  }

  /**
   * What sign-in and sign-out share: GET or POST (a form), never cached, and a `return` path that
   * stays on this storefront. Answers the request itself and returns undefined when it cannot go on.
   */
  async function sessionForm(request: IncomingMessage, response: ServerResponse, url: URL) {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      methodNotAllowed(response, ['GET', 'POST']);
      return;
    }
    response.setHeader('Cache-Control', NO_STORE);
    const params = method === 'POST' ? await readForm(request, response) : url.searchParams;
    if (!params) return;
    const returnTo = safeReturnPath(params.get('return'));
    if (returnTo === undefined) {
      sendText(response, 400, '"return" must be a path on this storefront, starting with a single "/".');
      return;
    }
    return { method, params, returnTo };
  }

  async function loginRoute(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    oldSession: string | undefined,
  ) {
    const form = await sessionForm(request, response, url);
    if (!form) return;
    const { method, params, returnTo } = form;
    const ref = params.get('customer');
    if (ref === null || ref === '') {
      if (method === 'POST') return sendText(response, 400, 'Pick a customer: send "customer" (an ID or email).');
      return send(response, 200, 'text/html; charset=utf-8', loginPage(config.customers, returnTo));
    }
    const customer = findCustomer(ref);
    if (!customer) return sendText(response, 400, 'No such customer on this storefront.');
    // A fresh session ID on every sign-in, as a real store does, so an old cookie never gains rights.
    if (oldSession) sessions.delete(oldSession);
    const id = startSession(customer);
    response.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return redirect(response, 303, returnTo);
  }

  async function logoutRoute(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    session: string | undefined,
  ) {
    const form = await sessionForm(request, response, url);
    if (!form) return;
    if (session) sessions.delete(session);
    response.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
    return redirect(response, 303, form.returnTo);
  }

  async function serveStatic(
    request: IncomingMessage,
    response: ServerResponse,
    folder: StaticFolder,
    prefix: string,
    subPath: string,
    customer: StorefrontCustomer | null,
  ) {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, ['GET', 'HEAD']);
    const found = await folder.lookup(subPath);
    if (found.kind === 'bad') return sendText(response, 400, 'Bad percent-encoding in the path.');
    if (found.kind === 'missing') return sendText(response, 404, 'Not found.');
    if (found.kind === 'directory') {
      const target = request.url ?? '';
      const query = target.includes('?') ? target.slice(target.indexOf('?')) : '';
      return redirect(response, 301, prefix.slice(0, -1) + found.path + query);
    }

    const type = contentTypeFor(found.file);
    if (config.render && isHtml(found.file)) {
      const html = await readFile(found.file, 'utf8');
      const path = (request.url ?? '/').split('?', 1)[0]!;
      const body = await render(html, pageContext(customer, path));
      response.setHeader('Cache-Control', PAGE_CACHE);
      return send(response, 200, type, body, method === 'HEAD');
    }
    response.writeHead(200, { 'Content-Type': type, 'Content-Length': found.size, 'Cache-Control': 'no-cache' });
    if (method === 'HEAD') return void response.end();
    await new Promise<void>((resolve) => {
      const stream = createReadStream(found.file);
      stream.on('error', () => {
        response.destroy();
        resolve();
      });
      stream.on('end', resolve);
      response.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(response);
    });
  }

  function fail(response: ServerResponse, error: unknown) {
    config.onError(error);
    if (response.headersSent) response.destroy();
    else sendText(response, 500, 'The storefront failed to answer this request.');
  }

  function currentOrigin(): string {
    if (!address) throw new Error('bc-customer-gate: the mock storefront is not listening; await listen() first.');
    return address.origin;
  }

  return {
    server,
    get origin() {
      return currentOrigin();
    },

    listen() {
      if (server.listening)
        return Promise.reject(new Error('bc-customer-gate: the mock storefront is already listening.'));
      closed = false;
      return new Promise<StorefrontAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          const host = config.host.includes(':') ? `[${config.host}]` : config.host;
          const origin = `http://${host}:${port}`;
          const query = new URLSearchParams({ [CLIENT_ID_PARAM]: config.clientId });
          address = { url: `${origin}/`, origin, port, tokenUrl: `${origin}${config.tokenPath}?${query}` };
          resolve({ ...address });
        });
      });
    },

    close() {
      closed = true;
      for (const [timer, resolve] of pending) {
        clearTimeout(timer);
        resolve();
      }
      pending.clear();
      address = undefined;
      const destroyAll = () => {
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      };
      if (!server.listening) {
        destroyAll();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        destroyAll();
      });
    },

    signIn(ref) {
      const customer = findCustomer(ref);
      if (!customer) {
        throw new Error(
          `bc-customer-gate: no customer ${JSON.stringify(ref)} on the mock storefront; ` +
            'add it to the "customers" option.',
        );
      }
      return `${SESSION_COOKIE}=${startSession(customer)}`;
    },

    signOut(cookie) {
      if (cookie === undefined) {
        const any = sessions.size > 0;
        sessions.clear();
        return any;
      }
      let ended = false;
      for (const id of readCookies(cookie, SESSION_COOKIE)) ended = sessions.delete(id) || ended;
      return ended;
    },

    loginPath(ref, returnTo = '/') {
      const customer = findCustomer(ref);
      if (!customer) throw new Error(`bc-customer-gate: no customer ${JSON.stringify(ref)} on the mock storefront.`);
      if (safeReturnPath(returnTo) === undefined) {
        throw new Error('bc-customer-gate: "returnTo" must be a path on the storefront, starting with a single "/".');
      }
      return `/login?${new URLSearchParams({ customer: String(customer.id), return: returnTo })}`;
    },

    behave(next = {}) {
      behaviour = readBehaviour(next);
    },
    get behaviour() {
      return { ...behaviour };
    },

    get stats() {
      return {
        tokenRequests: stats.tokenRequests,
        tokensIssued: stats.tokensIssued,
        requests: stats.requests.map(({ method, path, response }) => ({
          method,
          path,
          status: response.headersSent ? response.statusCode : undefined,
        })),
      };
    },
    resetStats() {
      stats = freshStats();
    },
    reset() {
      behaviour = {};
      stats = freshStats();
      sessions.clear();
    },

    route(route) {
      routes.push(route);
    },
    mount,
  };
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

function readBehaviour(next: StorefrontBehaviour): StorefrontBehaviour {
  if (!next || typeof next !== 'object') throw new TypeError('bc-customer-gate: behave() takes an object of options.');
  const { delayMs, errorStatus } = next;
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)) {
    throw new TypeError('bc-customer-gate: "delayMs" must be a non-negative number of milliseconds.');
  }
  if (errorStatus !== undefined && (!Number.isInteger(errorStatus) || errorStatus < 400 || errorStatus > 599)) {
    throw new TypeError('bc-customer-gate: "errorStatus" must be an HTTP error status from 400 to 599.');
  }
  if (
    next.otherStore === '' ||
    (next.otherStore !== undefined && typeof next.otherStore !== 'boolean' && typeof next.otherStore !== 'string')
  ) {
    throw new TypeError('bc-customer-gate: "otherStore" must be true or a store hash.');
  }
  return { ...next, ...(next.claims ? { claims: { ...next.claims } } : {}) };
}

function readPrefix(prefix: string): string {
  if (
    typeof prefix !== 'string' ||
    !prefix.startsWith('/') ||
    prefix.startsWith('//') ||
    /[?#\\]|\/\.{1,2}(\/|$)/.test(prefix)
  ) {
    throw new TypeError(
      `bc-customer-gate: mount prefix ${JSON.stringify(prefix)} must be a plain path such as "/dist/".`,
    );
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

interface Counters {
  tokenRequests: number;
  tokensIssued: number;
  requests: Array<{ method: string; path: string; response: ServerResponse }>;
}

function freshStats(): Counters {
  return { tokenRequests: 0, tokensIssued: 0, requests: [] };
}

/** Values of every cookie named `name` in a `Cookie` header. */
function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}

/**
 * Whether `Accept` ranks `application/json` above `text/plain` (https://httpwg.org/specs/rfc9110.html#field.accept).
 * The most specific matching range sets each type's weight; a tie goes to text, the documented shape.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';');
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    return { type: type.trim().toLowerCase(), q };
  });
  const weight = (mime: string) => {
    const group = `${mime.split('/')[0]}/*`;
    let best = 0;
    let specificity = -1;
    for (const range of ranges) {
      const s = range.type === mime ? 2 : range.type === group ? 1 : range.type === '*/*' ? 0 : -1;
      if (s > specificity) {
        specificity = s;
        best = range.q;
      }
    }
    return best;
  };
  const json = weight('application/json');
  return json > 0 && json > weight('text/plain');
}

/**
 * `value` as a redirect target if it is a path on this origin, else `undefined`. Refuses
 * protocol-relative (`//host`), backslash (`/\host`, which browsers read as `//host`), control
 * characters (browsers strip tabs and newlines, turning `/\t/host` into `//host`) and absolute URLs.
 */
export function safeReturnPath(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return '/';
  // eslint-disable-next-line no-control-regex
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\x00-\x1f\x7f]/.test(value)) return undefined;
  const base = 'http://storefront.invalid';
  const url = new URL(value, base);
  if (url.origin !== base) return undefined;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? undefined : path;
}

async function readForm(request: IncomingMessage, response: ServerResponse): Promise<URLSearchParams | undefined> {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    sendText(response, 415, 'Send the form as application/x-www-form-urlencoded.');
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      response.setHeader('Connection', 'close');
      sendText(response, 413, 'Form too large.');
      return undefined;
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(customers: readonly StorefrontCustomer[], returnTo: string): string {
  const forms = customers
    .map(
      (customer) =>
        `<li><form method="post" action="/login"><input type="hidden" name="customer" value="${customer.id}">` +
        `<input type="hidden" name="return" value="${escapeHtml(returnTo)}">` +
        `<button type="submit">Sign in as ${escapeHtml(customer.name ?? customer.email)}</button></form></li>`,
    )
    .join('');
  return (
    '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Sign in</title>' +
    `<h1>Sign in</h1><ul>${forms || '<li>No customers are configured.</li>'}</ul></html>`
  );
}

function send(response: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  if (response.destroyed) return;
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length });
  response.end(headOnly ? undefined : bytes);
}

function sendText(response: ServerResponse, status: number, message: string): void {
  send(response, status, 'text/plain; charset=utf-8', `${message}\n`);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function redirect(response: ServerResponse, status: 301 | 303, location: string): void {
  if (response.destroyed) return;
  response.writeHead(status, { Location: location, 'Content-Length': 0 });
  response.end();
}

function methodNotAllowed(response: ServerResponse, methods: readonly string[]): void {
  response.setHeader('Allow', methods.join(', '));
  sendText(response, 405, `Use ${methods.join(' or ')}.`);
}
