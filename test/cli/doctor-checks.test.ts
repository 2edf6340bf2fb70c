// The doctor's checks run in-process over real loopback HTTP: a www twin (localhost has none, so the
// twin is pointed at a loopback server), page redirects, the bounds on what a page makes it call, and
// the markup, token route and endpoint cases not already run through the command line.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Check } from '../../src/cli/doctor/report.js';
import type { DoctorOptions } from '../../src/cli/doctor/options.js';
import { runChecks } from '../../src/cli/doctor/run.js';
import { buildWidgetTemplate } from '../../src/widget/template.js';
import { app, CLIENT_ID, gatePage, serve, storefront, type Running } from './doctor-servers.js';

let shop: Awaited<ReturnType<typeof storefront>>;
let twin: Running;
let twinMode: 'serve' | 'redirect' = 'serve';
const servers: Running[] = [];

before(async () => {
  shop = await storefront();
  twin = await serve((_request, response) => {
    if (twinMode === 'redirect') {
      response.writeHead(301, { Location: `${shop.origin}/` });
      return response.end();
    }
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><p>the same store</p>');
  });
});

after(async () => {
  await Promise.all([shop.close(), twin.close(), ...servers.map((server) => server.close())]);
});

async function check(options: Partial<DoctorOptions> & { page: string }): Promise<Check[]> {
  shop.pages.set('/p.html', { html: options.page });
  return runChecks({
    storefront: new URL(`${shop.origin}/p.html`),
    alsoOrigins: [],
    timeoutMs: 3000,
    maxPageBytes: 2 * 1024 * 1024,
    twinOf: () => ({ origin: twin.origin }),
    ...options,
  });
}

const find = (checks: Check[], id: string, pattern: RegExp) => {
  const found = checks.find((c) => c.id === id && pattern.test(c.title));
  assert.ok(found, `no ${id} check matching ${pattern} in:\n${checks.map((c) => `${c.status} ${c.title}`).join('\n')}`);
  return found;
};

describe('doctor: the www twin', () => {
  it('a twin that serves the store is a storefront origin: the endpoint must allow it', async () => {
    twinMode = 'serve';
    const endpoint = await app([shop.origin]);
    servers.push(endpoint);
    const checks = await check({ page: gatePage({ endpoint: `${endpoint.origin}/` }) });
    assert.equal(find(checks, 'origin.twin', /serves the storefront too/).status, 'pass');
    assert.equal(find(checks, 'endpoint.origin', new RegExp(`from ${shop.origin}: 401`)).status, 'pass');
    const refused = find(
      checks,
      'endpoint.origin',
      new RegExp(`from ${twin.origin}: origin refused \\(403 in \\d+ ms\\)`),
    );
    assert.equal(refused.status, 'fail');
    assert.match(refused.fix!, new RegExp(`Add ${twin.origin} to the handler's origins`));
  });

  it('with the twin allowed too, both origins pass', async () => {
    twinMode = 'serve';
    const endpoint = await app([shop.origin, twin.origin]);
    servers.push(endpoint);
    const checks = await check({ page: gatePage({ endpoint: `${endpoint.origin}/` }) });
    assert.equal(checks.filter((c) => c.id === 'endpoint.origin' && c.status === 'pass').length, 2);
    assert.ok(
      checks.every((c) => c.status !== 'fail'),
      checks.map((c) => c.title).join('\n'),
    );
  });

  it('a twin that redirects is never where the page runs: skipped, and said so', async () => {
    twinMode = 'redirect';
    const endpoint = await app([shop.origin]);
    servers.push(endpoint);
    const checks = await check({ page: gatePage({ endpoint: `${endpoint.origin}/` }) });
    assert.equal(find(checks, 'origin.twin', /redirects \(301\); shoppers never run the page there/).status, 'skip');
    assert.equal(checks.filter((c) => c.id === 'endpoint.origin').length, 1);
    assert.ok(checks.every((c) => c.status !== 'fail'));
  });

  it('a twin nobody answers for is skipped with the reason', async () => {
    const gone = await serve(() => {});
    await gone.close();
    const endpoint = await app([shop.origin]);
    servers.push(endpoint);
    const checks = await check({
      page: gatePage({ endpoint: `${endpoint.origin}/` }),
      twinOf: () => ({ origin: gone.origin }),
    });
    assert.equal(find(checks, 'origin.twin', /connection refused.*not checked/).status, 'skip');
  });
});

describe('doctor: page redirects and bounds', () => {
  it('a guest redirected (an account page sending guests to sign in) is warned about, and the landing page checked', async () => {
    shop.pages.set('/login.php', { html: '<!doctype html><form>sign in</form>' });
    const redirecting = await serve((_request, response) => {
      response.writeHead(302, { Location: `${shop.origin}/login.php` });
      response.end();
    }, 'localhost');
    servers.push(redirecting);
    const checks = await runChecks({
      storefront: new URL(`${redirecting.origin}/account.php`),
      alsoOrigins: [],
      timeoutMs: 3000,
      maxPageBytes: 1 << 20,
      twinOf: () => ({ none: 'test' }),
    });
    const warning = find(checks, 'page.redirect', /redirected a guest to ".*\/login\.php"/);
    assert.equal(warning.status, 'warn');
    assert.match(warning.fix!, /signed-out shopper can open/);
    assert.equal(find(checks, 'gate.found', /No <bc-customer-gate>/).status, 'fail');
  });

  it('a routine redirect (to the same path elsewhere) is a note, not a warning; a loop is a failure', async () => {
    shop.pages.set('/shop/', { html: '<!doctype html><p>shop</p>' });
    const canonical = await serve((_request, response) => {
      response.writeHead(301, { Location: `${shop.origin}/shop/` });
      response.end();
    }, 'localhost');
    let loops = 0;
    const loop = await serve((_request, response) => {
      loops++;
      response.writeHead(302, { Location: '/again' });
      response.end();
    }, 'localhost');
    servers.push(canonical, loop);
    const options = { alsoOrigins: [], timeoutMs: 3000, maxPageBytes: 1 << 20, twinOf: () => ({ none: 'test' }) };
    const checks = await runChecks({ ...options, storefront: new URL(`${canonical.origin}/shop`) });
    const fetched = find(checks, 'page.fetch', /Page fetched as a guest/);
    assert.deepEqual(fetched.notes, [`After 1 redirect: "${shop.origin}/shop/".`]);
    assert.ok(!checks.some((c) => c.id === 'page.redirect'));

    const looped = await runChecks({ ...options, storefront: new URL(`${loop.origin}/`) });
    assert.equal(find(looped, 'page.fetch', /more than 5 redirects/).status, 'fail');
    assert.equal(loops, 6, 'the first request and five redirects followed');
  });

  it('a page naming many endpoints and client IDs makes the doctor call at most five endpoints and three token URLs', async () => {
    let calls = 0;
    let tokenCalls = 0;
    shop.routes.token = (_request, response) => {
      tokenCalls++;
      response.writeHead(404);
      response.end();
    };
    const counting = await serve((_request, response) => {
      calls++;
      response.writeHead(404);
      response.end();
    });
    servers.push(counting);
    const gates = Array.from(
      { length: 12 },
      (_, i) =>
        `<bc-customer-gate client-id="${CLIENT_ID}-${i}" endpoint="${counting.origin}/e${i}"></bc-customer-gate>`,
    ).join('');
    try {
      const checks = await check({ page: gatePage({ endpoint: '', gates }), twinOf: () => ({ none: 'test' }) });
      find(
        checks,
        'gate.endpoint-match',
        /12 different endpoints on one page: .* and 7 more \(only these 5 are checked\)/,
      );
      find(checks, 'gate.client-id-match', /12 different client IDs on one page/);
      assert.equal(checks.filter((c) => c.id === 'endpoint.origin').length, 5);
      assert.equal(calls, 5);
      assert.equal(checks.filter((c) => c.id === 'token.route').length, 3);
      assert.equal(tokenCalls, 3);
    } finally {
      shop.routes.token = null;
    }
  });
});

describe('doctor: endpoint details', () => {
  it('an endpoint that refuses HS512, the algorithm BigCommerce signs with', async () => {
    const endpoint = await app([shop.origin], { algorithms: ['HS256'] });
    servers.push(endpoint);
    const checks = await check({
      page: gatePage({ endpoint: `${endpoint.origin}/` }),
      twinOf: () => ({ none: 'test' }),
    });
    const refused = find(checks, 'endpoint.origin', /refuses HS512 tokens \(code "algorithm"/);
    assert.equal(refused.status, 'fail');
    assert.match(refused.fix!, /Allow HS512/);
  });

  it('a preflight that never reaches the handler is a warning: the element sends none', async () => {
    const endpoint = await app([shop.origin], { only: ['POST'] });
    servers.push(endpoint);
    const checks = await check({
      page: gatePage({ endpoint: `${endpoint.origin}/` }),
      twinOf: () => ({ none: 'test' }),
    });
    assert.equal(find(checks, 'endpoint.origin', /401 "signature" as expected/).status, 'pass');
    const preflight = find(
      checks,
      'endpoint.preflight',
      /answered 405; no exact Access-Control-Allow-Origin; POST not in Access-Control-Allow-Methods/,
    );
    assert.equal(preflight.status, 'warn');
    assert.ok(checks.every((c) => c.status !== 'fail'));
  });
});

describe('doctor: markup and storefront details', () => {
  let endpoint: Running;
  before(async () => {
    endpoint = await app([shop.origin]);
    servers.push(endpoint);
  });
  const run = (page: string) => check({ page, twinOf: () => ({ none: 'test' }) });

  it('Handlebars left unrendered in a gate', async () => {
    const checks = await run(
      gatePage({
        endpoint: '',
        gates: '<bc-customer-gate client-id="{{client_id}}" endpoint="{{app.endpoint}}"></bc-customer-gate>',
      }),
    );
    const unrendered = find(checks, 'gate.rendered', /still hold Handlebars/);
    assert.equal(unrendered.status, 'fail');
    assert.match(unrendered.fix!, /theme template, where Handlebars is rendered/);
    // The recipes say the same: a script_tag holds one <script>, never the gate's markup.
    assert.match(unrendered.fix!, /script_tag holds exactly one <script> tag/);
    find(checks, 'endpoint.none', /none to check/);
  });

  it('a Page Builder widget placed with its client ID left empty: the fix names the widget setting', async () => {
    const widget = buildWidgetTemplate({ version: '0.1.0' })
      .template.replace('{{clientId}}', '')
      .replace('{{endpoint}}', `${endpoint.origin}/`);
    const checks = await run(`<!doctype html>${widget}`);
    find(checks, 'gate.found', /1 from the Page Builder widget/);
    const empty = find(checks, 'gate.client-id', /A gate has no client-id/);
    assert.equal(empty.status, 'fail');
    assert.match(empty.fix!, /widget's "App client ID" setting in Page Builder/);
  });

  it('logged-in="true" on a guest\'s page, and a CDN URL that pins no version', async () => {
    const page = gatePage({
      endpoint: `${endpoint.origin}/`,
      script:
        '<script type="module" src="https://cdn.jsdelivr.net/npm/bc-customer-gate/dist/cdn/bc-customer-gate.js"></script>',
    }).replace('logged-in="false"', 'logged-in="true"');
    const checks = await run(page);
    assert.equal(find(checks, 'gate.logged-in', /A guest's page says logged-in="true"/).status, 'warn');
    const version = find(checks, 'script.version', /pins no exact version/);
    assert.equal(version.status, 'warn');
    assert.match(version.fix!, /bc-customer-gate@\d+\.\d+\.\d+/);
  });

  it('a script held back as type="text/plain" (a consent category), and one with an unknown type', async () => {
    const src = 'https://cdn.jsdelivr.net/npm/bc-customer-gate@0.1.0/dist/cdn/bc-customer-gate.js';
    const held = find(
      await run(
        gatePage({
          endpoint: `${endpoint.origin}/`,
          script: `<script type="text/plain" data-bc-cookie-consent="3" src="${src}"></script>`,
        }),
      ),
      'script.type',
      /"text\/plain" is not one browsers run/,
    );
    assert.equal(held.status, 'fail');
    assert.match(held.fix!, /"essential" or "functional" consent category/);
    const odd = find(
      await run(
        gatePage({ endpoint: `${endpoint.origin}/`, script: `<script type="text/babel" src="${src}"></script>` }),
      ),
      'script.type',
      /"text\/babel"/,
    );
    assert.match(odd.fix!, /type="module"/);
    for (const type of ['module', 'text/javascript', 'application/ecmascript', 'TEXT/JAVASCRIPT']) {
      const checks = await run(
        gatePage({ endpoint: `${endpoint.origin}/`, script: `<script type="${type}" src="${src}"></script>` }),
      );
      assert.ok(!checks.some((c) => c.id === 'script.type'), type);
    }
  });

  it('a token route that is blocked, or redirects', async () => {
    for (const [status, pattern, fix] of [
      [403, /blocked \(403\)/, /firewall, bot protection/],
      [302, /redirects \(302\) to ".*\/elsewhere"/, /page's own origin/],
    ] as const) {
      shop.routes.token = (_request, response) => {
        response.writeHead(status, status === 302 ? { Location: '/elsewhere' } : {});
        response.end();
      };
      try {
        const route = find(await run(gatePage({ endpoint: `${endpoint.origin}/` })), 'token.route', pattern);
        assert.equal(route.status, 'fail');
        assert.match(route.fix!, fix);
      } finally {
        shop.routes.token = null;
      }
    }
  });

  it('an endpoint answering 500', async () => {
    const broken = await serve((_request, response) => {
      response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end('{"error":"server_error"}');
    });
    servers.push(broken);
    const error = find(
      await run(gatePage({ endpoint: `${broken.origin}/` })),
      'endpoint.origin',
      /server error \(500 in \d+ ms/,
    );
    assert.equal(error.status, 'fail');
    assert.match(error.fix!, /onError/);
  });
});
