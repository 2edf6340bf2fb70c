// The exchange endpoint on Cloudflare's Workers runtime: gate-worker.js is bundled the way an app
// would ship it (the package imported by name, resolved through its exports map to dist/, for the
// workerd platform with no Node polyfills and no nodejs_compat flag), run in the real workerd binary
// through Miniflare, and exercised over real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { Miniflare, supportedCompatibilityDate } from 'miniflare';
import { mintCustomerToken, type MintOptions } from '../../src/testing/mint.js';
import { WORKER_BUILD } from '../../scripts/worker-bundle.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./gate-worker.js', import.meta.url));
const SERVER_DIST = fileURLToPath(new URL('../../dist/server/index.js', import.meta.url));

const CLIENT_ID = 'edge-client-id-7f3a';
const SECRET = 'edge-client-secret-c41d9e';
const STORE = 'edgestore1';
const SECOND_STORE = 'edgestore2';
const ORIGIN = 'https://shop.example.com';
const SECOND_ORIGIN = 'https://other-shop.example.com';
const REFUSED_ORIGIN = 'https://evil.example';
// gate-worker.js: authorize denies this customer and answers that one with an HTML fragment.
const DENIED_CUSTOMER_ID = 13;
const FRAGMENT_CUSTOMER_ID = 42;
const MARKUP_EMAIL = 'ann+<b>x</b>&co@example.com';
const NOW = Math.floor(Date.now() / 1000);
const ISSUED_AT = NOW - 60;

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain;charset=UTF-8';

// ---- the bundle ----------------------------------------------------------------------------

interface Bundle {
  code: string;
  metafile: Metafile;
}

async function bundleWorker(): Promise<Bundle> {
  if (!existsSync(SERVER_DIST)) {
    throw new Error(
      'dist/server/index.js is missing: the Workers test bundles the built package. Run `npm run build` first ' +
        '(`npm test` does), then run this test again.',
    );
  }
  const result = await build({
    ...WORKER_BUILD,
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    // Left external so a Node import shows up in the bundle (and fails the test) instead of
    // failing resolution with a less telling message.
    external: ['node:*'],
    metafile: true,
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile };
}

// ---- the runtime ---------------------------------------------------------------------------

function workerdVersion(): string {
  // workerd ships inside miniflare's dependencies; its package has no exports map.
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'));
  return (fromMiniflare('workerd/package.json') as { version: string }).version;
}

const bindings = {
  BC_CLIENT_ID: CLIENT_ID,
  // Deployed with `wrangler secret put BC_CLIENT_SECRET`; at runtime a secret is a string binding.
  BC_CLIENT_SECRET: SECRET,
  // Written the way people write [vars]: spaces, a trailing comma.
  ALLOWED_ORIGINS: `${ORIGIN}, ${SECOND_ORIGIN},`,
  ALLOWED_STORES: `${STORE},${SECOND_STORE}`,
};

let bundle: Bundle;
let mf: Miniflare | undefined;
let base: URL;

before(async () => {
  bundle = await bundleWorker();
  console.log(
    `worker bundle: ${(bundle.code.length / 1024).toFixed(1)} KB, ${Object.keys(bundle.metafile.inputs).length} modules`,
  );
});

async function startWorkerd(): Promise<void> {
  const compatibilityDate = supportedCompatibilityDate;
  console.log(`workerd ${workerdVersion()}, compatibility date ${compatibilityDate}, no compatibility flags`);
  mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    workers: [
      {
        name: 'gate',
        modules: true,
        script: bundle.code,
        scriptPath: ENTRY,
        compatibilityDate,
        compatibilityFlags: [],
        bindings,
      },
      {
        // The same bundle with ALLOWED_STORES unset, reached by Host header.
        name: 'misconfigured',
        modules: true,
        script: bundle.code,
        scriptPath: ENTRY,
        compatibilityDate,
        compatibilityFlags: [],
        routes: ['misconfigured.test/*'],
        bindings: { ...bindings, ALLOWED_STORES: '' },
      },
    ],
  });
  base = await mf.ready;
}

// ---- tokens and requests -------------------------------------------------------------------

const mint = (id: number, extra: Partial<MintOptions> = {}) =>
  mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id, email: id === FRAGMENT_CUSTOMER_ID ? MARKUP_EMAIL : `c${id}@example.com`, groupId: '4' },
    issuedAt: ISSUED_AT,
    ...extra,
  });

interface Got {
  status: number;
  headers: Headers;
  text: string;
}

/** Every token any test sent; no response may contain one. */
const sentTokens = new Set<string>();

/**
 * A real HTTP request to the worker. Checks what every exchange response must carry, whatever the
 * status, and that neither a token nor the secret comes back.
 */
async function send(init: RequestInit & { token?: string } = {}): Promise<Got> {
  if (init.token) sentTokens.add(init.token);
  const response = await fetch(new URL('/customer-gate', base), {
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
    ...init,
  });
  const got = { status: response.status, headers: response.headers, text: await response.text() };
  assert.equal(got.headers.get('cache-control'), 'no-store', 'Cache-Control: no-store on every response');
  assert.equal(got.headers.get('vary'), 'Origin', 'Vary: Origin on every response');
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff', 'nosniff on every response');
  assert.notEqual(got.headers.get('access-control-allow-origin'), '*', 'CORS is exact-origin, never *');
  assert.equal(got.headers.get('access-control-allow-credentials'), null);
  assertNothingEchoed(got);
  return got;
}

function assertNothingEchoed(got: Got): void {
  const everything = `${got.text}\n${[...got.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}`;
  for (const token of sentTokens) {
    for (const part of [token, ...token.split('.')]) {
      if (part.length >= 16)
        assert.ok(!everything.includes(part), 'a token (or part of one) came back in the response');
    }
  }
  assert.ok(!everything.includes(SECRET), 'the client secret came back in the response');
}

const post = (token: string, origin: string | null = ORIGIN) =>
  send({
    method: 'POST',
    headers: { 'Content-Type': TEXT_TYPE, ...(origin === null ? {} : { Origin: origin }) },
    body: token,
    token,
  });

/** A POST through node:http, which (unlike fetch) lets the caller set Host; Miniflare routes by it. */
function postWithHost(host: string, token: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: '/customer-gate',
        method: 'POST',
        headers: { Host: host, Origin: ORIGIN, 'Content-Type': TEXT_TYPE },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve({ status: response.statusCode!, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.setTimeout(10_000, () => request.destroy(new Error(`no answer from the worker routed for ${host}`)));
    request.end(token);
  });
}

const bodyOf = (got: Got) => {
  assert.equal(got.headers.get('content-type'), JSON_TYPE);
  return JSON.parse(got.text) as Record<string, unknown>;
};

// ---- tests ---------------------------------------------------------------------------------

describe('the worker bundle', () => {
  it("resolves bc-customer-gate/server through the exports map to dist/, with jose's Web API build", () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    for (const file of [
      'dist/server/index.js',
      'dist/server/handler.js',
      'dist/server/exchange.js',
      'dist/server/verify.js',
    ]) {
      assert.ok(inputs.includes(file), `${file} is in the bundle`);
    }
    assert.ok(!inputs.some((file) => file.startsWith('src/')), 'nothing bundled from src/');
    assert.ok(
      inputs.some((file) => file.startsWith('node_modules/jose/dist/webapi/')),
      'jose resolved to its Web API build',
    );
  });

  it('imports nothing from Node: no node: modules, no require', () => {
    const [output] = Object.values(bundle.metafile.outputs);
    assert.deepEqual(
      output!.imports.map((i) => i.path),
      [],
      'the bundle imports nothing outside itself',
    );
    assert.doesNotMatch(bundle.code, /\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\brequire\s*\(\s*["']node:/);
    assert.doesNotMatch(bundle.code, /__require\b/, 'no CommonJS require shim');
  });
});

describe('on workerd, over HTTP', () => {
  before(startWorkerd, { timeout: 60_000 });
  after(async () => {
    await mf?.dispose();
  });

  describe('the exchange endpoint', () => {
    it('answers a valid token with the customer, storeHash and expiresAt, computed inside workerd', async () => {
      const got = await post(await mint(7));
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN);
      assert.deepEqual(bodyOf(got), {
        customer: { id: 7, email: 'c7@example.com', groupId: '4' },
        storeHash: STORE,
        expiresAt: ISSUED_AT + 900,
        data: { plan: 'gold', runtime: 'Cloudflare-Workers', nodeProcess: false },
      });
    });

    it('accepts the second listed origin and store, each trimmed from the comma-separated bindings', async () => {
      const got = await post(await mint(8, { storeHash: SECOND_STORE }), SECOND_ORIGIN);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('access-control-allow-origin'), SECOND_ORIGIN);
      assert.equal(bodyOf(got)['storeHash'], SECOND_STORE);
    });

    it('accepts the token as JSON and as a form body, HS256 as well as HS512', async () => {
      const asJson = await mint(9, { algorithm: 'HS256' });
      const json = await send({
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
        body: JSON.stringify({ token: asJson }),
        token: asJson,
      });
      assert.equal(json.status, 200);
      assert.equal((bodyOf(json)['customer'] as { id: number }).id, 9);
      const asForm = await mint(10);
      const form = await send({
        method: 'POST',
        headers: { Origin: ORIGIN },
        body: new URLSearchParams({ token: asForm }),
        token: asForm,
      });
      assert.equal(form.status, 200);
      assert.equal((bodyOf(form)['customer'] as { id: number }).id, 10);
    });

    it('answers without a CORS header when there is no Origin (server to server)', async () => {
      const got = await post(await mint(11), null);
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('access-control-allow-origin'), null);
    });

    it('sends an html() fragment as text/html, interpolated values escaped', async () => {
      const got = await post(await mint(FRAGMENT_CUSTOMER_ID));
      assert.equal(got.status, 200);
      assert.equal(got.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(got.text, '<p class="greeting">Welcome back, ann+&lt;b&gt;x&lt;/b&gt;&amp;co@example.com</p>');
    });

    it('answers 403 forbidden when authorize denies the verified customer', async () => {
      const got = await post(await mint(DENIED_CUSTOMER_ID));
      assert.equal(got.status, 403);
      assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN, 'the storefront may read the denial');
      assert.equal(bodyOf(got)['error'], 'forbidden');
    });

    const refused: Array<[name: string, token: () => Promise<string> | string, code: string]> = [
      ['signed with another secret', () => mint(1, { clientSecret: 'not-the-client-secret' }), 'signature'],
      ['expired', () => mint(1, { issuedAt: NOW - 3600 }), 'expired'],
      ['for a store not in ALLOWED_STORES', () => mint(1, { storeHash: 'otherstore' }), 'store'],
      ['for another app (wrong audience)', () => mint(1, { clientId: 'another-app-client-id' }), 'audience'],
      ['issued in the future', () => mint(1, { issuedAt: NOW + 600 }), 'not_yet_valid'],
      ['a Customer Login token', () => mint(1, { claims: { operation: 'customer_login' } }), 'operation'],
      ['not a JWT', () => 'this-is-not-a-jwt-at-all', 'malformed'],
      ['three parts that are not JSON', () => 'bm90LWpzb24.bm90LWpzb24.c2lnbmF0dXJl', 'malformed'],
      ['longer than the length cap', () => 'a'.repeat(5000), 'too_large'],
    ];
    for (const [name, token, code] of refused) {
      it(`answers 401 invalid_token with code "${code}" for a token ${name}`, async () => {
        const got = await post(await token());
        assert.equal(got.status, 401);
        assert.equal(
          got.headers.get('access-control-allow-origin'),
          ORIGIN,
          'the element must read the code to decide on a retry',
        );
        const body = bodyOf(got);
        assert.equal(body['error'], 'invalid_token');
        assert.equal(body['code'], code);
      });
    }

    it('answers 405 with Allow for GET and PUT', async () => {
      for (const method of ['GET', 'PUT']) {
        const got = await send({ method, headers: { Origin: ORIGIN }, ...(method === 'PUT' ? { body: 'x' } : {}) });
        assert.equal(got.status, 405, method);
        assert.equal(got.headers.get('allow'), 'POST, OPTIONS');
        assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN);
        assert.equal(bodyOf(got)['error'], 'method_not_allowed');
      }
    });

    it('answers 413 for a body over 8192 bytes, declared or streamed without a length', async () => {
      const token = await mint(1);
      const big = token + ' '.repeat(9000);
      const declared = await send({
        method: 'POST',
        headers: { 'Content-Type': TEXT_TYPE, Origin: ORIGIN },
        body: big,
        token,
      });
      assert.equal(declared.status, 413);
      assert.equal(bodyOf(declared)['error'], 'payload_too_large');

      const chunk = new TextEncoder().encode(' '.repeat(1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 12) controller.enqueue(chunk);
          else controller.close();
        },
      });
      // No Content-Length: the handler must stop reading at the limit on its own.
      const streamed = await send({
        method: 'POST',
        headers: { 'Content-Type': TEXT_TYPE, Origin: ORIGIN },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      assert.equal(bodyOf(streamed)['error'], 'payload_too_large');
    });

    it('answers 415 for a content type it does not read, or none', async () => {
      const token = await mint(1);
      const types: Array<Record<string, string>> = [
        { 'Content-Type': 'application/xml' },
        { 'Content-Type': 'text/plain; charset=utf-16' },
        {},
      ];
      for (const headers of types) {
        // Bytes, so fetch adds no Content-Type of its own.
        const got = await send({
          method: 'POST',
          headers: { Origin: ORIGIN, ...headers },
          body: new TextEncoder().encode(token),
          token,
        });
        assert.equal(got.status, 415, JSON.stringify(headers));
        assert.equal(bodyOf(got)['error'], 'unsupported_media_type');
      }
    });

    it('answers 400 for an empty or blank body', async () => {
      for (const body of ['', '  \r\n']) {
        const got = await send({ method: 'POST', headers: { 'Content-Type': TEXT_TYPE, Origin: ORIGIN }, body });
        assert.equal(got.status, 400);
        assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN);
        assert.equal(bodyOf(got)['error'], 'bad_request');
      }
    });

    it('refuses an origin not in ALLOWED_ORIGINS with 403 and no CORS header, even for a valid token', async () => {
      for (const origin of [
        REFUSED_ORIGIN,
        'https://shop.example.com.evil.example',
        'null',
        'http://shop.example.com',
      ]) {
        const got = await post(await mint(1), origin);
        assert.equal(got.status, 403, origin);
        assert.equal(got.headers.get('access-control-allow-origin'), null, origin);
        assert.equal(bodyOf(got)['error'], 'forbidden');
        assert.ok(!('customer' in bodyOf(got)));
      }
    });

    it('answers a preflight from an allowed origin with exact-origin CORS headers', async () => {
      const got = await send({
        method: 'OPTIONS',
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      assert.equal(got.status, 204);
      assert.equal(got.text, '');
      assert.equal(got.headers.get('access-control-allow-origin'), ORIGIN);
      assert.equal(got.headers.get('access-control-allow-methods'), 'POST');
      assert.equal(got.headers.get('access-control-allow-headers'), 'Content-Type');
      assert.equal(got.headers.get('access-control-max-age'), '600');
    });

    it('refuses a preflight from another origin: 403, no CORS headers', async () => {
      const got = await send({
        method: 'OPTIONS',
        headers: { Origin: REFUSED_ORIGIN, 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(got.status, 403);
      for (const name of [
        'access-control-allow-origin',
        'access-control-allow-methods',
        'access-control-allow-headers',
      ]) {
        assert.equal(got.headers.get(name), null, name);
      }
    });
  });

  describe('a misconfigured worker', () => {
    it('fails closed: 500 on every request, no CORS header, the secret never in the answer', async () => {
      const token = await mint(1);
      sentTokens.add(token);
      for (let attempt = 0; attempt < 2; attempt++) {
        const got = await postWithHost('misconfigured.test', token);
        assert.equal(got.status, 500, `attempt ${attempt + 1}`);
        // Miniflare shows the uncaught error (Cloudflare answers its own error page instead): it is
        // the configuration check, thrown again on each request since no half-built handler is kept.
        assert.match(got.text, /"stores" is required/);
        assert.equal(got.headers.get('access-control-allow-origin'), null);
        assertNothingEchoed(got);
      }
    });
  });
});
