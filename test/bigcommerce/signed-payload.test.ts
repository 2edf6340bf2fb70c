import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { SignedPayloadError, type SignedPayloadErrorCode, verifySignedPayload } from '../../src/bigcommerce/index.js';
import { CustomerTokenError } from '../../src/server/errors.js';
import { createVerifier } from '../../src/server/verify.js';
import { mintCustomerToken } from '../../src/testing/index.js';
import { runProperty } from '../fuzz/run-property.js';

const clientId = 'app-client-id-1';
const clientSecret = 'app-client-secret-1';
const now = Math.floor(Date.now() / 1000);
const options = { clientId, clientSecret };

/** A callback payload as BigCommerce documents it, changed by `claims` (undefined removes one). */
async function sign(
  claims: Record<string, unknown> = {},
  { secret = clientSecret, alg = 'HS256' }: { secret?: string; alg?: string } = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    aud: clientId,
    iss: 'bc',
    iat: now - 5,
    nbf: now - 10,
    exp: now + 86_400,
    jti: 'a0b1c2d3',
    sub: 'stores/abc123',
    user: { id: 9128, email: 'user@example.com', locale: 'en' },
    owner: { id: 9128, email: 'owner@example.com' },
    url: '/',
    channel_id: null,
    ...claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

async function refused(token: string, code: SignedPayloadErrorCode, more = {}): Promise<SignedPayloadError> {
  const error = await verifySignedPayload(token, { ...options, ...more }).then(
    () => assert.fail(`accepted; expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SignedPayloadError, String(error));
  assert.equal(error.code, code, error.message);
  assert.ok(!error.message.includes(clientSecret));
  return error;
}

describe('verifySignedPayload', () => {
  it('accepts a load callback and returns store, users, url and channel', async () => {
    const verified = await verifySignedPayload(await sign({ channel_id: 1, url: '/products' }), options);
    assert.deepEqual(verified, {
      storeHash: 'abc123',
      user: { id: 9128, email: 'user@example.com', locale: 'en' },
      owner: { id: 9128, email: 'owner@example.com' },
      url: '/products',
      channelId: 1,
      jwtId: 'a0b1c2d3',
      issuedAt: now - 5,
      expiresAt: now + 86_400,
    });
  });

  it('accepts one signed with any secret of a rotation list', async () => {
    const token = await sign({}, { secret: 'new-secret' });
    assert.equal(
      (await verifySignedPayload(token, { clientId, clientSecret: [clientSecret, 'new-secret'] })).storeHash,
      'abc123',
    );
  });

  const matrix: Array<[string, () => Promise<string>, SignedPayloadErrorCode]> = [
    ['a wrong secret', () => sign({}, { secret: 'another-secret' }), 'signature'],
    ['HS512', () => sign({}, { alg: 'HS512' }), 'algorithm'],
    ['HS384', () => sign({}, { alg: 'HS384' }), 'algorithm'],
    ['an expired payload', () => sign({ exp: now - 3600, iat: now - 7200, nbf: now - 7200 }), 'expired'],
    ['an iat in the future', () => sign({ iat: now + 3600 }), 'not_yet_valid'],
    ['an nbf in the future', () => sign({ nbf: now + 3600 }), 'not_yet_valid'],
    ["another app's aud", () => sign({ aud: 'other-app' }), 'audience'],
    ['iss "bc2"', () => sign({ iss: 'bc2' }), 'issuer'],
    ['no iss', () => sign({ iss: undefined }), 'issuer'],
    ['no sub', () => sign({ sub: undefined }), 'claims'],
    ['a sub without "stores/"', () => sign({ sub: 'abc123' }), 'claims'],
    ['a sub with a path', () => sign({ sub: 'stores/abc/../x' }), 'claims'],
    ['no user', () => sign({ user: undefined }), 'claims'],
    ['a user without email', () => sign({ user: { id: 1 } }), 'claims'],
    ['no owner', () => sign({ owner: undefined }), 'claims'],
    ['no exp', () => sign({ exp: undefined }), 'claims'],
    ['a channel_id that is text', () => sign({ channel_id: 'one' }), 'claims'],
    ['not a JWT', async () => 'not-a-jwt', 'malformed'],
    ['five parts', async () => 'a.b.c.d.e', 'malformed'],
    ['JSON garbage inside', async () => 'e30.bm90IGpzb24.c2ln', 'malformed'],
    ['9000 characters', async () => 'a'.repeat(9000), 'too_large'],
    [
      'a Current Customer token (HS512, iss bc/apps)',
      () => mintCustomerToken({ clientId, clientSecret, storeHash: 'abc123', customer: { id: 1, email: 'a@b.c' } }),
      'customer_token',
    ],
    [
      'a Current Customer token signed HS256',
      () =>
        mintCustomerToken({
          clientId,
          clientSecret,
          storeHash: 'abc123',
          customer: { id: 1, email: 'a@b.c' },
          algorithm: 'HS256',
        }),
      'customer_token',
    ],
  ];
  for (const [what, make, code] of matrix) {
    it(`refuses ${what}: ${code}`, async () => {
      await refused(await make(), code);
    });
  }

  it('tolerates a little clock skew, as configured', async () => {
    const token = await sign({ exp: now - 10 });
    assert.equal((await verifySignedPayload(token, options)).storeHash, 'abc123');
    await refused(token, 'expired', { clockTolerance: 0 });
  });

  it('refuses bad options with a TypeError', async () => {
    const token = await sign();
    await assert.rejects(verifySignedPayload(token, { clientId: '', clientSecret }), TypeError);
    await assert.rejects(verifySignedPayload(token, { clientId, clientSecret: [] }), TypeError);
    await assert.rejects(verifySignedPayload(token, { clientId, clientSecret, clockTolerance: -1 }), TypeError);
  });

  it('the customer verifier refuses a signed payload', async () => {
    const verify = createVerifier({ clientId, clientSecret, stores: 'abc123' });
    const error = await verify(await sign()).then(
      () => assert.fail('accepted a signed payload'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof CustomerTokenError);
    assert.equal(error.code, 'issuer');
    // Even one carrying the customer token's issuer and store claims, as long as it has no operation.
    const lookalike = await sign({ iss: 'bc/apps', store_hash: 'abc123', sub: 'abc123' }, { alg: 'HS256' });
    await assert.rejects(verify(lookalike), (e: unknown) => e instanceof CustomerTokenError && e.code === 'operation');
  });

  it('refuses any change to a signed payload (fuzz)', async (t) => {
    const token = await sign();
    await runProperty(
      t,
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'ABCabc012-_.'), async (at, char) => {
        fc.pre(token[at] !== char);
        const changed = token.slice(0, at) + char + token.slice(at + 1);
        const outcome = await verifySignedPayload(changed, options).then(
          (verified) => verified,
          (e: unknown) => e,
        );
        // A change to a base64url tail's unused bits may decode to the same bytes; otherwise refused.
        if (outcome instanceof SignedPayloadError) return;
        assert.equal((outcome as { storeHash: string }).storeHash, 'abc123');
        assert.ok(at === token.length - 1 || token.split('.').slice(0, 2).join('.').length - 1 === at);
      }),
      { numRuns: 300 },
    );
  });
});
