// The complete-app recipe (examples/complete-app/) end to end, on a Node line that has node:sqlite:
// its server runs as a child process of that Node, with a real SQLite file; the host Node plays
// BigCommerce (the mock store API with its OAuth endpoint, minted customer tokens and callback
// payloads) and the storefronts. Sequential cases over one install's life: before install, install,
// gate per channel, load, restart, uninstall.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockStoreApi, mintCustomerToken, mintSignedPayload } from 'bc-customer-gate/testing';

const ROOT = new URL('../../', import.meta.url).pathname;
const SERVER = join(ROOT, 'examples/complete-app/server.mjs');

const CLIENT_ID = 'recipe-client-id-7d2c';
const CLIENT_SECRET = 'recipe-client-secret-4f81e0a9';
const AUTH_CALLBACK = 'https://app.example.com/auth';
const STORE = 'recipestore';
const OTHER_STORE = 'otherstore';
const ACCESS_TOKEN = `recipe-access-token-${randomBytes(8).toString('hex')}`;
const SCOPES = 'store_v2_orders_read_only store_v2_products_read_only';
const SHOP = 'https://shop.example.com'; // channel 1
const WHOLESALE = 'https://wholesale.example.com'; // channel 2 of the same store
const OTHER_SHOP = 'https://other.example.com'; // another store
const STOREFRONTS = {
  [SHOP]: { storeHash: STORE, channelId: 1 },
  [WHOLESALE]: { storeHash: STORE, channelId: 2 },
  [OTHER_SHOP]: { storeHash: OTHER_STORE, channelId: 1 },
};
const SHOPPER = { id: 7, email: 'shopper@example.com', groupId: '1' };

function seed(api) {
  api.addStore({ hash: STORE }); // no token yet: the install issues it
  api.addStore({ hash: OTHER_STORE });
  const products = [
    [1, 'Pour-over Kettle'],
    [2, 'Wholesale Beans, 5 kg'],
    [3, 'Paper Filters'],
  ];
  for (const [id, name] of products) api.addProduct(STORE, { id, name, sku: `SKU-${id}` });
  api.addOrder(STORE, { customerId: 7, channelId: 1, createdAt: '2026-03-01T10:00:00Z', lines: [{ productId: 1 }] });
  api.addOrder(STORE, { customerId: 7, channelId: 2, createdAt: '2026-03-02T10:00:00Z', lines: [{ productId: 2 }] });
  api.addOrder(STORE, {
    customerId: 7,
    channelId: 1,
    createdAt: '2026-03-03T10:00:00Z',
    lines: [{ productId: 3, quantity: 2 }],
  });
}

/** A callback's `signed_payload_jwt` as BigCommerce signs it (HS256 with the client secret). */
function signedPayload({ storeHash = STORE, secret = CLIENT_SECRET, expiresIn = 3600 } = {}) {
  return mintSignedPayload({
    clientId: CLIENT_ID,
    clientSecret: secret,
    storeHash,
    user: { id: 9001, email: 'merchant@example.com', locale: 'en' },
    channelId: 1,
    issuedAt: Math.floor(Date.now() / 1000) - 5,
    expiresIn,
  });
}

function customerToken(storeHash = STORE) {
  return mintCustomerToken({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, storeHash, customer: SHOPPER });
}

/** Starts examples/complete-app/server.mjs on `node`; resolves once it prints its port. */
function startApp(node, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [SERVER], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`did not listen within 30 s\n${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}\n${stderr}`));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const hello = JSON.parse(stdout.split('\n')[0]);
      resolve({
        base: `http://127.0.0.1:${hello.port}`,
        version: hello.version,
        output: () => stdout + stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill();
          }),
      });
    });
  });
}

/**
 * Runs every case against the recipe served by `node` (a Node 22.13+ or 24 binary). Returns counts
 * and failures, as the runtime suite's client does.
 */
export async function runCompleteApp(node) {
  const dir = mkdtempSync(join(tmpdir(), 'bc-complete-app-'));
  const api = createMockStoreApi({
    seed: false,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: AUTH_CALLBACK,
  });
  seed(api);
  const apiUrl = await api.listen();
  const env = {
    BC_CLIENT_ID: CLIENT_ID,
    BC_CLIENT_SECRET: CLIENT_SECRET,
    BC_AUTH_CALLBACK_URL: AUTH_CALLBACK,
    STOREFRONTS: JSON.stringify(STOREFRONTS),
    DATABASE_PATH: join(dir, 'app.db'),
    TOKEN_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    BC_API_URL: apiUrl,
    BC_TOKEN_URL: api.tokenUrl,
  };
  let app = await startApp(node, env);
  const logs = [];
  const get = (path) => fetch(`${app.base}${path}`, { redirect: 'manual' });
  const callback = async (path, options) =>
    get(`${path}?${new URLSearchParams({ signed_payload_jwt: await signedPayload(options) })}`);
  const gate = async (origin, token) => {
    const response = await fetch(`${app.base}/customer-gate`, {
      method: 'POST',
      body: token ?? (await customerToken()),
      headers: { Origin: origin, 'Content-Type': 'text/plain' },
    });
    return { status: response.status, body: await response.text() };
  };
  const names = (answer) => JSON.parse(answer.body).data.products.map((item) => `${item.name} ×${item.quantity}`);
  const install = (code) => get(`/auth?${new URLSearchParams({ code, scope: SCOPES, context: `stores/${STORE}` })}`);

  const cases = [
    [
      'before the install, the store is unknown: the gate refuses its shoppers and load is refused',
      async () => {
        assert.equal((await gate(SHOP)).status, 401);
        assert.equal((await callback('/load')).status, 403);
        assert.equal(api.calls.filter((call) => call.path.startsWith('/stores/')).length, 0);
      },
    ],
    [
      'install trades the code for the token once; a replayed code is refused',
      async () => {
        api.addAuthCode({ code: 'code-1', storeHash: STORE, accessToken: ACCESS_TOKEN, scope: SCOPES });
        const first = await install('code-1');
        assert.equal(first.status, 200, await first.text());
        const again = await install('code-1');
        assert.equal(again.status, 400);
        assert.doesNotMatch(await again.text(), new RegExp(ACCESS_TOKEN));
        assert.equal((await get('/auth?code=x&scope=y&context=nonsense')).status, 400);
      },
    ],
    [
      "the gate answers the shopper's recently purchased products for the storefront's own channel",
      async () => {
        const shop = await gate(SHOP);
        assert.equal(shop.status, 200, shop.body);
        assert.deepEqual(names(shop), ['Paper Filters ×2', 'Pour-over Kettle ×1']);
        assert.equal(JSON.parse(shop.body).data.products[0].url, `${SHOP}/paper-filters/`);
        const wholesale = await gate(WHOLESALE);
        assert.deepEqual(names(wholesale), ['Wholesale Beans, 5 kg ×1']);
        const orderCalls = api.calls.filter((call) => call.path === `/stores/${STORE}/v2/orders`);
        assert.deepEqual(
          orderCalls.map((call) => [call.query.channel_id, call.query.sort]),
          [
            ['1', 'date_created:desc'],
            ['2', 'date_created:desc'],
          ],
        );
      },
    ],
    [
      "another store's storefront cannot read this store, nor can a token from a store never installed",
      async () => {
        assert.equal((await gate(OTHER_SHOP)).status, 403);
        assert.equal((await gate(SHOP, await customerToken(OTHER_STORE))).status, 401);
        assert.equal((await gate('https://evil.example.com')).status, 403);
      },
    ],
    [
      'load: a verified payload for the installed store opens the app; anything else is refused',
      async () => {
        const ok = await callback('/load');
        assert.equal(ok.status, 200);
        assert.match(await ok.text(), /merchant@example\.com/);
        assert.equal((await callback('/load', { secret: 'not-the-secret-of-this-app' })).status, 401);
        assert.equal((await callback('/load', { expiresIn: -120 })).status, 401);
        assert.equal((await callback('/load', { storeHash: OTHER_STORE })).status, 403);
        const customer = await customerToken();
        assert.equal((await get(`/load?signed_payload_jwt=${customer}`)).status, 401, 'a customer token is no payload');
        assert.equal((await get('/load')).status, 401);
        assert.equal((await callback('/remove-user')).status, 204);
      },
    ],
    [
      'the token is kept in the SQLite file, encrypted, and survives a restart',
      async () => {
        for (const file of readdirSync(dir)) {
          const bytes = readFileSync(join(dir, file));
          assert.ok(!bytes.includes(ACCESS_TOKEN), `${file} holds the access token in clear`);
        }
        logs.push(app.output());
        await app.stop();
        app = await startApp(node, env);
        const after = await gate(SHOP);
        assert.equal(after.status, 200, after.body);
      },
    ],
    [
      "uninstall forgets the store's token: then its shoppers and its load are refused",
      async () => {
        assert.equal((await callback('/uninstall', { secret: 'not-the-secret-of-this-app' })).status, 401);
        assert.equal((await gate(SHOP)).status, 200, 'a forged uninstall removed nothing');
        assert.equal((await callback('/uninstall')).status, 204);
        api.clearCalls();
        assert.equal((await gate(SHOP)).status, 401);
        assert.equal((await callback('/load')).status, 403);
        assert.equal(api.calls.length, 0, 'no store API call after the uninstall');
        const rows = readFileSync(join(dir, 'app.db'));
        assert.ok(!rows.includes(ACCESS_TOKEN));
      },
    ],
    [
      'nothing secret is ever logged',
      async () => {
        const everything = [...logs, app.output()].join('\n');
        assert.match(everything, /install: store recipestore/, 'the log is there to check');
        for (const secret of [ACCESS_TOKEN, CLIENT_SECRET, env.TOKEN_KEY]) assert.ok(!everything.includes(secret));
      },
    ],
  ];

  const result = { passed: 0, failed: 0, failures: [], runtime: 'node (complete-app recipe)', version: app.version };
  try {
    for (const [name, run] of cases) {
      try {
        await run();
        result.passed += 1;
      } catch (error) {
        result.failed += 1;
        result.failures.push({ name, error });
      }
    }
    if (result.failed) logs.push(app.output());
    result.output = () => logs.join('\n');
  } finally {
    await app.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
