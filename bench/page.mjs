// The page: the CDN bundle's compressed size next to Lit alone, and in headless Chromium the
// requests a page makes and the time from the first gate connecting to the last one showing its
// content, with every storefront token answer and every exchange answer delayed by 50 ms. The
// storefront (http://localhost:A) and the exchange endpoint (http://127.0.0.1:B) are two origins,
// as in production, so the exchange is a real cross-origin request.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { rollup } from 'rollup';
import { createCustomerGateHandler, toNodeListener } from 'bc-customer-gate/server';
import { createMockStorefront } from 'bc-customer-gate/testing';
import { BenchError, CLIENT_ID, EXCHANGE_CONTENT_TYPE, STORE_HASH, median, rotate, sleep } from './common.mjs';

const CDN_BUNDLE = new URL('../dist/cdn/bc-customer-gate.js', import.meta.url);
const CUSTOMER = { id: 4242, email: 'ada@example.com', name: 'Ada' };

// ---- size ----------------------------------------------------------------------------------

function compressed(bytes) {
  return {
    minified: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/**
 * A minimal element (`entry`, beside this file) through the same Rollup plugins and output format as
 * the CDN build (rollup.config.mjs), kept in memory.
 */
async function floorBytes(entry) {
  const { default: config } = await import('../rollup.config.mjs');
  const cdn = Array.isArray(config) ? config[0] : config;
  // Everything but where the CDN build writes its file and map.
  const { file, sourcemap, ...outputOptions } = cdn.output ?? {};
  const bundle = await rollup({ input: new URL(entry, import.meta.url).pathname, plugins: cdn.plugins });
  try {
    const { output } = await bundle.generate({ format: 'es', ...outputOptions });
    return Buffer.from(output[0].code, 'utf8');
  } finally {
    await bundle.close();
  }
}

export async function benchSize(bundle = readFileSync(CDN_BUNDLE)) {
  const element = compressed(bundle);
  const lit = compressed(await floorBytes('./lit-floor.js'));
  const reactive = compressed(await floorBytes('./reactive-floor.js'));
  // The element is built on ReactiveElement, so its own code is what it adds to that floor.
  return {
    bundle: element,
    litAlone: lit,
    reactiveAlone: reactive,
    ownGzip: element.gzip - reactive.gzip,
    ownBrotli: element.brotli - reactive.brotli,
  };
}

// ---- browser --------------------------------------------------------------------------------

/** The test page: loads the bundle, then inserts `gates` gates right after a performance mark. */
function pageHtml({ gates, mode, endpoint, tokenUrl, hint }) {
  const setup = JSON.stringify({
    gates,
    mode,
    endpoint,
    tokenUrl,
    clientId: CLIENT_ID,
    hint,
    contentType: EXCHANGE_CONTENT_TYPE,
  });
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>bench</title>
<link rel="icon" href="data:,">
<style>bc-customer-gate:not(:defined) > * { display: none; }</style>
<script type="module" src="/cdn/bc-customer-gate.js"></script>
</head><body><main id="gates"></main>
<script type="module">
const setup = ${setup};
// Where the time went: each gate request's start and end relative to the mark, and the server's
// share (request sent to first byte; zero for the cross-origin exchange, which sends no Timing-Allow-Origin).
// 'called' is when the page called fetch(), so called-to-start is the browser's own dispatch time.
const calls = [];
const pageFetch = window.fetch;
window.fetch = (url, init) => {
  calls.push(performance.now());
  return pageFetch(url, init);
};
const timings = (since) => performance.getEntriesByType('resource')
  .filter((e) => e.name.includes('/customer/current.jwt') || e.name.startsWith(setup.endpoint))
  .map((e, i) => ({ request: e.name.startsWith(setup.endpoint) ? 'exchange' : 'token', called: (calls[i] ?? NaN) - since, start: e.startTime - since, end: e.responseEnd - since, wait: e.responseStart - e.requestStart }));
const report = (result) => { window.__bench = result; };
if (setup.mode === 'raw') {
  // The floor as the browser sees it: the same two requests in a row, with no element at all.
  const start = performance.now();
  performance.mark('first-gate-connects');
  const token = await (await fetch(setup.tokenUrl, { credentials: 'same-origin', headers: { Accept: 'text/plain' } })).text();
  const answer = await fetch(setup.endpoint, { method: 'POST', body: token, credentials: 'omit', headers: { 'Content-Type': setup.contentType } });
  const body = await answer.json();
  report({ ms: performance.now() - start, states: [answer.status === 200 ? 'verified' : 'error'], texts: [body.customer?.email ?? ''], timings: timings(start) });
} else {
  const want = setup.mode === 'verified' ? 'bc-verified' : 'bc-anonymous';
  const settled = new Set();
  let start = 0;
  const finish = () => {
    const ms = performance.now() - start;
    const gates = [...document.querySelectorAll('bc-customer-gate')];
    report({ ms, states: gates.map((g) => g.getAttribute('state')), texts: gates.map((g) => g.querySelector('.who')?.textContent ?? ''), timings: timings(start) });
  };
  document.addEventListener(want, (event) => {
    settled.add(event.target);
    if (settled.size === setup.gates) finish();
  });
  for (const other of ['bc-verified', 'bc-anonymous', 'bc-denied', 'bc-error']) {
    if (other !== want) document.addEventListener(other, () => finish());
  }
  const attrs = 'client-id="' + setup.clientId + '" endpoint="' + setup.endpoint + '"' + (setup.hint ? ' logged-in="false"' : '');
  const gate = '<bc-customer-gate ' + attrs + '><p slot="loading">Checking…</p><p slot="anonymous">Sign in</p>' +
    '<template><p>Signed in as <span class="who" data-bc-field="customer.email"></span></p></template></bc-customer-gate>';
  const html = gate.repeat(setup.gates);
  performance.mark('first-gate-connects');
  start = performance.now();
  document.getElementById('gates').innerHTML = html;
}
</script></body></html>`;
}

async function startBackends(bundle, secret) {
  const storefront = createMockStorefront({
    clientId: CLIENT_ID,
    clientSecret: secret,
    storeHash: STORE_HASH,
    customers: [CUSTOMER],
    render: false,
    routes: [
      {
        // Served from memory: the build output may be replaced while the benchmark runs.
        path: '/cdn/bc-customer-gate.js',
        handle(_req, res) {
          res.writeHead(200, {
            'Content-Type': 'text/javascript; charset=utf-8',
            'Content-Length': bundle.length,
            'Cache-Control': 'no-cache',
          });
          res.end(bundle);
        },
      },
      {
        path: '/bench',
        handle(_req, res, context) {
          const query = context.url.searchParams;
          const body = pageHtml({
            gates: Number(query.get('gates')),
            mode: query.get('mode'),
            hint: query.get('hint') === '1' && context.customer === null,
            endpoint: exchangeUrl,
            tokenUrl: `/customer/current.jwt?app_client_id=${encodeURIComponent(CLIENT_ID)}`,
          });
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(body);
        },
      },
    ],
  });
  const { port } = await storefront.listen();
  const storefrontOrigin = `http://localhost:${port}`;

  const exchangeCounts = { POST: 0, OPTIONS: 0, other: 0 };
  const listener = toNodeListener(
    createCustomerGateHandler({
      clientId: CLIENT_ID,
      clientSecret: secret,
      stores: STORE_HASH,
      origins: [storefrontOrigin],
      // The app's own work (a database lookup, say) takes 50 ms before it answers.
      authorize: () => sleep(50),
    }),
  );
  const exchange = createServer((req, res) => {
    exchangeCounts[req.method in exchangeCounts ? req.method : 'other']++;
    listener(req, res);
  });
  await new Promise((resolve) => exchange.listen(0, '127.0.0.1', resolve));
  const exchangeUrl = `http://127.0.0.1:${exchange.address().port}/customer-gate`;
  return {
    storefront,
    storefrontOrigin,
    exchangeOrigin: new URL(exchangeUrl).origin,
    exchangeCounts,
    close: async () => {
      await storefront.close();
      exchange.closeAllConnections();
      await new Promise((resolve) => exchange.close(resolve));
    },
  };
}

/** One page load in a fresh browser context: its result and the requests Chromium reported. */
async function loadOnce(browser, backends, { gates, mode, hint, signedIn, settleMs }) {
  const context = await browser.newContext();
  try {
    if (signedIn) {
      const [name, value] = backends.storefront.signIn(CUSTOMER.id).split('=');
      await context.addCookies([
        { name, value, url: `${backends.storefrontOrigin}/`, httpOnly: true, sameSite: 'Lax' },
      ]);
    }
    const page = await context.newPage();
    const seen = { document: 0, bundle: 0, token: 0, exchange: 0, other: 0 };
    const errors = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === backends.exchangeOrigin) seen.exchange++;
      else if (url.pathname === '/customer/current.jwt') seen.token++;
      else if (url.pathname === '/bench') seen.document++;
      else if (url.pathname === '/cdn/bc-customer-gate.js') seen.bundle++;
      else if (url.protocol !== 'data:') seen.other++;
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      // A guest's token request answers 404 by design; Chromium logs every 404 as an error.
      const guest404 = !signedIn && /status of 404/.test(message.text());
      if (message.type() === 'error' && !guest404) errors.push(message.text());
    });
    const tokensBefore = backends.storefront.stats.tokenRequests;
    const exchangeBefore = { ...backends.exchangeCounts };

    const query = new URLSearchParams({ gates: String(gates), mode, hint: hint ? '1' : '0' });
    await page.goto(`${backends.storefrontOrigin}/bench?${query}`, { timeout: 15_000 });
    const handle = await page.waitForFunction(() => window.__bench, null, { timeout: 15_000 });
    const result = await handle.jsonValue();
    if (settleMs) await sleep(settleMs); // anything the page would still send shows up here

    const expectedState = mode === 'anonymous' ? 'anonymous' : 'verified';
    if (errors.length) throw new BenchError(`the page reported errors: ${errors.join(' | ')}`);
    if (result.states.length !== gates || result.states.some((s) => s !== expectedState)) {
      throw new BenchError(`expected ${gates} gate(s) ${expectedState}, got: ${result.states.join(', ')}`);
    }
    if (expectedState === 'verified' && result.texts.some((t) => t !== CUSTOMER.email)) {
      throw new BenchError("a verified gate did not show the customer's own content");
    }
    const server = {
      token: backends.storefront.stats.tokenRequests - tokensBefore,
      exchange: backends.exchangeCounts.POST - exchangeBefore.POST,
      preflight: backends.exchangeCounts.OPTIONS - exchangeBefore.OPTIONS,
    };
    if (server.token !== seen.token || server.exchange !== seen.exchange || server.preflight !== 0) {
      throw new BenchError(
        `Chromium reported ${seen.token} token and ${seen.exchange} exchange request(s); the servers saw ` +
          `${server.token} token, ${server.exchange} exchange and ${server.preflight} preflight request(s)`,
      );
    }
    return { ms: result.ms, requests: seen, timings: result.timings };
  } finally {
    await context.close();
  }
}

const round1 = (n) => Math.round(n * 10) / 10;

/**
 * Where a signed-in reveal's time went, medians over the loads: from the mark to the page's first
 * fetch() call, the token request (call to last byte), the page's work between the token and the
 * exchange call, the exchange request, and from the exchange's last byte to the reveal.
 */
function breakdown(list) {
  const full = list.filter((r) => r.timings.length === 2);
  if (full.length === 0) return undefined;
  const part = (f) => round1(median(full.map(f)));
  return {
    toFirstCall: part((r) => r.timings[0].called),
    token: part((r) => r.timings[0].end - r.timings[0].called),
    between: part((r) => r.timings[1].called - r.timings[0].end),
    exchange: part((r) => r.timings[1].end - r.timings[1].called),
    toReveal: part((r) => r.ms - r.timings[1].end),
  };
}

const SCENARIOS = [
  { id: 'raw', name: 'floor, measured: two plain fetches in a row', gates: 1, mode: 'raw', signedIn: true },
  { id: 'signedIn1', name: 'signed in, 1 gate', gates: 1, mode: 'verified', signedIn: true },
  { id: 'signedIn10', name: 'signed in, 10 gates', gates: 10, mode: 'verified', signedIn: true },
  {
    id: 'guestHint1',
    name: 'guest, logged-in="false", 1 gate',
    gates: 1,
    mode: 'anonymous',
    hint: true,
    settleMs: 250,
  },
  {
    id: 'guestHint10',
    name: 'guest, logged-in="false", 10 gates',
    gates: 10,
    mode: 'anonymous',
    hint: true,
    settleMs: 250,
  },
  { id: 'guest10', name: 'guest, no hint, 10 gates', gates: 10, mode: 'anonymous', settleMs: 250 },
];

export async function benchPage({ secret, bundle, loads = 7, delayMs = 50, log = () => {} }) {
  const backends = await startBackends(bundle, secret);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      timeout: 30_000,
    });
    backends.storefront.behave({ delayMs });
    // Warm-up (first-load compilation, the browser's own start-up work), then the loads
    // interleaved, in an order rotated each time, so a burst of noise does not land on one scenario.
    for (const scenario of SCENARIOS) await loadOnce(browser, backends, scenario);
    const runs = Object.fromEntries(SCENARIOS.map((s) => [s.id, []]));
    for (let i = 0; i < loads; i++) {
      for (const scenario of rotate(SCENARIOS, i)) {
        // Guests make no timed request worth many samples; three loads check their request counts.
        if (scenario.mode === 'anonymous' && i >= 3) continue;
        runs[scenario.id].push(await loadOnce(browser, backends, scenario));
      }
      log(`  page loads ${i + 1}/${loads} done`);
    }
    const results = SCENARIOS.map((scenario) => {
      const list = runs[scenario.id];
      const requests = list[0].requests;
      for (const run of list) {
        if (JSON.stringify(run.requests) !== JSON.stringify(requests)) {
          throw new BenchError(
            `${scenario.name}: request counts differ between loads (${JSON.stringify(list.map((r) => r.requests))})`,
          );
        }
      }
      return {
        id: scenario.id,
        name: scenario.name,
        gates: scenario.gates,
        loads: list.length,
        revealMs: round1(median(list.map((r) => r.ms))),
        // Noise only ever adds time, so the fastest load is the steadier figure on a busy machine.
        bestMs: round1(Math.min(...list.map((r) => r.ms))),
        samplesMs: list.map((r) => round1(r.ms)),
        timings: list.map((r) =>
          r.timings.map((t) => ({
            request: t.request,
            called: round1(t.called),
            start: round1(t.start),
            end: round1(t.end),
            wait: round1(t.wait),
          })),
        ),
        requests: {
          ...requests,
          total: Object.values(requests).reduce((a, b) => a + b, 0),
          gate: requests.token + requests.exchange,
        },
        breakdown: breakdown(list),
      };
    });
    return {
      delayMs,
      floorMs: 2 * delayMs,
      storefrontOrigin: 'http://localhost:<port>',
      exchangeOrigin: 'http://127.0.0.1:<port>',
      chromium: browser.version(),
      results,
    };
  } finally {
    await browser?.close();
    await backends.close();
  }
}
