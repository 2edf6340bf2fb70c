/**
 * The demo's mock Stencil storefront (origin A), built on the test kit's `createMockStorefront`: the
 * Current Customer route, sign-in and sign-out, and the pages in demo/site/ rendered per request the
 * way a theme's Handlebars would be. The element is served from this package's own build: the npm
 * ESM build under /dist/ (with Lit under /vendor/ for the import map) and the CDN bundle under
 * /dist/cdn/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMockStorefront, escapeHtml, renderTemplate } from 'bc-customer-gate/testing';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMERS, DEMO_STORE_HASH, STORE_NAME } from './config.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const SITE_DIR = join(here, 'site');
const PARTIALS_DIR = join(here, 'partials');
const DIST_DIR = join(here, '..', 'dist');

/**
 * The folder of an installed package, resolved the way Node would from `from` (a file path), then
 * walked up to its package.json.
 */
function packageDir(name, from) {
  let dir;
  try {
    dir = dirname(createRequire(from).resolve(name));
  } catch {
    throw new Error(`bc-customer-gate demo: cannot find the "${name}" package; run npm install.`);
  }
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`bc-customer-gate demo: cannot find the "${name}" package; run npm install.`);
    dir = parent;
  }
}

/**
 * Lit's ReactiveElement, the element's one browser dependency, served under /vendor/ for the ESM
 * pages' import map; resolved from here, where Node finds it whatever the package manager's layout.
 */
function vendorMounts() {
  return { '/vendor/@lit/reactive-element/': packageDir('@lit/reactive-element', fileURLToPath(import.meta.url)) };
}

// Handlebars-style partials (`{{> header}}`), from demo/partials/NAME.html.
const PARTIAL = /\{\{>\s*([a-z][a-z0-9-]*)\s*\}\}/g;
// The demo's own placeholders; the storefront's (`{{customer.email}}`, `{{#if customer}}`) are renderTemplate's.
const DEMO_VALUE = /\{\{\s*((?:app|store|page)\.[a-z_]+)\s*\}\}/g;

/**
 * @param {{ host: string, port: number, links: () => { endpoint: string, fragmentEndpoint: string, appUrl: string } }} options
 *   `links` is read per request: the app's URL is known only once it listens.
 */
export function createDemoStorefront({ host, port, links }) {
  async function render(html, context) {
    const app = links();
    const values = {
      'app.endpoint': app.endpoint,
      'app.fragment_endpoint': app.fragmentEndpoint,
      'app.url': app.appUrl,
      'store.name': STORE_NAME,
      'page.path': context.path,
    };
    let out = html;
    // Partials first (one level deep is all the pages use), then the demo's values, then the theme's.
    for (let depth = 0; depth < 2; depth++) {
      const names = [...out.matchAll(PARTIAL)].map((match) => match[1]);
      if (names.length === 0) break;
      const partials = Object.fromEntries(
        await Promise.all(
          [...new Set(names)].map(async (name) => [name, await readFile(join(PARTIALS_DIR, `${name}.html`), 'utf8')]),
        ),
      );
      out = out.replace(PARTIAL, (_match, name) => partials[name]);
    }
    out = out.replace(DEMO_VALUE, (placeholder, name) => (name in values ? escapeHtml(values[name]) : placeholder));
    return renderTemplate(out, context);
  }

  const mounts = { '/dist/': DIST_DIR, ...vendorMounts() };

  return createMockStorefront({
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    storeHash: DEMO_STORE_HASH,
    customers: DEMO_CUSTOMERS,
    root: SITE_DIR,
    mounts,
    render,
    host,
    port,
  });
}
