/**
 * `npm start`: the storefront demo on loopback, across two real origins.
 *
 *   - a mock Stencil storefront (default http://localhost:8080): sign in as a demo customer, sign out,
 *     switch customer; its pages load <bc-customer-gate>;
 *   - the app backend (default http://127.0.0.1:8081, another origin, so the browser applies CORS):
 *     the exchange endpoint, built only from `bc-customer-gate/server` and `bc-customer-gate/bigcommerce`;
 *   - a mock of BigCommerce's store API (a free port on loopback), which the app reads the shopper's
 *     orders and products from, as it would from a real store; no account needed.
 *
 * Run directly, it builds dist/ first when it is missing or older than src/ (DEMO_SKIP_BUILD=1 skips
 * that), prints what to open, and stops on Ctrl-C. Imported, it only exports `startDemo`, which
 * `bc-customer-gate dev` and the end-to-end tests call.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  APP_PORT_ENV,
  DEFAULT_APP_PORT,
  DEFAULT_STOREFRONT_PORT,
  DEMO_ACCESS_TOKEN,
  DEMO_CLIENT_ID,
  DEMO_CUSTOMERS,
  FRAGMENT_ENDPOINT_PATH,
  GROUPS,
  JSON_ENDPOINT_PATH,
  STOREFRONT_PORT_ENV,
} from './config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the demo needs from the build: the server and testing entries and both element builds. */
const BUILD_OUTPUTS = [
  'dist/server/index.js',
  'dist/testing/index.js',
  'dist/bigcommerce/index.js',
  'dist/element/index.js',
  'dist/cdn/bc-customer-gate.js',
];
const BUILD_INPUTS = ['src', 'package.json', 'tsconfig.json', 'rollup.config.mjs', 'scripts/build.mjs'];

/**
 * Starts the storefront and the app backend. Ports default to STOREFRONT_PORT / APP_PORT from the
 * environment, else 8080 / 8081; `0` picks a free port. `host` is the interface both listen on
 * (default 127.0.0.1); on the default, the storefront is addressed as `localhost` and the app as
 * `127.0.0.1`, two different sites as in production. `quiet` prints nothing.
 *
 * @param {import('./start.d.mts').StartDemoOptions} [options]
 * @returns {Promise<import('./start.d.mts').DemoHandle>}
 */
export async function startDemo(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const quiet = options.quiet === true;
  const storefrontPort = readPort(
    options.storefrontPort,
    STOREFRONT_PORT_ENV,
    DEFAULT_STOREFRONT_PORT,
    'storefrontPort',
  );
  const appPort = readPort(options.appPort, APP_PORT_ENV, DEFAULT_APP_PORT, 'appPort');
  if (storefrontPort !== 0 && storefrontPort === appPort) {
    throw new Error(
      `The storefront and the app need different ports (both are ${appPort}); set ${APP_PORT_ENV} (bc-customer-gate dev: --app-port) to another one.`,
    );
  }
  for (const file of BUILD_OUTPUTS) {
    if (!existsSync(join(root, file)))
      throw new Error(`${file} is missing: run \`npm run build\` first (npm start does it for you).`);
  }

  const [{ createDemoStorefront }, { createDemoApp }, { startStoreApi, STORE_DATA }] = await Promise.all([
    import('./storefront.mjs'),
    import('./app.mjs'),
    import('./store-api.mjs'),
  ]);
  const names = hostNames(host);
  const log = quiet ? () => {} : (line) => console.log(line);

  let links = { appUrl: '', endpoint: '', fragmentEndpoint: '' };
  const storefront = createDemoStorefront({ host, port: storefrontPort, links: () => links });
  const storefrontBound = await listening(
    storefront.listen().then((address) => address.port),
    storefrontPort,
    `${STOREFRONT_PORT_ENV} (bc-customer-gate dev: --port)`,
    'storefront',
  );
  const storefrontOrigin = `http://${names.storefront}:${storefrontBound}`;

  let storeApi;
  try {
    storeApi = await startStoreApi({ imageOrigin: storefrontOrigin });
  } catch (error) {
    await storefront.close();
    throw error;
  }
  routeProductPages(storefront, STORE_DATA);
  // Configured as a real app is: the store API's URL and the store's access token.
  const app = createDemoApp({
    storefrontOrigin,
    host,
    port: appPort,
    log,
    storeApi: { apiUrl: storeApi.url, accessToken: DEMO_ACCESS_TOKEN },
  });
  let appBound;
  try {
    appBound = await listening(
      app.start(),
      appPort,
      `${APP_PORT_ENV} (bc-customer-gate dev: --app-port)`,
      'app backend',
    );
  } catch (error) {
    await Promise.all([storefront.close(), storeApi.close()]);
    throw error;
  }
  const appOrigin = `http://${names.app}:${appBound}`;
  links = {
    appUrl: `${appOrigin}/`,
    endpoint: `${appOrigin}${JSON_ENDPOINT_PATH}`,
    fragmentEndpoint: `${appOrigin}${FRAGMENT_ENDPOINT_PATH}`,
  };

  const handle = new DemoHandle(`${storefrontOrigin}/`, links, storefront, app, storeApi);
  if (!quiet) console.log(banner(handle));
  return handle;
}

/**
 * The running demo. Only the two URLs are own properties, so tools that list a handle's URLs (the
 * `dev` command) print just those; the rest is on the prototype.
 */
class DemoHandle {
  #links;
  #storefront;
  #app;
  #storeApi;
  #closing;

  constructor(storefrontUrl, links, storefront, app, storeApi) {
    /** The storefront's home page, e.g. `http://localhost:8080/`. */
    this.storefrontUrl = storefrontUrl;
    /** The app backend, e.g. `http://127.0.0.1:8081/`. */
    this.appUrl = links.appUrl;
    this.#links = links;
    this.#storefront = storefront;
    this.#app = app;
    this.#storeApi = storeApi;
  }

  /** The mock store API the app reads orders from: its `calls`, `fail()` and `latencyMs`. */
  get storeApi() {
    return this.#storeApi;
  }

  /** The mock storefront: `behave()` to make it misbehave, `stats`, `signIn()`, `reset()`. */
  get storefront() {
    return this.#storefront;
  }

  /** The app backend: `stop()` and `start()` it (same port), read its `stats`. */
  get app() {
    const app = this.#app;
    const links = this.#links;
    return {
      endpoint: links.endpoint,
      fragmentEndpoint: links.fragmentEndpoint,
      origin: new URL(links.appUrl).origin,
      start: () => app.start().then(() => undefined),
      stop: () => app.stop(),
      get stats() {
        return app.stats;
      },
      resetStats: () => app.resetStats(),
    };
  }

  /** A page of the storefront, by path: `handle.url('/account.html')`. */
  url(path) {
    return new URL(path, this.storefrontUrl).href;
  }

  /** Stops the three servers and cuts their connections. Safe to call twice. */
  close() {
    this.#closing ??= Promise.all([this.#storefront.close(), this.#app.stop(), this.#storeApi.close()]).then(
      () => undefined,
    );
    return this.#closing;
  }
}

/**
 * A storefront answers a product's `custom_url` with its page; the demo has one page for all of
 * them, so each product path leads to its card on the shop page.
 */
function routeProductPages(storefront, data) {
  for (const product of data.stores[Object.keys(data.stores)[0]].catalog) {
    storefront.route({
      path: product.custom_url.url,
      handle(_request, response) {
        response.writeHead(302, { Location: `/shop.html#${product.sku}`, 'Cache-Control': 'no-store' }).end();
      },
    });
  }
}

function hostNames(host) {
  if (host === '127.0.0.1') return { storefront: 'localhost', app: '127.0.0.1' };
  const name = host.includes(':') ? `[${host}]` : host;
  return { storefront: name, app: name };
}

function readPort(value, envName, fallback, optionName) {
  if (value !== undefined && value !== null) {
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new TypeError(
        `"${optionName}" must be a port number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(value)}.`,
      );
    }
    return value;
  }
  const raw = process.env[envName];
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || port > 65535) {
    throw new TypeError(
      `${envName} must be a port number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(raw)}.`,
    );
  }
  return port;
}

/** Turns EADDRINUSE and friends into one line that says which variable to change. */
async function listening(promise, port, setting, what) {
  try {
    return await promise;
  } catch (error) {
    const code = error?.code;
    if (code === 'EADDRINUSE') {
      throw Object.assign(
        new Error(`Port ${port} (the ${what}) is already in use: set ${setting} to a free port, or to 0 to pick one.`),
        { code },
      );
    }
    if (code === 'EACCES') {
      throw Object.assign(
        new Error(`Not allowed to listen on port ${port} (the ${what}): set ${setting} to a port above 1023.`),
        { code },
      );
    }
    throw error;
  }
}

function banner(handle) {
  const page = (path) => handle.url(path);
  const who = DEMO_CUSTOMERS.map((c) => `${c.name} (${GROUPS[c.groupId]})`).join(', ');
  return `
bc-customer-gate demo
  Storefront (mock Stencil store):   ${handle.storefrontUrl}
  App backend (exchange endpoint):   ${handle.appUrl}  (another origin: real CORS)
  Store API (mock of BigCommerce):   ${handle.storeApi.url}  (orders and products; its calls are logged below)

Open ${handle.storefrontUrl} and sign in with the yellow demo bar as one of: ${who}.
  ${page('/account.html')}        Theme template: "Recently purchased" on the account page
  ${page('/shop.html')}           10 gates on a category page, one token request and one exchange
  ${page('/cart.html')}           Script Manager: only the CDN bundle, one <script type="module">
  ${page('/members.html')}        Page Builder widget: the app answers an HTML fragment, with images and links
Switch customer and the products change; sign out and they go. Cleo's group is refused by the
app's authorize hook (the denied state).

Demo client ID "${DEMO_CLIENT_ID}" and its secret (demo/config.mjs) are public demo values:
never use them for a real app.
Press Ctrl-C to stop.`;
}

// ---- run directly: build when needed, start, stop on a signal -----------------------------------

function newestChange(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

/** `missing`, `stale` or `ok`. Outside a checkout (an installed package) there is no src/ to compare. */
function buildState() {
  if (BUILD_OUTPUTS.some((file) => !existsSync(join(root, file))))
    return existsSync(join(root, 'src')) ? 'missing' : 'damaged';
  if (!existsSync(join(root, 'src'))) return 'ok';
  const built = Math.min(...BUILD_OUTPUTS.map((file) => statSync(join(root, file)).mtimeMs));
  const changed = Math.max(...BUILD_INPUTS.map((input) => newestChange(join(root, input))));
  return changed > built ? 'stale' : 'ok';
}

function ensureBuilt() {
  if (process.env.DEMO_SKIP_BUILD === '1') return;
  const state = buildState();
  if (state === 'ok') return;
  if (state === 'damaged') {
    throw new Error('dist/ is incomplete in this installation; reinstall bc-customer-gate.');
  }
  console.error(
    state === 'missing'
      ? 'dist/ is missing: running npm run build…'
      : 'src/ changed since the last build: running npm run build…',
  );
  const result = spawnSync('npm run build', { cwd: root, stdio: 'inherit', shell: true });
  if (result.status !== 0) throw new Error('npm run build failed: fix the errors above, then run npm start again.');
}

async function main() {
  let demo;
  try {
    ensureBuilt();
    demo = await startDemo();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  const stop = (signal) => {
    // A second Ctrl-C while closing gives up waiting.
    process.once(signal, () => process.exit(130));
    demo.close().then(
      () => {
        console.log('\nDemo stopped.');
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function runDirectly() {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}
if (runDirectly()) await main();
