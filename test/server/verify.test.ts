import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, verifyCustomerToken, CustomerTokenError } from '../../src/server/index.js';
import { mintCustomerToken, type MintOptions } from '../../src/testing/mint.js';
import { TOKEN_ERROR_CODES, type TokenErrorCode } from '../../src/protocol.js';

const CLIENT_ID = 'q4gfrw8a1b2c3d4e5f6g7h8i9j0kl';
const SECRET = 'test-client-secret-2f7d9c';
const OTHER_SECRET = 'another-apps-secret-8e1a';
const STORE = 'abc123';
const NOW = 1_800_000_000; // fixed clock, seconds

const base: MintOptions = {
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  storeHash: STORE,
  customer: { id: 4927, email: 'john.doe@example.com', groupId: '6' },
  issuedAt: NOW - 60,
};

const verify = createVerifier({ clientId: CLIENT_ID, clientSecret: SECRET, stores: STORE, now: () => NOW * 1000 });

const mint = (overrides: Partial<MintOptions> = {}) => mintCustomerToken({ ...base, ...overrides });
const claims = (extra: Record<string, unknown>) => mint({ claims: extra });

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs arbitrary header and payload text with HMAC, for tokens jose's signer refuses to make. */
function forge(header: unknown, payload: unknown, secret = SECRET, hash = 'sha512'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** A correctly signed token whose time claim is written as raw JSON number text, such as `1e999`. */
function withRawTime(claim: 'exp' | 'iat' | 'nbf', text: string): string {
  const payload = JSON.stringify({ ...goodPayload(), [claim]: '__RAW__' }).replace('"__RAW__"', text);
  return forge({ alg: 'HS512', typ: 'JWT' }, payload);
}

const goodPayload = () => JSON.parse(Buffer.from(goodToken.split('.')[1]!, 'base64url').toString());
const goodToken = await mint();

/** Each row: a name, the token (or how to build it), and the code it must be refused with. */
const badTokens: Array<[string, () => Promise<string> | string, TokenErrorCode]> = [
  ['alg none, unsigned', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(goodPayload())}.`, 'malformed'],
  ['alg none with a signature', () => forge({ alg: 'none' }, goodPayload()), 'algorithm'],
  ['HS384', () => forge({ alg: 'HS384', typ: 'JWT' }, goodPayload(), SECRET, 'sha384'), 'algorithm'],
  ['RS256 header', () => forge({ alg: 'RS256', typ: 'JWT' }, goodPayload(), SECRET, 'sha256'), 'algorithm'],
  ['ES256 header', () => forge({ alg: 'ES256' }, goodPayload()), 'algorithm'],
  ['header without alg', () => forge({ typ: 'JWT' }, goodPayload()), 'malformed'],
  ['wrong secret', () => mint({ clientSecret: OTHER_SECRET }), 'signature'],
  ['HS256 with wrong secret', () => mint({ clientSecret: OTHER_SECRET, algorithm: 'HS256' }), 'signature'],
  [
    'header alg swapped HS512 to HS256',
    () => {
      const [, payload, signature] = goodToken.split('.');
      return `${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}.${signature}`;
    },
    'signature',
  ],
  [
    'tampered payload',
    () => {
      const [header, , signature] = goodToken.split('.');
      return `${header}.${b64({ ...goodPayload(), customer: { id: 1, email: 'admin@example.com' } })}.${signature}`;
    },
    'signature',
  ],
  [
    'tampered signature',
    () => {
      const sig = goodToken.split('.')[2]!;
      return goodToken.slice(0, -sig.length) + (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    },
    'signature',
  ],
  [
    'non-canonical signature encoding (unused low bits set)',
    () => {
      const sig = goodToken.split('.')[2]!; // HS512: 86 characters, the last carries 4 unused bits
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(sig.at(-1)!);
      return goodToken.slice(0, -1) + alphabet[last ^ 1];
    },
    'signature',
  ],
  ['signature removed', () => goodToken.slice(0, goodToken.lastIndexOf('.') + 1), 'malformed'],
  ['truncated', () => goodToken.slice(0, goodToken.length - 10), 'signature'],
  ['truncated mid-payload', () => goodToken.slice(0, goodToken.indexOf('.') + 20), 'malformed'],
  ['empty string', () => '', 'malformed'],
  ['three words', () => 'not.a.jwt', 'malformed'],
  ['two segments', () => goodToken.split('.').slice(0, 2).join('.'), 'malformed'],
  ['four segments', () => `${goodToken}.${goodToken.split('.')[2]}`, 'malformed'],
  ['JWE-shaped five parts', () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aGVsbG8.d29ybGQ.dGFn', 'malformed'],
  ['non-base64url characters', () => goodToken.replace('.', '.+/='), 'malformed'],
  ['header not JSON', () => forge('not json', goodPayload()), 'malformed'],
  ['payload not JSON', () => forge({ alg: 'HS512' }, '{"customer":'), 'malformed'],
  ['payload an array', () => forge({ alg: 'HS512' }, [1, 2, 3]), 'malformed'],
  ['payload a string', () => forge({ alg: 'HS512' }, '"hello"'), 'malformed'],
  ['crit header', () => forge({ alg: 'HS512', crit: ['exp'], exp: 1 }, goodPayload()), 'malformed'],
  ['b64 false header', () => forge({ alg: 'HS512', b64: false, crit: ['b64'] }, goodPayload()), 'malformed'],
  ['expired beyond tolerance', () => mint({ issuedAt: NOW - 900 - 31 }), 'expired'],
  ['exp far past with recent iat', () => claims({ exp: NOW - 3600 }), 'expired'],
  ['older than max age although exp is far off', () => mint({ issuedAt: NOW - 2000, expiresIn: 86_400 }), 'expired'],
  ['iat in the future', () => mint({ issuedAt: NOW + 120 }), 'not_yet_valid'],
  ['nbf in the future', () => claims({ nbf: NOW + 120 }), 'not_yet_valid'],
  ['missing exp', () => claims({ exp: undefined }), 'claims'],
  ['missing iat', () => claims({ iat: undefined }), 'claims'],
  ['exp as a string', () => claims({ exp: String(NOW + 600) }), 'claims'],
  // JSON numbers too large for a double parse as ±Infinity: never a time, whatever jose makes of them.
  ['exp 1e999 (Infinity)', () => withRawTime('exp', '1e999'), 'claims'],
  ['exp -1e999 (-Infinity)', () => withRawTime('exp', '-1e999'), 'claims'],
  ['iat 1e999 (Infinity)', () => withRawTime('iat', '1e999'), 'claims'],
  ['iat -1e999 (-Infinity)', () => withRawTime('iat', '-1e999'), 'claims'],
  ['nbf -1e999 (-Infinity)', () => withRawTime('nbf', '-1e999'), 'claims'],
  ['nbf 1e999 (Infinity)', () => withRawTime('nbf', '1e999'), 'claims'],
  ['wrong aud', () => claims({ aud: 'someone-elses-client-id' }), 'audience'],
  ['missing aud', () => claims({ aud: undefined }), 'audience'],
  ['aud list without our client id', () => claims({ aud: ['a', 'b'] }), 'audience'],
  ['wrong iss', () => claims({ iss: 'bc/other' }), 'issuer'],
  ['missing iss', () => claims({ iss: undefined }), 'issuer'],
  [
    'Customer Login token',
    () => claims({ iss: CLIENT_ID, operation: 'customer_login', sub: undefined, aud: undefined }),
    'operation',
  ],
  ['customer_login operation from bc/apps', () => claims({ operation: 'customer_login' }), 'operation'],
  ['iss is the client ID but operation is current_customer', () => claims({ iss: CLIENT_ID }), 'issuer'],
  ['missing operation', () => claims({ operation: undefined }), 'operation'],
  ['sub differs from store_hash', () => claims({ sub: 'xyz789' }), 'store'],
  ['missing sub', () => claims({ sub: undefined }), 'claims'],
  ['missing store_hash', () => claims({ store_hash: undefined }), 'claims'],
  ['store not allowed', () => mint({ storeHash: 'other1' }), 'store'],
  ['missing customer', () => claims({ customer: undefined }), 'claims'],
  ['customer is a string', () => claims({ customer: 'john' }), 'claims'],
  ['customer.id as a string', () => claims({ customer: { id: '4927', email: 'a@example.com' } }), 'claims'],
  ['customer.id zero', () => claims({ customer: { id: 0, email: 'a@example.com' } }), 'claims'],
  ['customer.id negative', () => claims({ customer: { id: -5, email: 'a@example.com' } }), 'claims'],
  ['customer.id fractional', () => claims({ customer: { id: 1.5, email: 'a@example.com' } }), 'claims'],
  ['customer.id beyond safe integers', () => claims({ customer: { id: 2 ** 60, email: 'a@example.com' } }), 'claims'],
  ['customer.email missing', () => claims({ customer: { id: 7 } }), 'claims'],
  [
    'customer.group_id an object',
    () => claims({ customer: { id: 7, email: 'a@example.com', group_id: {} } }),
    'claims',
  ],
  ['oversized token', () => mint({ claims: { padding: 'x'.repeat(5000) } }), 'too_large'],
  ['oversized garbage', () => 'a'.repeat(1_000_000), 'too_large'],
  ['leading whitespace', () => ` ${goodToken}`, 'malformed'],
  ['trailing newline', () => `${goodToken}\n`, 'malformed'],
];

describe('verifier: bad tokens are refused with their code', () => {
  it('has at least 30 cases', () => assert.ok(badTokens.length >= 30, String(badTokens.length)));

  for (const [name, build, code] of badTokens) {
    it(`${name} → ${code}`, async () => {
      const token = await build();
      const error = await verify(token).then(
        (value) => assert.fail(`accepted: ${JSON.stringify(value)}`),
        (error: unknown) => error,
      );
      assert.ok(error instanceof CustomerTokenError, `not a CustomerTokenError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.ok(TOKEN_ERROR_CODES.includes(error.code));
      assert.ok(error.message.length > 10, 'message says what to fix');
      if (token.length > 20) assert.ok(!error.message.includes(token), 'message must not contain the token');
      for (const part of token.split('.').filter((p) => p.length > 8)) {
        assert.ok(!error.message.includes(part), 'message must not contain any token segment');
      }
      assert.ok(!error.message.includes(SECRET), 'message must not contain the secret');
    });
  }

  it('refuses a non-string token as malformed', async () => {
    for (const value of [undefined, null, 42, {}, ['a.b.c']]) {
      await assert.rejects(verify(value as unknown as string), { code: 'malformed' });
    }
  });
});

describe('verifier: good tokens', () => {
  it('accepts HS512 and returns the normalised customer', async () => {
    assert.deepEqual(await verify(goodToken), {
      customer: { id: 4927, email: 'john.doe@example.com', groupId: '6' },
      storeHash: STORE,
      applicationId: CLIENT_ID,
      issuedAt: NOW - 60,
      expiresAt: NOW - 60 + 900,
    });
  });

  it('accepts HS256', async () => {
    const result = await verify(await mint({ algorithm: 'HS256' }));
    assert.equal(result.customer.id, 4927);
  });

  it('accepts a token signed by the second of two rotated secrets', async () => {
    const rotating = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: [OTHER_SECRET, SECRET],
      stores: STORE,
      now: () => NOW * 1000,
    });
    assert.equal((await rotating(await mint())).customer.id, 4927);
    assert.equal((await rotating(await mint({ clientSecret: OTHER_SECRET }))).customer.id, 4927);
    await assert.rejects(rotating(await mint({ clientSecret: 'third' })), { code: 'signature' });
  });

  it('accepts expiry within the clock tolerance, and refuses it once tolerance is zero', async () => {
    const token = await mint({ issuedAt: NOW - 900 - 20 });
    assert.equal((await verify(token)).customer.id, 4927);
    const strict = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      stores: STORE,
      clockTolerance: 0,
      now: () => NOW * 1000,
    });
    await assert.rejects(strict(token), { code: 'expired' });
  });

  it('accepts iat slightly in the future within tolerance', async () => {
    assert.equal((await verify(await mint({ issuedAt: NOW + 10 }))).customer.id, 4927);
  });

  it('returns group_id given as a number as a string, and absent as null', async () => {
    assert.equal(
      (await verify(await mint({ customer: { id: 9, email: 'n@example.com', groupId: 12 } }))).customer.groupId,
      '12',
    );
    const numeric = await claims({ customer: { id: 9, email: 'n@example.com', group_id: 12 } });
    assert.equal((await verify(numeric)).customer.groupId, '12');
    assert.equal((await verify(await mint({ customer: { id: 9, email: 'n@example.com' } }))).customer.groupId, null);
  });

  it('accepts aud given as a list containing the client id', async () => {
    assert.equal((await verify(await claims({ aud: ['other', CLIENT_ID] }))).customer.id, 4927);
  });

  it('accepts any store in a list, and consults a sync or async predicate', async () => {
    const listed = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      stores: ['zzz', STORE],
      now: () => NOW * 1000,
    });
    assert.equal((await listed(goodToken)).storeHash, STORE);

    const seen: string[] = [];
    const predicate = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      now: () => NOW * 1000,
      stores: async (hash) => {
        seen.push(hash);
        return hash === STORE;
      },
    });
    assert.equal((await predicate(goodToken)).storeHash, STORE);
    await assert.rejects(predicate(await mint({ storeHash: 'evil99' })), { code: 'store' });
    assert.deepEqual(seen, [STORE, 'evil99']);
  });

  it('never consults the store predicate for a token with a bad signature', async () => {
    let calls = 0;
    const predicate = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      now: () => NOW * 1000,
      stores: () => {
        calls++;
        return true;
      },
    });
    await assert.rejects(predicate(await mint({ clientSecret: OTHER_SECRET })), { code: 'signature' });
    assert.equal(calls, 0);
  });

  it('passes a store predicate failure through as a server error, not a token error', async () => {
    const broken = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      now: () => NOW * 1000,
      stores: () => {
        throw new Error('database down');
      },
    });
    await assert.rejects(broken(goodToken), (error: unknown) => !(error instanceof CustomerTokenError));
  });

  it('names a Customer Login token only when its operation says so', async () => {
    const wrongIssuer = await verify(await claims({ iss: CLIENT_ID })).catch((error: unknown) => error);
    assert.ok(wrongIssuer instanceof CustomerTokenError);
    assert.equal(wrongIssuer.code, 'issuer');
    assert.doesNotMatch(wrongIssuer.message, /Customer Login/);
    const login = await verify(await claims({ iss: CLIENT_ID, operation: 'customer_login', aud: undefined })).catch(
      (error: unknown) => error,
    );
    assert.ok(login instanceof CustomerTokenError);
    assert.equal(login.code, 'operation');
    assert.match(login.message, /Customer Login token/);
  });

  it('verifyCustomerToken reuses one verifier per options object', async () => {
    const options = { clientId: CLIENT_ID, clientSecret: SECRET, stores: STORE, now: () => NOW * 1000 };
    assert.equal((await verifyCustomerToken(goodToken, options)).customer.id, 4927);
    await assert.rejects(verifyCustomerToken(await mint({ storeHash: 'nope' }), options), { code: 'store' });
  });

  it('restricts algorithms when asked', async () => {
    const only512 = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      stores: STORE,
      algorithms: ['HS512'],
      now: () => NOW * 1000,
    });
    assert.equal((await only512(goodToken)).customer.id, 4927);
    await assert.rejects(only512(await mint({ algorithm: 'HS256' })), { code: 'algorithm' });
  });
});

describe('verifier options: verifyCustomerToken reads them on every call, createVerifier once', () => {
  const NEW_SECRET = 'rotated-in-secret-4c1d8e';
  const fresh = () => ({
    clientId: CLIENT_ID,
    clientSecret: [NEW_SECRET, SECRET] as string[] | string,
    stores: [STORE, 'other1'] as string[] | string,
    now: () => NOW * 1000,
  });

  it('a secret removed from the same options object (in place or replaced) is refused from the next call', async () => {
    const oldToken = await mint();
    const options = fresh();
    assert.equal((await verifyCustomerToken(oldToken, options)).customer.id, 4927);
    (options.clientSecret as string[]).pop(); // rotated out, in place
    await assert.rejects(verifyCustomerToken(oldToken, options), { code: 'signature' });
    assert.equal((await verifyCustomerToken(await mint({ clientSecret: NEW_SECRET }), options)).customer.id, 4927);

    const replaced = fresh();
    assert.equal((await verifyCustomerToken(oldToken, replaced)).customer.id, 4927);
    replaced.clientSecret = NEW_SECRET;
    await assert.rejects(verifyCustomerToken(oldToken, replaced), { code: 'signature' });
  });

  it('a secret added to the same options object is accepted from the next call', async () => {
    const options = { ...fresh(), clientSecret: [SECRET] };
    const newToken = await mint({ clientSecret: NEW_SECRET });
    await assert.rejects(verifyCustomerToken(newToken, options), { code: 'signature' });
    options.clientSecret.unshift(NEW_SECRET);
    assert.equal((await verifyCustomerToken(newToken, options)).customer.id, 4927);
  });

  it('a store removed from the same options object is refused from the next call', async () => {
    const otherToken = await mint({ storeHash: 'other1' });
    const options = fresh();
    assert.equal((await verifyCustomerToken(otherToken, options)).storeHash, 'other1');
    (options.stores as string[]).splice(1, 1); // uninstalled
    await assert.rejects(verifyCustomerToken(otherToken, options), { code: 'store' });
    options.stores = 'other1';
    assert.equal((await verifyCustomerToken(otherToken, options)).storeHash, 'other1');
    await assert.rejects(verifyCustomerToken(goodToken, options), { code: 'store' });
  });

  it('other options changed in place take effect too (algorithms, clockTolerance, clientId)', async () => {
    const options: Parameters<typeof verifyCustomerToken>[1] & { algorithms?: Array<'HS256' | 'HS512'> } = {
      ...fresh(),
      algorithms: ['HS256', 'HS512'],
    };
    assert.equal((await verifyCustomerToken(goodToken, options)).customer.id, 4927);
    options.algorithms!.splice(1, 1);
    await assert.rejects(verifyCustomerToken(goodToken, options), { code: 'algorithm' });
    delete options.algorithms;
    const skewed = await mint({ issuedAt: NOW + 100 });
    await assert.rejects(verifyCustomerToken(skewed, options), { code: 'not_yet_valid' });
    (options as { clockTolerance?: number }).clockTolerance = 120;
    assert.equal((await verifyCustomerToken(skewed, options)).customer.id, 4927);
    (options as { clientId: string }).clientId = 'another-client-id';
    await assert.rejects(verifyCustomerToken(goodToken, options), { code: 'audience' });
  });

  it('imports the keys once while the options stay the same, and again after a change', async () => {
    const subtle = crypto.subtle;
    const original = subtle.importKey;
    let imports = 0;
    subtle.importKey = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['importKey']>) {
      imports++;
      return original.apply(this, args);
    } as SubtleCrypto['importKey'];
    try {
      const options = fresh();
      for (let i = 0; i < 5; i++) await verifyCustomerToken(goodToken, options);
      assert.equal(imports, 4, 'two secrets, two algorithms, imported once');
      (options.stores as string[]).push('other2');
      await verifyCustomerToken(goodToken, options);
      assert.equal(imports, 8, 'a changed option builds a new verifier');
    } finally {
      subtle.importKey = original;
    }
  });

  it('createVerifier reads its options once: later changes to that object change nothing', async () => {
    const options = fresh();
    const verifyOnce = createVerifier(options);
    const otherToken = await mint({ storeHash: 'other1' });
    (options.clientSecret as string[]).length = 0;
    (options.stores as string[]).length = 0;
    options.clientSecret = 'something-else-entirely';
    assert.equal((await verifyOnce(goodToken)).customer.id, 4927, 'the secrets it was built with still verify');
    assert.equal((await verifyOnce(otherToken)).storeHash, 'other1', 'the stores it was built with still pass');
    // The documented way to rotate: build a new verifier.
    const rotated = createVerifier({ ...fresh(), clientSecret: NEW_SECRET, stores: STORE });
    await assert.rejects(rotated(goodToken), { code: 'signature' });
    await assert.rejects(rotated(await mint({ clientSecret: NEW_SECRET, storeHash: 'other1' })), { code: 'store' });
  });

  it('a stores function is called on every verification, so it may follow live installations', async () => {
    const installed = new Set([STORE]);
    const verifyLive = createVerifier({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      stores: (hash) => installed.has(hash),
      now: () => NOW * 1000,
    });
    assert.equal((await verifyLive(goodToken)).storeHash, STORE);
    installed.delete(STORE);
    await assert.rejects(verifyLive(goodToken), { code: 'store' });
  });
});

describe('verifier: configuration errors surface at creation', () => {
  const good = { clientId: CLIENT_ID, clientSecret: SECRET, stores: STORE };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['no stores', { ...good, stores: undefined }, /"stores" is required/],
    ['empty stores list', { ...good, stores: [] }, /"stores" is required/],
    ['empty store hash', { ...good, stores: '' }, /"stores" is required/],
    ['no secret', { ...good, clientSecret: undefined }, /"clientSecret"/],
    ['empty secret', { ...good, clientSecret: '' }, /"clientSecret"/],
    ['empty secret in list', { ...good, clientSecret: [SECRET, ''] }, /"clientSecret"/],
    ['no client id', { ...good, clientId: '' }, /"clientId"/],
    ['asymmetric algorithm', { ...good, algorithms: ['RS256'] }, /"algorithms"/],
    ['negative tolerance', { ...good, clockTolerance: -1 }, /"clockTolerance"/],
  ];
  for (const [name, options, message] of cases) {
    it(name, () => {
      assert.throws(
        () => createVerifier(options as never),
        (error: unknown) => {
          assert.ok(error instanceof TypeError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes(SECRET));
          return true;
        },
      );
    });
  }
});

describe('verifier: errors carry nothing from the token', () => {
  it('has no cause holding decoded claims (which include the email)', async () => {
    const error = await verify(await mint({ clientSecret: OTHER_SECRET })).catch((e: unknown) => e);
    assert.ok(error instanceof CustomerTokenError);
    assert.equal(error.cause, undefined);
    const expired = await verify(await mint({ issuedAt: NOW - 5000 })).catch((e: unknown) => e);
    assert.ok(expired instanceof CustomerTokenError);
    assert.equal(expired.cause, undefined);
    assert.ok(!JSON.stringify({ ...expired, message: expired.message }).includes('john.doe'));
  });
});

describe('verifier: a signed store hash cannot forge a log line', () => {
  const refusal = async (storeHash: string) => {
    const error = await verify(await mint({ storeHash })).catch((e: unknown) => e);
    assert.ok(error instanceof CustomerTokenError);
    assert.equal(error.code, 'store');
    return error.message;
  };

  it('quotes the store hash JSON-style, controls and separators escaped', async () => {
    const forged = 'x"\n2031-01-01T00:00:00Z INFO verified customer 1\u001b[0m\u2028\u202e';
    const message = await refusal(forged);
    assert.match(
      message,
      /^Token is for store "x\\"\\n2031-01-01T00:00:00Z INFO verified customer 1\\u001b\[0m\\u2028\\u202e", /,
    );
    assert.ok(/^[\x20-\x7e]*$/.test(message), `only printable ASCII: ${JSON.stringify(message)}`);
  });

  it('caps the quoted store hash at 64 characters', async () => {
    const message = await refusal(`${'a'.repeat(64)}${'b'.repeat(1000)}`);
    assert.ok(message.includes(`"${'a'.repeat(64)}"...`), message);
    assert.ok(!message.includes('b'.repeat(2)), message);
  });

  it('leaves an ordinary store hash readable', async () => {
    assert.match(await refusal('other1'), /^Token is for store "other1", which the "stores" option does not accept\./);
  });
});
