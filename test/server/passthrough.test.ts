import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCustomerGateHandler } from '../../src/server/index.js';
import { mintCustomerToken } from '../../src/testing/mint.js';

const app = { clientId: 'client-pt', clientSecret: 'secret-pt', stores: 'store1', origins: ['https://shop.example'] };
const token = () =>
  mintCustomerToken({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    storeHash: 'store1',
    customer: { id: 3, email: 'c@example.com' },
  });

async function exchange(response: () => Response, origin = 'https://shop.example') {
  const handler = createCustomerGateHandler({ ...app, authorize: response });
  return handler(
    new Request('https://app.example/gate', {
      method: 'POST',
      headers: { Origin: origin, 'Content-Type': 'text/plain' },
      body: await token(),
    }),
  );
}

describe('a Response from authorize, passed through', () => {
  it('exposes Retry-After to the allowed origin so the element can honour it', async () => {
    const res = await exchange(() => new Response('slow down', { status: 429, headers: { 'Retry-After': '3' } }));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('Retry-After'), '3');
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
    assert.equal(res.headers.get('Access-Control-Expose-Headers'), 'Retry-After');
  });

  it('keeps headers the app already exposes and does not repeat Retry-After', async () => {
    const merged = await exchange(
      () =>
        new Response('x', { status: 429, headers: { 'Retry-After': '3', 'Access-Control-Expose-Headers': 'X-Plan' } }),
    );
    assert.equal(merged.headers.get('Access-Control-Expose-Headers'), 'X-Plan, Retry-After');
    const already = await exchange(
      () =>
        new Response('x', {
          status: 429,
          headers: { 'Retry-After': '3', 'Access-Control-Expose-Headers': 'retry-after' },
        }),
    );
    assert.equal(already.headers.get('Access-Control-Expose-Headers'), 'retry-after');
  });

  it('exposes nothing when there is no Retry-After, or the origin is refused', async () => {
    const plain = await exchange(() => new Response('{}', { status: 200 }));
    assert.equal(plain.headers.get('Access-Control-Expose-Headers'), null);
    const refused = await exchange(
      () => new Response('x', { status: 429, headers: { 'Retry-After': '3' } }),
      'https://evil.example',
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('Access-Control-Expose-Headers'), null);
    assert.equal(refused.headers.get('Access-Control-Allow-Origin'), null);
  });
});
