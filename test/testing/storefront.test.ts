import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createVerifier } from '../../src/server/verify.js';
import { CustomerTokenError } from '../../src/server/errors.js';
import { FORM_HEADERS } from '../server/headers.js';
import {
  createMockStorefront,
  OTHER_STORE_HASH,
  SESSION_COOKIE,
  type MockStorefront,
  type MockStorefrontOptions,
  type StorefrontAddress,
} from '../../src/testing/index.js';

const clientId = 'test-client-id';
const clientSecret = 'test-client-secret';
const storeHash = 'abc123';
const customers = [
  { id: 1, email: 'ada@example.com', groupId: '6', name: 'Ada' },
  { id: 2, email: 'grace@example.com' },
  { id: 3, email: '"><script>alert(1)</script>@example.com', name: '<b>Mallory</b>' },
];
const verify = createVerifier({ clientId, clientSecret, stores: storeHash });

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storefront-test-'));
  const root = join(dir, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(root, 'empty'), { recursive: true });
  await mkdir(join(dir, 'dist', 'element'), { recursive: true });
  await writeFile(join(dir, 'secret.txt'), 'TOP SECRET');
  await writeFile(
    join(root, 'index.html'),
    '<p id="hint" data-logged-in="{{#if customer}}true{{else}}false{{/if}}">' +
      '{{customer.email}}|{{customer.name}}|{{customer.group_id}}|{{settings.store_hash}}|{{client_id}}|{{unknown.thing}}</p>',
  );
  await writeFile(join(root, 'sub', 'index.html'), '<p>sub</p>');
  await writeFile(join(root, 'app.js'), 'export const a = 1;');
  await writeFile(join(root, 'mod.mjs'), 'export const b = 2;');
  await writeFile(join(root, 'style.css'), 'p { color: red }');
  await writeFile(join(root, 'data.json'), '{"a":1}');
  await writeFile(join(root, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(root, 'pixel.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  await writeFile(join(root, 'app.js.map'), '{"version":3}');
  await writeFile(join(root, 'blob.bin'), 'x');
  await writeFile(join(root, '.env'), 'SECRET=1');
  await symlink(join(dir, 'secret.txt'), join(root, 'link.txt'));
  await writeFile(join(dir, 'dist', 'element', 'index.js'), 'export {};');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(
  extra: Partial<MockStorefrontOptions> = {},
): Promise<{ store: MockStorefront; at: StorefrontAddress }> {
  const store = createMockStorefront({
    clientId,
    clientSecret,
    storeHash,
    customers,
    root: join(dir, 'root'),
    ...extra,
  });
  const at = await store.listen();
  return { store, at };
}

function tokenUrl(at: StorefrontAddress, id: string | null = clientId): string {
  return id === null
    ? `${at.origin}/customer/current.jwt`
    : `${at.origin}/customer/current.jwt?app_client_id=${encodeURIComponent(id)}`;
}

/** Signs in through the HTTP route, as a browser would, and returns the session cookie. */
async function signInByRoute(at: StorefrontAddress, customer: string): Promise<string> {
  const response = await fetch(`${at.origin}/login?customer=${encodeURIComponent(customer)}&return=/account`, {
    redirect: 'manual',
  });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/account');
  const setCookie = response.headers.get('set-cookie') ?? '';
  assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{20,};`));
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Lax/);
  assert.match(setCookie, /Path=\//);
  return setCookie.split(';', 1)[0]!;
}

/** A GET with the path sent exactly as given (fetch would normalise `..`). */
function rawGet(
  at: StorefrontAddress,
  path: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: at.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function verifyCode(token: string): Promise<string> {
  try {
    await verify(token);
  } catch (error) {
    assert.ok(error instanceof CustomerTokenError, `expected CustomerTokenError, got ${String(error)}`);
    return error.code;
  }
  return 'verified';
}

describe('token route', () => {
  let store: MockStorefront;
  let at: StorefrontAddress;
  before(async () => ({ store, at } = await start()));
  after(() => store.close());

  it('answers 404 with a small body to a guest, uncached and without CORS headers', async () => {
    const response = await fetch(tokenUrl(at), { headers: { Origin: 'https://evil.example' } });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
    assert.match(await response.text(), /No customer is signed in/);
  });

  it('answers a guest asking for JSON with a JSON error', async () => {
    const response = await fetch(tokenUrl(at), { headers: { Accept: 'application/json' } });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(((await response.json()) as { error: string }).error, 'not_found');
  });

  it('issues a verifiable HS512 token as text after sign-in through the HTTP route', async () => {
    const cookie = await signInByRoute(at, '1');
    const response = await fetch(tokenUrl(at), { headers: { Cookie: cookie } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    const token = await response.text();
    assert.equal(decodeProtectedHeader(token).alg, 'HS512');
    const claims = decodeJwt(token);
    assert.equal(claims.exp! - claims.iat!, 900);
    assert.ok(Math.abs(claims.iat! - Date.now() / 1000) < 5);
    assert.equal(claims['version'], 1);
    const verified = await verify(token);
    assert.deepEqual(verified.customer, { id: 1, email: 'ada@example.com', groupId: '6' });
    assert.equal(verified.storeHash, storeHash);
    assert.equal(verified.applicationId, clientId);
  });

  it('answers JSON {"token"} when Accept prefers application/json, text otherwise', async () => {
    const cookie = store.signIn(2);
    const json = await fetch(tokenUrl(at), { headers: { Cookie: cookie, Accept: 'application/json' } });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await json.json()) as { token: string };
    assert.deepEqual(Object.keys(body), ['token']);
    assert.equal((await verify(body.token)).customer.id, 2);

    for (const accept of [
      'text/plain',
      '*/*',
      'application/json, text/plain',
      'application/json;q=0.5, text/plain',
      'text/*, application/json;q=0.9',
    ]) {
      const text = await fetch(tokenUrl(at), { headers: { Cookie: cookie, Accept: accept } });
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/, accept);
      assert.equal((await verify(await text.text())).customer.id, 2);
    }
    const ranked = await fetch(tokenUrl(at), {
      headers: { Cookie: cookie, Accept: 'text/plain;q=0.2, application/json' },
    });
    assert.match(ranked.headers.get('content-type') ?? '', /^application\/json/);
    await ranked.arrayBuffer();
  });

  it('refuses a missing, different, empty or repeated app_client_id with 400', async () => {
    const cookie = store.signIn(1);
    for (const url of [
      tokenUrl(at, null),
      tokenUrl(at, 'another-app'),
      tokenUrl(at, ''),
      tokenUrl(at, clientId.toUpperCase()),
      `${tokenUrl(at)}&app_client_id=another-app`,
    ]) {
      const response = await fetch(url, { headers: { Cookie: cookie } });
      assert.equal(response.status, 400, url);
      const body = await response.text();
      assert.doesNotMatch(body, /eyJ/, 'no token in the error body');
    }
    const missing = await fetch(tokenUrl(at, null), { headers: { Cookie: cookie } });
    assert.match(await missing.text(), /Missing app_client_id/);
  });

  it('answers only GET, and an OPTIONS preflight gets no CORS headers', async () => {
    for (const method of ['POST', 'OPTIONS', 'HEAD']) {
      const response = await fetch(tokenUrl(at), {
        method,
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
      });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET');
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      await response.arrayBuffer();
    }
  });

  it('goes back to 404 after signing out through /logout, and the old cookie stays dead', async () => {
    const cookie = await signInByRoute(at, 'ada@example.com');
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).status, 200);
    const out = await fetch(`${at.origin}/logout?return=/bye`, { headers: { Cookie: cookie }, redirect: 'manual' });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/bye');
    assert.match(out.headers.get('set-cookie') ?? '', new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).status, 404);
  });

  it('signs out through /login.php?action=logout and a POST /logout form too', async () => {
    const one = store.signIn(1);
    const viaStencil = await fetch(`${at.origin}/login.php?action=logout`, {
      headers: { Cookie: one },
      redirect: 'manual',
    });
    assert.equal(viaStencil.status, 303);
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: one } })).status, 404);

    const two = store.signIn(1);
    const viaForm = await fetch(`${at.origin}/logout`, {
      method: 'POST',
      headers: { Cookie: two, ...FORM_HEADERS },
      body: 'return=%2Fdone',
      redirect: 'manual',
    });
    assert.equal(viaForm.status, 303);
    assert.equal(viaForm.headers.get('location'), '/done');
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: two } })).status, 404);
  });

  it('signs out from Node: one session by cookie, or all of them', async () => {
    const one = store.signIn(1);
    const two = store.signIn(2);
    assert.equal(store.signOut(one), true);
    assert.equal(store.signOut(one), false);
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: one } })).status, 404);
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: two } })).status, 200);
    assert.equal(store.signOut(), true);
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: two } })).status, 404);
  });

  it('keeps two browser sessions apart: two cookies, two customers', async () => {
    const ada = await signInByRoute(at, '1');
    const grace = await signInByRoute(at, 'grace@example.com');
    assert.notEqual(ada, grace);
    const [a, g] = await Promise.all(
      [ada, grace].map(async (cookie) =>
        verify(await (await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).text()),
      ),
    );
    assert.equal(a!.customer.email, 'ada@example.com');
    assert.equal(g!.customer.email, 'grace@example.com');
    assert.equal(g!.customer.groupId, null);
    // Cookie header with other cookies around it, as a browser sends it.
    const mixed = await fetch(tokenUrl(at), { headers: { Cookie: `theme=dark; ${grace}; lang=en` } });
    assert.equal((await verify(await mixed.text())).customer.id, 2);
  });

  it('treats a forged or unknown session cookie as a guest', async () => {
    for (const cookie of [`${SESSION_COOKIE}=forged`, `${SESSION_COOKIE}=`, 'other=1']) {
      assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).status, 404, cookie);
    }
  });

  it('rotates the session on sign-in, so the previous cookie no longer works', async () => {
    const first = await signInByRoute(at, '1');
    const response = await fetch(`${at.origin}/login?customer=2`, { headers: { Cookie: first }, redirect: 'manual' });
    const second = (response.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    assert.notEqual(first, second);
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: first } })).status, 404);
    assert.equal(
      (await verify(await (await fetch(tokenUrl(at), { headers: { Cookie: second } })).text())).customer.id,
      2,
    );
  });
});

describe('sign-in routes', () => {
  let store: MockStorefront;
  let at: StorefrontAddress;
  before(async () => ({ store, at } = await start()));
  after(() => store.close());

  it('signs in with a POSTed form on /login.php', async () => {
    const response = await fetch(`${at.origin}/login.php`, {
      method: 'POST',
      headers: FORM_HEADERS,
      body: 'customer=2&return=%2Faccount%3Ftab%3Dorders',
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/account?tab=orders');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';', 1)[0]!;
    assert.equal(
      (await verify(await (await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).text())).customer.id,
      2,
    );
  });

  it('shows a page to pick a customer, with names escaped', async () => {
    const response = await fetch(`${at.origin}/login?return=/x`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const html = await response.text();
    assert.match(html, /Sign in as Ada/);
    assert.match(html, /Sign in as &lt;b&gt;Mallory&lt;\/b&gt;/);
    assert.doesNotMatch(html, /<b>Mallory/);
    assert.match(html, /name="return" value="\/x"/);
  });

  it('refuses an unknown customer, a wrong form type and an oversized form, signing nobody in', async () => {
    for (const ref of ['99', 'nobody@example.com', '-1', '1.5']) {
      const response = await fetch(`${at.origin}/login?customer=${encodeURIComponent(ref)}`, { redirect: 'manual' });
      assert.equal(response.status, 400, ref);
      assert.equal(response.headers.get('set-cookie'), null);
      await response.arrayBuffer();
    }
    const json = await fetch(`${at.origin}/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"customer":1}',
    });
    assert.equal(json.status, 415);
    assert.equal(json.headers.get('set-cookie'), null);
    const big = await fetch(`${at.origin}/login`, {
      method: 'POST',
      headers: FORM_HEADERS,
      body: `customer=1&pad=${'x'.repeat(10_000)}`,
    });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('set-cookie'), null);
    const empty = await fetch(`${at.origin}/login`, {
      method: 'POST',
      headers: FORM_HEADERS,
      body: '',
    });
    assert.equal(empty.status, 400);
    const put = await fetch(`${at.origin}/login`, { method: 'PUT' });
    assert.equal(put.status, 405);
  });

  it('refuses open-redirect attempts in "return" and does not sign in', async () => {
    for (const target of [
      '//evil.example/',
      'https://evil.example/',
      '/\\evil.example/',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'javascript:alert(1)',
      'evil.example',
      '///evil.example',
    ]) {
      const response = await fetch(`${at.origin}/login?customer=1&return=${encodeURIComponent(target)}`, {
        redirect: 'manual',
      });
      assert.equal(response.status, 400, JSON.stringify(target));
      assert.equal(response.headers.get('location'), null);
      assert.equal(response.headers.get('set-cookie'), null);
      await response.arrayBuffer();
      const out = await fetch(`${at.origin}/logout?return=${encodeURIComponent(target)}`, { redirect: 'manual' });
      assert.equal(out.status, 400, JSON.stringify(target));
      await out.arrayBuffer();
    }
    // Encoded slashes stay a path on this origin.
    const encoded = await fetch(`${at.origin}/login?customer=1&return=${encodeURIComponent('/%2F%2Fevil.example')}`, {
      redirect: 'manual',
    });
    assert.equal(encoded.status, 303);
    assert.equal(encoded.headers.get('location'), '/%2F%2Fevil.example');
  });

  it('gives browsers a login path, and refuses an unsafe returnTo or unknown customer there too', () => {
    assert.equal(store.loginPath(1, '/account'), '/login?customer=1&return=%2Faccount');
    assert.equal(store.loginPath('grace@example.com'), '/login?customer=2&return=%2F');
    assert.throws(() => store.loginPath(1, '//evil.example'), /returnTo/);
    assert.throws(() => store.loginPath(42), /no customer 42/);
    assert.throws(() => store.signIn('nobody@example.com'), /"customers" option/);
  });
});

describe('misbehaviour', () => {
  let store: MockStorefront;
  let at: StorefrontAddress;
  let cookie: string;
  before(async () => {
    ({ store, at } = await start());
    cookie = store.signIn(1);
  });
  after(() => store.close());

  const get = (headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(tokenUrl(at), { headers: { Cookie: cookie, ...headers }, ...(signal ? { signal } : {}) });

  it('delays every token response', async () => {
    store.behave({ delayMs: 300 });
    const started = performance.now();
    const response = await get();
    const elapsed = performance.now() - started;
    assert.equal(response.status, 200);
    await response.text();
    assert.ok(elapsed >= 280, `took ${elapsed} ms`);
    store.behave();
    const quick = performance.now();
    await (await get()).text();
    assert.ok(performance.now() - quick < 280, 'normal service again');
  });

  it('hangs until the client aborts, then still serves others', async () => {
    store.behave({ hang: true });
    const started = performance.now();
    await assert.rejects(get({}, AbortSignal.timeout(150)), (error: Error) => error.name === 'TimeoutError');
    assert.ok(performance.now() - started < 2000);
    store.behave({});
    assert.equal((await get()).status, 200);
    const hung = store.stats.requests.filter(
      (r) => r.path.startsWith('/customer/current.jwt') && r.status === undefined,
    );
    assert.equal(hung.length, 1);
  });

  it('answers 500 (or another chosen error status), signed in or not', async () => {
    store.behave({ errorStatus: 500 });
    const broken = await get();
    assert.equal(broken.status, 500);
    assert.equal(broken.headers.get('cache-control'), 'no-store');
    assert.doesNotMatch(await broken.text(), /eyJ/);
    assert.equal((await fetch(tokenUrl(at))).status, 500);
    store.behave({ errorStatus: 503 });
    const json = await get({ Accept: 'application/json' });
    assert.equal(json.status, 503);
    assert.equal(((await json.json()) as { error: string }).error, 'server_error');
    store.behave();
  });

  it('signs with the wrong secret: code "signature"', async () => {
    store.behave({ wrongSecret: true });
    assert.equal(await verifyCode(await (await get()).text()), 'signature');
    store.behave();
  });

  it('issues a token for another store: code "store"', async () => {
    store.behave({ otherStore: true });
    const token = await (await get()).text();
    assert.equal(decodeJwt(token)['store_hash'], OTHER_STORE_HASH);
    assert.equal(await verifyCode(token), 'store');
    store.behave({ otherStore: 'zzz999' });
    const named = await (await get()).text();
    assert.equal(decodeJwt(named).sub, 'zzz999');
    assert.equal(await verifyCode(named), 'store');
    store.behave();
  });

  it('issues an expired token: code "expired"', async () => {
    store.behave({ expired: true });
    const token = await (await get()).text();
    assert.ok(decodeJwt(token).exp! < Date.now() / 1000 - 60);
    assert.equal(await verifyCode(token), 'expired');
    store.behave();
  });

  it('answers a malformed body, as text and as JSON', async () => {
    store.behave({ malformedBody: true });
    const text = await get();
    assert.equal(text.status, 200);
    assert.equal(await verifyCode(await text.text()), 'malformed');
    const json = await get({ Accept: 'application/json' });
    assert.equal(json.status, 200);
    await assert.rejects(json.json(), SyntaxError);
    store.behave();
  });

  it('overrides claims', async () => {
    store.behave({ claims: { operation: 'customer_login' } });
    assert.equal(await verifyCode(await (await get()).text()), 'operation');
    store.behave();
    assert.equal(await verifyCode(await (await get()).text()), 'verified');
  });

  it('keeps guests at 404 while token misbehaviour is on', async () => {
    store.behave({ wrongSecret: true, expired: true, malformedBody: true });
    assert.equal((await fetch(tokenUrl(at))).status, 404);
    store.behave();
  });

  it('replaces the whole behaviour on each call and rejects bad options', () => {
    store.behave({ delayMs: 5, wrongSecret: true });
    store.behave({ expired: true });
    assert.deepEqual(store.behaviour, { expired: true });
    store.behave();
    assert.deepEqual(store.behaviour, {});
    assert.throws(() => store.behave({ delayMs: -1 }), TypeError);
    assert.throws(() => store.behave({ delayMs: Number.NaN }), TypeError);
    assert.throws(() => store.behave({ errorStatus: 200 }), TypeError);
    assert.throws(() => store.behave({ errorStatus: 600 }), TypeError);
    assert.throws(() => store.behave({ otherStore: '' }), TypeError);
    assert.deepEqual(store.behaviour, {});
  });
});

describe('counters', () => {
  it('counts token requests and issued tokens, logs paths without cookies or tokens, and resets', async (t) => {
    const { store, at } = await start();
    t.after(() => store.close());
    const cookie = store.signIn(1);
    await (await fetch(tokenUrl(at))).text();
    const token = await (await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).text();
    await (await fetch(tokenUrl(at, 'wrong'), { headers: { Cookie: cookie } })).text();
    await (await fetch(`${at.origin}/app.js`)).text();
    const stats = store.stats;
    assert.equal(stats.tokenRequests, 3);
    assert.equal(stats.tokensIssued, 1);
    assert.deepEqual(
      stats.requests.map((r) => [r.method, r.path, r.status]),
      [
        ['GET', `/customer/current.jwt?app_client_id=${clientId}`, 404],
        ['GET', `/customer/current.jwt?app_client_id=${clientId}`, 200],
        ['GET', '/customer/current.jwt?app_client_id=wrong', 400],
        ['GET', '/app.js', 200],
      ],
    );
    const logged = JSON.stringify(stats);
    assert.ok(!logged.includes(token) && !logged.includes(cookie.split('=')[1]!));
    // A snapshot: changing it changes nothing inside.
    stats.requests.length = 0;
    assert.equal(store.stats.requests.length, 4);

    store.resetStats();
    assert.deepEqual(store.stats, { tokenRequests: 0, tokensIssued: 0, requests: [] });
    assert.equal(
      (await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).status,
      200,
      'sessions survive resetStats',
    );

    store.behave({ errorStatus: 500 });
    store.reset();
    assert.deepEqual(store.stats, { tokenRequests: 0, tokensIssued: 0, requests: [] });
    assert.deepEqual(store.behaviour, {});
    assert.equal((await fetch(tokenUrl(at), { headers: { Cookie: cookie } })).status, 404, 'reset signs everyone out');
  });
});

describe('static files and pages', () => {
  let store: MockStorefront;
  let at: StorefrontAddress;
  before(async () => ({ store, at } = await start({ mounts: { '/dist': join(dir, 'dist') } })));
  after(() => store.close());

  it('serves files with the right content types', async () => {
    const expected: Array<[string, RegExp, string?]> = [
      ['/app.js', /^text\/javascript; charset=utf-8$/, 'export const a = 1;'],
      ['/mod.mjs', /^text\/javascript; charset=utf-8$/],
      ['/style.css', /^text\/css; charset=utf-8$/],
      ['/data.json', /^application\/json; charset=utf-8$/, '{"a":1}'],
      ['/icon.svg', /^image\/svg\+xml$/],
      ['/pixel.png', /^image\/png$/],
      ['/app.js.map', /^application\/json; charset=utf-8$/],
      ['/sub/', /^text\/html; charset=utf-8$/, '<p>sub</p>'],
      ['/blob.bin', /^application\/octet-stream$/],
      ['/dist/element/index.js', /^text\/javascript; charset=utf-8$/, 'export {};'],
    ];
    for (const [path, type, body] of expected) {
      const response = await fetch(`${at.origin}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', type, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const bytes = Buffer.from(await response.arrayBuffer());
      if (body !== undefined) assert.equal(bytes.toString('utf8'), body, path);
    }
    const png = Buffer.from(await (await fetch(`${at.origin}/pixel.png`)).arrayBuffer());
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('redirects a directory to its slash, serves index.html, and 404s the rest', async () => {
    const dirRedirect = await fetch(`${at.origin}/sub?x=1`, { redirect: 'manual' });
    assert.equal(dirRedirect.status, 301);
    assert.equal(dirRedirect.headers.get('location'), '/sub/?x=1');
    const mountRedirect = await fetch(`${at.origin}/dist`, { redirect: 'manual' });
    assert.equal(mountRedirect.headers.get('location'), '/dist/');
    for (const path of ['/missing.html', '/empty/', '/sub/missing.js', '/dist/missing.js', '/dist/', '/app.js/x']) {
      const response = await fetch(`${at.origin}${path}`);
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await fetch(`${at.origin}/app.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '19');
    const post = await fetch(`${at.origin}/app.js`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('refuses path traversal, encoded or not, dotfiles and symlinks out of the folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/sub/..%2f..%2fsecret.txt',
      '/sub/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5csecret.txt',
      '/dist/..%2f..%2fsecret.txt',
      '/dist/%2e%2e/root/app.js',
      '/%252e%252e/secret.txt',
      '/app.js%00.png',
      '/.env',
      '/%2eenv',
      '/link.txt',
      `/${encodeURIComponent(join(dir, 'secret.txt'))}`,
    ]) {
      const response = await rawGet(at, path);
      assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
      assert.doesNotMatch(response.body, /TOP SECRET|SECRET=1/, path);
    }
    assert.equal((await rawGet(at, '/%E0%A4%A')).status, 400);
  });

  it('renders .html per request with the signed-in customer, escaping every value', async () => {
    const guest = await (await fetch(`${at.origin}/`)).text();
    assert.equal(guest, `<p id="hint" data-logged-in="false">|||abc123|${clientId}|{{unknown.thing}}</p>`);

    const ada = await fetch(`${at.origin}/index.html`, { headers: { Cookie: store.signIn(1) } });
    // Revalidated, never shared; cacheable enough for the back/forward cache.
    assert.equal(ada.headers.get('cache-control'), 'private, no-cache');
    assert.equal(
      await ada.text(),
      `<p id="hint" data-logged-in="true">ada@example.com|Ada|6|abc123|${clientId}|{{unknown.thing}}</p>`,
    );

    const mallory = await (await fetch(`${at.origin}/`, { headers: { Cookie: store.signIn(3) } })).text();
    assert.doesNotMatch(mallory, /<script>|<b>/);
    assert.match(
      mallory,
      /&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;@example.com\|&lt;b&gt;Mallory&lt;\/b&gt;/,
    );
  });

  it('serves pages untouched with render: false, and through a custom renderer', async (t) => {
    const raw = await start({ render: false });
    t.after(() => raw.store.close());
    assert.match(await (await fetch(`${raw.at.origin}/`)).text(), /\{\{#if customer\}\}/);

    const paths: string[] = [];
    const custom = await start({
      render: (html, context) => {
        paths.push(context.path);
        return html.replace('{{customer.email}}', context.customer ? `#${context.customer.id}` : 'guest');
      },
    });
    t.after(() => custom.store.close());
    const page = await (
      await fetch(`${custom.at.origin}/sub/../index.html`, { headers: { Cookie: custom.store.signIn(2) } })
    ).text();
    assert.match(page, /#2\|/);
    assert.deepEqual(paths, ['/index.html']);
  });
});

describe('extra routes and mounts', () => {
  it('runs custom routes with the customer, after the built-in routes and before static files', async (t) => {
    const { store, at } = await start({
      routes: [
        {
          path: '/account',
          handle: async (_request, response, context) => {
            response.setHeader('Content-Type', 'text/html; charset=utf-8');
            response.end(
              await context.render(
                '<p>{{#if customer}}Hi {{customer.email}}{{else}}Guest{{/if}} at {{settings.store_hash}}</p>',
              ),
            );
          },
        },
        { path: '/app.js', handle: (_request, response) => void response.end('shadowed') },
        { path: '/customer/current.jwt', handle: (_request, response) => void response.end('not a token') },
        {
          path: /^\/api\/echo$/,
          methods: ['POST'],
          handle: (_request, response, context) => void response.end(context.url.searchParams.get('q') ?? ''),
        },
      ],
    });
    t.after(() => store.close());
    assert.equal(await (await fetch(`${at.origin}/account`)).text(), '<p>Guest at abc123</p>');
    assert.equal(
      await (await fetch(`${at.origin}/account`, { headers: { Cookie: store.signIn(1) } })).text(),
      '<p>Hi ada@example.com at abc123</p>',
    );
    assert.equal(await (await fetch(`${at.origin}/app.js`)).text(), 'shadowed');
    assert.equal((await fetch(tokenUrl(at))).status, 404, 'built-in token route wins');
    assert.equal(await (await fetch(`${at.origin}/api/echo?q=hi`, { method: 'POST' })).text(), 'hi');
    assert.equal((await fetch(`${at.origin}/api/echo`)).status, 405);
  });

  it('turns a throwing route into a 500 and reports it through onError', async (t) => {
    const errors: unknown[] = [];
    const { store, at } = await start({
      onError: (error) => errors.push(error),
      routes: [{ path: '/boom', handle: () => Promise.reject(new Error('boom')) }],
    });
    t.after(() => store.close());
    const response = await fetch(`${at.origin}/boom`);
    assert.equal(response.status, 500);
    assert.doesNotMatch(await response.text(), /boom/);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  it('adds routes and mounts at runtime; the longest prefix wins', async (t) => {
    const store = createMockStorefront({ clientId, clientSecret, storeHash, customers });
    const at = await store.listen();
    t.after(() => store.close());
    assert.equal((await fetch(`${at.origin}/`)).status, 404, 'no root: nothing static');
    store.mount('/', join(dir, 'root'));
    store.mount('/assets/dist/', join(dir, 'dist'));
    store.route({ path: '/hello', handle: (_request, response) => void response.end('hello') });
    assert.equal(await (await fetch(`${at.origin}/hello`)).text(), 'hello');
    assert.equal(await (await fetch(`${at.origin}/app.js`)).text(), 'export const a = 1;');
    assert.equal(await (await fetch(`${at.origin}/assets/dist/element/index.js`)).text(), 'export {};');
    assert.throws(() => store.mount('//evil', dir), TypeError);
    assert.throws(() => store.mount('/a/../b', dir), TypeError);
  });

  it('serves the token route at a custom tokenPath', async (t) => {
    const { store, at } = await start({ tokenPath: '/api/token' });
    t.after(() => store.close());
    assert.equal(at.tokenUrl, `${at.origin}/api/token?app_client_id=${clientId}`);
    const response = await fetch(at.tokenUrl, { headers: { Cookie: store.signIn(1) } });
    assert.equal((await verify(await response.text())).customer.id, 1);
  });
});

describe('lifecycle and options', () => {
  it('resolves listen() with url, origin, port and tokenUrl', async (t) => {
    const { store, at } = await start();
    t.after(() => store.close());
    assert.match(at.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(at.url, `${at.origin}/`);
    assert.equal(at.origin, `http://127.0.0.1:${at.port}`);
    assert.equal(store.origin, at.origin);
    assert.equal(at.tokenUrl, `${at.origin}/customer/current.jwt?app_client_id=${clientId}`);
    await assert.rejects(store.listen(), /already listening/);
  });

  it('close() ends a hung request promptly and can be called twice', async () => {
    const { store, at } = await start();
    store.behave({ hang: true });
    const cookie = store.signIn(1);
    const inFlight = fetch(tokenUrl(at), { headers: { Cookie: cookie } }).then(
      () => 'answered',
      () => 'failed',
    );
    store.behave({ delayMs: 60_000 });
    const delayed = fetch(tokenUrl(at), { headers: { Cookie: cookie } }).then(
      () => 'answered',
      () => 'failed',
    );
    // Wait until both requests reached the server.
    while (store.stats.tokenRequests < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('close() did not finish within 2 s')), 2000);
    });
    await Promise.race([store.close(), tooSlow]).finally(() => clearTimeout(timer));
    assert.ok(performance.now() - started < 1000, 'close() was prompt');
    assert.equal(await inFlight, 'failed');
    assert.equal(await delayed, 'failed');
    assert.equal(store.server.listening, false);
    await store.close();
    assert.throws(() => store.origin, /not listening/);
  });

  it('rejects bad options with messages that say what to fix', () => {
    const base = { clientId, clientSecret, storeHash };
    assert.throws(() => createMockStorefront({ ...base, clientId: '' }), /"clientId" must be a non-empty string/);
    assert.throws(
      () => createMockStorefront({ ...base, clientSecret: undefined as unknown as string }),
      /"clientSecret"/,
    );
    assert.throws(() => createMockStorefront({ ...base, storeHash: '' }), /"storeHash"/);
    assert.throws(() => createMockStorefront({ ...base, customers: [{ id: 0, email: 'a@b' }] }), /positive integer/);
    assert.throws(() => createMockStorefront({ ...base, customers: [{ id: 1.5, email: 'a@b' }] }), /positive integer/);
    assert.throws(
      () =>
        createMockStorefront({
          ...base,
          customers: [
            { id: 1, email: 'a@b' },
            { id: 1, email: 'c@d' },
          ],
        }),
      /appears twice/,
    );
    assert.throws(() => createMockStorefront({ ...base, tokenPath: 'customer/current.jwt' }), /tokenPath/);
    assert.throws(() => createMockStorefront({ ...base, port: 70000 }), /port/);
    assert.throws(() => createMockStorefront(undefined as unknown as MockStorefrontOptions), TypeError);
  });

  it('rejects listen() when the port is taken', async (t) => {
    const first = await start();
    t.after(() => first.store.close());
    const second = createMockStorefront({ clientId, clientSecret, storeHash, port: first.at.port });
    await assert.rejects(second.listen(), /EADDRINUSE/);
    await second.close();
  });
});
