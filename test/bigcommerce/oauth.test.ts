import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ExchangeAuthCodeOptions, exchangeAuthCode, recentlyPurchased } from '../../src/bigcommerce/index.js';
import { createMockStoreApi } from '../../src/testing/index.js';
import { rejectsWith } from './helpers.js';

const api = createMockStoreApi({
  clientId: 'cid',
  clientSecret: 'the-secret',
  redirectUri: 'https://app.example.com/auth',
});
before(() => api.listen());
after(() => api.close());
beforeEach(() => {
  api.reset();
  api.addAuthCode({ code: 'code-1', storeHash: 'newstore1', accessToken: 'issued-token-1' });
});

const exchange = (extra: Partial<ExchangeAuthCodeOptions> = {}) =>
  exchangeAuthCode({
    code: 'code-1',
    scope: 'store_v2_orders_read_only store_v2_products_read_only',
    context: 'stores/newstore1',
    clientId: 'cid',
    clientSecret: 'the-secret',
    redirectUri: 'https://app.example.com/auth',
    tokenUrl: api.tokenUrl,
    ...extra,
  });

describe('exchangeAuthCode', () => {
  it('trades the code for the store token, store hash, scope and users; the token then reads the store', async () => {
    const installed = await exchange();
    assert.deepEqual(installed, {
      accessToken: 'issued-token-1',
      storeHash: 'newstore1',
      scope: 'store_v2_orders_read_only store_v2_products_read_only',
      user: { id: 24654, username: 'merchant', email: 'merchant@example.com' },
      owner: { id: 24654, username: 'merchant', email: 'merchant@example.com' },
      accountUuid: '00000000-0000-4000-8000-000000000000',
    });
    assert.deepEqual(
      api.calls.map((c) => [c.method, c.path, c.status]),
      [['POST', '/oauth2/token', 200]],
    );
    const items = await recentlyPurchased({
      storeHash: installed.storeHash,
      customerId: 1,
      accessToken: installed.accessToken,
      apiUrl: api.url,
      cache: false,
    });
    assert.deepEqual(items, []);
  });

  it('a used code, a wrong secret, a wrong redirect URI: code_refused, naming what to check, never the secret', async () => {
    await exchange();
    const used = await rejectsWith(exchange(), 'code_refused', /works once/);
    assert.equal(used.status, 400);
    api.addAuthCode({ code: 'code-2', storeHash: 'newstore1' });
    const secret = await rejectsWith(
      exchange({ code: 'code-2', clientSecret: 'wrong-secret-value' }),
      'code_refused',
      /clientSecret/,
    );
    assert.equal(secret.status, 401);
    assert.ok(!secret.message.includes('wrong-secret-value') && !secret.message.includes('code-2'));
    await rejectsWith(
      exchange({ code: 'code-2', redirectUri: 'https://app.example.com/other' }),
      'code_refused',
      /redirectUri/,
    );
  });

  it('a context for another store than the code: refused', async () => {
    await rejectsWith(exchange({ context: 'stores/otherstore' }), 'code_refused');
  });

  it('a bad answer: bad_response', async () => {
    api.fail({ body: 'html' });
    await rejectsWith(exchange(), 'bad_response', /not JSON/);
    api.fail({ body: 'truncated-json' });
    await rejectsWith(exchange(), 'bad_response');
    const wrongShape: typeof globalThis.fetch = async () =>
      Response.json({ access_token: 'x', scope: '', context: 'stores/else', user: { id: 1, email: 'a' } });
    await rejectsWith(exchange({ fetch: wrongShape }), 'bad_response', /another store/);
    const noUser: typeof globalThis.fetch = async () =>
      Response.json({ access_token: 'x', scope: '', context: 'stores/newstore1' });
    await rejectsWith(exchange({ fetch: noUser }), 'bad_response', /user/);
  });

  it('a 5xx is not retried (a code works once): server_error after one call', async () => {
    api.fail({ status: 502 });
    await rejectsWith(exchange(), 'server_error');
    assert.equal(api.calls.length, 1);
  });

  it('a hang: timeout at timeoutMs; an abort: aborted', async () => {
    api.fail({ hang: true, times: 2 });
    await rejectsWith(exchange({ timeoutMs: 200 }), 'timeout');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(exchange({ signal: controller.signal }), 'aborted');
  });

  it('the body is JSON with grant_type authorization_code (as documented)', async () => {
    let sent: Record<string, string> = {};
    const fetch: typeof globalThis.fetch = async (input, init) => {
      sent = JSON.parse(String(init?.body));
      assert.equal(new Headers(init?.headers).get('content-type'), 'application/json');
      return globalThis.fetch(input, init);
    };
    await exchange({ fetch });
    assert.deepEqual(Object.keys(sent).sort(), [
      'client_id',
      'client_secret',
      'code',
      'context',
      'grant_type',
      'redirect_uri',
      'scope',
    ]);
    assert.equal(sent['grant_type'], 'authorization_code');
  });

  it('the mock also takes a form body, as the docs allow', async () => {
    const response = await fetch(api.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'cid',
        client_secret: 'the-secret',
        code: 'code-1',
        scope: 's',
        grant_type: 'authorization_code',
        redirect_uri: 'https://app.example.com/auth',
        context: 'stores/newstore1',
      }),
    });
    assert.equal(response.status, 200);
  });

  const bad: Array<[string, Partial<ExchangeAuthCodeOptions>, RegExp]> = [
    ['no code', { code: '' }, /"code"/],
    ['a context without stores/', { context: 'newstore1' }, /context/],
    ['a context with a slash in the hash', { context: 'stores/a/b' }, /context/],
    ['no client secret', { clientSecret: undefined as unknown as string }, /clientSecret/],
    ['an http token URL off this machine', { tokenUrl: 'http://login.bigcommerce.com/oauth2/token' }, /tokenUrl/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what}: invalid_options, no call`, async () => {
      await rejectsWith(exchange(options), 'invalid_options', message);
      assert.equal(api.calls.length, 0);
    });
  }
});
