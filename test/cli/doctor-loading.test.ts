// How the page loads the element, when no tag names the package: the doctor reads the page's scripts
// (bounded) and finds the definition in a self-hosted copy of the CDN file or in a theme bundle that
// imports the package; a cross-origin module without CORS headers is caught. Then the end-to-end
// exchange's three kinds of 403. All over real loopback HTTP, with the real build artifacts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Check } from '../../src/cli/doctor/report.js';
import type { DoctorOptions } from '../../src/cli/doctor/options.js';
import { runChecks } from '../../src/cli/doctor/run.js';
import { definesElement, MAX_SCRIPTS_READ } from '../../src/cli/doctor/scripts.js';
import { createCustomerGateHandler, toNodeListener } from '../../src/server/index.js';
import {
  app,
  CLIENT_ID,
  CLIENT_SECRET,
  gatePage,
  type Running,
  STORE_HASH,
  serve,
  storefront,
} from './doctor-servers.js';
import { root } from './run-cli.js';

const cdnFile = join(root, 'dist/cdn/bc-customer-gate.js');
let shop: Awaited<ReturnType<typeof storefront>>;
let assets: Running;
let endpoint: Running;
/** What the assets server answers: path -> body and headers; every request is counted. */
const files = new Map<string, { body: string; headers?: Record<string, string>; reset?: boolean }>();
const requested: string[] = [];
let copy: string;
let themeBundle: string;

before(async () => {
  if (!existsSync(cdnFile)) throw new Error(`${cdnFile} is missing: run "npm run build" before these tests.`);
  copy = readFileSync(cdnFile, 'utf8');
  // A theme's own bundle that imports the package, built the way a theme build would.
  const bundled = await build({
    stdin: { contents: "import 'bc-customer-gate';\nconsole.log('theme');", resolveDir: root },
    bundle: true,
    minify: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  });
  themeBundle = bundled.outputFiles[0]!.text;
  shop = await storefront();
  assets = await serve((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    requested.push(path);
    const file = files.get(path);
    if (file?.reset) return request.socket.destroy();
    if (!file) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      return response.end('no such file');
    }
    response.writeHead(200, { 'Content-Type': 'text/javascript', ...file.headers });
    response.end(file.body);
  });
  // Scripts on the storefront's own origin are served by the storefront itself.
  endpoint = await app([shop.origin]);
});

after(async () => {
  await Promise.all([shop.close(), assets.close(), endpoint.close()]);
});

function serveOnShop(path: string, body: string, type = 'text/javascript'): void {
  shop.pages.set(path, { html: body, headers: { 'Content-Type': type } });
}

async function check(page: string, options: Partial<DoctorOptions> = {}): Promise<Check[]> {
  shop.pages.set('/p.html', { html: page });
  return runChecks({
    storefront: new URL(`${shop.origin}/p.html`),
    alsoOrigins: [],
    timeoutMs: 3000,
    maxPageBytes: 2 * 1024 * 1024,
    twinOf: () => ({ none: 'not in this test' }),
    ...options,
  });
}

function find(checks: Check[], id: string, pattern: RegExp = /./): Check {
  const found = checks.find((c) => c.id === id && pattern.test(c.title));
  assert.ok(found, `no ${id} check matching ${pattern} in:\n${checks.map((c) => `${c.status} ${c.title}`).join('\n')}`);
  return found;
}

const page = (script: string, head = '') => gatePage({ endpoint: `${endpoint.origin}/`, script, head });

describe('doctor: where the element is defined', () => {
  it('recognises the definition in the CDN file and in a bundle, minified or not', () => {
    assert.ok(definesElement(copy), 'the CDN file');
    assert.ok(definesElement(themeBundle), 'an esbuild bundle of the package');
    assert.ok(definesElement("customElements.define('bc-customer-gate', Gate)"));
    assert.ok(definesElement('var k="bc-customer-gate";customElements.get(k)||customElements.define(k,V)'));
    assert.ok(definesElement('const $t = `bc-customer-gate`; window.customElements?.define($t, class extends X {})'));
    assert.ok(!definesElement('document.querySelector("bc-customer-gate")'));
    assert.ok(!definesElement("customElements.define('bc-customer-gate-x', X)"));
    assert.ok(!definesElement('var k="other-element";customElements.define(k,V);const m="bc-customer-gate"'));
  });

  it('a self-hosted copy on the storefront (<script type="module" src="/assets/...">) passes', async () => {
    serveOnShop('/assets/bc-customer-gate.js', copy);
    const checks = await check(page('<script type="module" src="/assets/bc-customer-gate.js"></script>'));
    const found = find(checks, 'script.found');
    assert.equal(found.status, 'pass', found.title);
    assert.match(found.title, /defines the element: "\/assets\/bc-customer-gate\.js" on line \d+, a self-hosted copy/);
    assert.ok(!checks.some((c) => c.id === 'script.cors'));
  });

  it("the theme's own bundle that imports the package passes, among other scripts", async () => {
    serveOnShop('/assets/js/vendor.js', 'console.log("vendor")');
    serveOnShop('/assets/js/theme-bundle.main.js', themeBundle);
    const checks = await check(
      page('<script src="/assets/js/vendor.js"></script><script src="/assets/js/theme-bundle.main.js" defer></script>'),
    );
    const found = find(checks, 'script.found');
    assert.equal(found.status, 'pass', found.title);
    assert.match(
      found.title,
      /"\/assets\/js\/theme-bundle\.main\.js" on line \d+, a bundle that includes it \(type \(classic\)/,
    );
  });

  it("the defining script is judged against the page's CSP like a CDN script", async () => {
    serveOnShop('/assets/bc-customer-gate.js', copy);
    const csp = `script-src https://cdn.example; connect-src 'self' ${endpoint.origin}`;
    const checks = await check(
      page(
        '<script type="module" src="/assets/bc-customer-gate.js"></script>',
        `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      ),
    );
    assert.equal(find(checks, 'script.found').status, 'pass');
    assert.equal(find(checks, 'csp.script').status, 'fail');
  });

  it('a cross-origin module served without Access-Control-Allow-Origin fails: browsers refuse to run it', async () => {
    files.set('/gate.js', { body: copy });
    const checks = await check(page(`<script type="module" src="${assets.origin}/gate.js"></script>`));
    assert.equal(find(checks, 'script.found').status, 'pass');
    const cors = find(checks, 'script.cors', /without Access-Control-Allow-Origin: browsers refuse to run it/);
    assert.equal(cors.status, 'fail');
    assert.match(cors.fix!, /Access-Control-Allow-Origin: \*/);
  });

  it('the same module with Access-Control-Allow-Origin: * (or the exact origin) passes; a classic script needs none', async () => {
    files.set('/gate.js', { body: copy, headers: { 'Access-Control-Allow-Origin': '*' } });
    let checks = await check(page(`<script type="module" src="${assets.origin}/gate.js"></script>`));
    assert.ok(!checks.some((c) => c.id === 'script.cors'), 'ACAO *');
    files.set('/gate.js', { body: copy, headers: { 'Access-Control-Allow-Origin': shop.origin } });
    checks = await check(page(`<script type="module" src="${assets.origin}/gate.js"></script>`));
    assert.ok(!checks.some((c) => c.id === 'script.cors'), 'exact origin');
    files.set('/gate.js', { body: copy, headers: { 'Access-Control-Allow-Origin': 'https://elsewhere.example' } });
    checks = await check(page(`<script type="module" src="${assets.origin}/gate.js"></script>`));
    assert.match(find(checks, 'script.cors').title, /with Access-Control-Allow-Origin "https:\/\/elsewhere\.example"/);
    files.set('/gate.js', { body: copy });
    checks = await check(page(`<script src="${assets.origin}/gate.js"></script>`));
    assert.ok(!checks.some((c) => c.id === 'script.cors'), 'classic script without crossorigin');
  });

  it('scripts that do not define it: a failure that lists what was read', async () => {
    serveOnShop('/assets/js/vendor.js', 'console.log("vendor")');
    const checks = await check(page('<script src="/assets/js/vendor.js"></script><script src="/missing.js"></script>'));
    const missing = find(checks, 'script.found', /No script on the page loads the element/);
    assert.equal(missing.status, 'fail');
    assert.deepEqual(missing.notes, [
      '"/assets/js/vendor.js" (line 3): does not define it.',
      '"/missing.js" (line 3): answered 404.',
    ]);
  });

  it('a script that could not be read makes it a warning, not a failure', async () => {
    files.set('/reset.js', { body: '', reset: true });
    const checks = await check(page(`<script src="${assets.origin}/reset.js"></script>`));
    const unsure = find(checks, 'script.found', /No script the doctor could read defines the element/);
    assert.equal(unsure.status, 'warn');
    assert.match(unsure.notes!.join('\n'), /reset\.js" \(line \d+\): the connection was closed/);
  });

  it(`reads at most ${MAX_SCRIPTS_READ} scripts, the likeliest first`, async () => {
    requested.length = 0;
    const tags = Array.from({ length: 20 }, (_, i) => `<script src="${assets.origin}/s${i}.js"></script>`);
    tags.push(`<script type="module" src="${assets.origin}/vendor/bc-customer-gate.js"></script>`);
    files.set('/vendor/bc-customer-gate.js', { body: copy, headers: { 'Access-Control-Allow-Origin': '*' } });
    const checks = await check(page(tags.join('\n')));
    assert.equal(requested.length, MAX_SCRIPTS_READ);
    assert.ok(requested.includes('/vendor/bc-customer-gate.js'), 'a file named after the element is read first');
    assert.equal(find(checks, 'script.found').status, 'pass');

    requested.length = 0;
    const none = await check(page(tags.slice(0, 20).join('\n')));
    assert.equal(requested.length, MAX_SCRIPTS_READ);
    const unsure = find(none, 'script.found');
    assert.equal(unsure.status, 'warn');
    assert.equal(unsure.notes![0], `Only the first ${MAX_SCRIPTS_READ} of 20 scripts were read.`);
  });

  it('the package from a public CDN is taken as published: no script is fetched', async () => {
    requested.length = 0;
    const cdn =
      '<script type="module" src="https://cdn.jsdelivr.net/npm/bc-customer-gate@0.1.0/dist/cdn/bc-customer-gate.js">';
    const checks = await check(page(`${cdn}</script><script src="${assets.origin}/s1.js"></script>`));
    const found = find(checks, 'script.found', /Script loads the element: "https:\/\/cdn\.jsdelivr\.net/);
    assert.equal(found.status, 'pass');
    assert.deepEqual(requested, []);
  });

  it('a self-hosted file named like the CDN file is read all the same: one that is missing fails', async () => {
    const checks = await check(page('<script type="module" src="/assets/old/bc-customer-gate.js?v=2"></script>'));
    const missing = find(checks, 'script.found', /No script on the page loads the element/);
    assert.equal(missing.status, 'fail');
    assert.deepEqual(missing.notes, ['"/assets/old/bc-customer-gate.js?v=2" (line 3): answered 404.']);
  });
});

describe('doctor: the end-to-end exchange tells its 403s apart', () => {
  const servers: Running[] = [];
  after(() => Promise.all(servers.map((server) => server.close())));

  async function endToEnd(endpointServer: Running): Promise<Check> {
    servers.push(endpointServer);
    const checks = await check(page(''), {
      endpoint: new URL(`${endpointServer.origin}/`),
      endToEnd: { clientSecret: CLIENT_SECRET, customerId: 7, storeHash: STORE_HASH },
    });
    return find(checks, 'e2e.exchange');
  }

  it('an origin the handler refuses: named as such, and the token unchecked', async () => {
    const result = await endToEnd(await app(['https://another-store.example']));
    assert.equal(result.status, 'fail');
    assert.match(result.title, /origin refused \(403, \d+ ms\); the token was not checked/);
    assert.match(result.fix!, new RegExp(`Add ${shop.origin} to the handler's origins option`));
    assert.doesNotMatch(result.fix!, /onError|after verification/);
  });

  it('a wrong secret behind an allowed origin is a 401 "signature", not a 403', async () => {
    const handler = createCustomerGateHandler({
      clientId: CLIENT_ID,
      clientSecret: 'another-apps-secret-0123456789abcdef',
      stores: [STORE_HASH],
      origins: [shop.origin],
    });
    const result = await endToEnd(await serve(toNodeListener(handler)));
    assert.equal(result.status, 'fail');
    assert.match(result.title, /token refused \(401, code "signature"\)/);
  });

  it('an authorize denial: verified, then denied', async () => {
    const handler = createCustomerGateHandler({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      stores: [STORE_HASH],
      origins: [shop.origin],
      authorize: () => false,
    });
    const result = await endToEnd(await serve(toNodeListener(handler)));
    assert.equal(result.status, 'pass');
    assert.match(result.title, /verified, then denied by authorize \(403\)/);
  });

  it('a 403 from something in front of the handler (a firewall page)', async () => {
    const firewall = await serve((_request, response) => {
      response.writeHead(403, { 'Content-Type': 'text/html' });
      response.end('<h1>Access denied</h1>');
    });
    const result = await endToEnd(firewall);
    assert.equal(result.status, 'fail');
    assert.match(result.title, /403 that is not the handler's answer/);
    assert.match(result.fix!, /firewall, bot protection/);
  });

  it('a 500 points at the logs, any other status at the route', async () => {
    const broken = await serve((_request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end('oops');
    });
    assert.match((await endToEnd(broken)).fix!, /onError/);
    const gone = await serve((_request, response) => {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('no');
    });
    assert.match((await endToEnd(gone)).fix!, /route where createCustomerGateHandler runs/);
  });
});
