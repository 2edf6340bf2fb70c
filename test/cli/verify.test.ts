import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import {
  mintCustomerToken,
  mintSignedPayload,
  type MintOptions,
  type MintSignedPayloadOptions,
} from '../../src/testing/mint.js';
import { assertNoStack, assertTerminalSafe, assertUsageError, runCli, type CliResult } from './run-cli.js';

const CLIENT_ID = 'q4gfrw8a1b2c3d4e5f6g7h8i9j0kl';
const SECRET = 'cli-test-secret-5d1f0e9a7c';
const STORE = 'abc123';
const env = { BC_CLIENT_SECRET: SECRET };
const now = () => Math.floor(Date.now() / 1000);

const mint = (overrides: Partial<MintOptions> = {}) =>
  mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id: 4927, email: 'john.doe@example.com', groupId: '6' },
    ...overrides,
  });

const verify = (token: string, extra: string[] = [], options: { env?: Record<string, string>; input?: string } = {}) =>
  runCli(['verify', token, '--client-id', CLIENT_ID, ...extra], {
    env: options.env ?? env,
    ...(options.input === undefined ? {} : { input: options.input }),
  });

/** A refusal: exit 1, the named check, no secret, no stack trace. */
function assertRefused(result: CliResult, code: string): void {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, new RegExp(`^REFUSED: check "${code}" failed\\.$`, 'm'));
  assert.match(result.stdout, /^Fix: /m);
  assertClean(result);
}

function assertClean(result: CliResult): void {
  assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET), 'the secret was printed');
  assertNoStack(result);
}

describe('bc-customer-gate verify', () => {
  it('accepts a good token: exit 0, prints the customer and the unverified header and claims', async () => {
    const result = await verify(await mint(), ['--store', STORE]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^Header \(unverified\):/m);
    assert.match(result.stdout, /"alg": "HS512"/);
    assert.match(result.stdout, /^Claims \(unverified/m);
    assert.match(result.stdout, /^VALID/m);
    assert.match(result.stdout, /customer {2}4927 john\.doe@example\.com \(group 6\)/);
    assert.match(result.stdout, /store {5}abc123/);
    assert.match(result.stdout, /expires {3}in 1[45] minutes/);
    assert.equal(result.stderr, '');
    assertClean(result);
  });

  it('accepts several --store values and a customer in no group', async () => {
    const result = await verify(await mint({ customer: { id: 7, email: 'x@example.com' } }), [
      '--store',
      'other1',
      '--store',
      STORE,
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /customer {2}7 x@example\.com \(no group\)/);
  });

  it("without --store accepts the token's own store but warns that a server must pin its stores", async () => {
    const result = await verify(await mint());
    assert.equal(result.code, 0);
    assert.match(result.stderr, /warning: no --store given, so the token's own store "abc123" is accepted/);
    assert.match(result.stderr, /must pin its stores/);
  });

  it('reads the secret from BC_CLIENT_SECRET, and the client ID from BC_CLIENT_ID', async () => {
    const token = await mint();
    const result = await runCli(['verify', token, '--store', STORE], {
      env: { BC_CLIENT_SECRET: SECRET, BC_CLIENT_ID: CLIENT_ID },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(!result.stderr.includes('shell history'), 'no history note when the secret came from the environment');
  });

  it('takes --secret too, notes that it lands in shell history, and never prints it', async () => {
    const result = await runCli([
      'verify',
      await mint(),
      '--client-id',
      CLIENT_ID,
      '--secret',
      SECRET,
      '--store',
      STORE,
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /shell history; set BC_CLIENT_SECRET instead/);
    assertClean(result);
  });

  it('accepts any of several --secret values (rotation)', async () => {
    const result = await runCli([
      'verify',
      await mint(),
      '--client-id',
      CLIENT_ID,
      '--secret',
      'old-secret-123456',
      '--secret',
      SECRET,
      '--store',
      STORE,
    ]);
    assert.equal(result.code, 0, result.stdout);
  });

  it('reads the token from stdin with -, trimming one trailing newline', async () => {
    const token = await mint();
    const result = await runCli(['verify', '-', '--client-id', CLIENT_ID, '--store', STORE], {
      env,
      input: `${token}\n`,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^VALID/m);
  });

  it('refuses an empty stdin as a usage error', async () => {
    assertUsageError(await runCli(['verify', '-', '--client-id', CLIENT_ID], { env, input: '' }), /No token on stdin/);
  });

  it('wrong secret: "signature", and says the secret is the likely culprit', async () => {
    const result = await verify(await mint({ clientSecret: 'some-other-apps-secret-xx' }), ['--store', STORE]);
    assertRefused(result, 'signature');
    assert.match(result.stdout, /the secret is the likely culprit/);
  });

  it('a token for another app signed with its secret: "signature", pointing at the other aud', async () => {
    const result = await verify(await mint({ clientId: 'otherappid', clientSecret: 'other-apps-secret-yy' }), [
      '--store',
      STORE,
    ]);
    assertRefused(result, 'signature');
    assert.match(result.stdout, /"aud" is "otherappid", not --client-id "q4gfrw8a1b2c3d4e5f6g7h8i9j0kl"/);
  });

  it('expired: says how long ago', async () => {
    const result = await verify(await mint({ issuedAt: now() - 900 - 600 }), ['--store', STORE]);
    assertRefused(result, 'expired');
    assert.match(result.stdout, /It expired (10 minutes|10 minutes \d+ seconds?|9 minutes \d+ seconds) ago/);
    assert.match(result.stdout, /Fix: Fetch a fresh token/);
  });

  it('expired long ago: hours', async () => {
    const result = await verify(await mint({ issuedAt: now() - 900 - 2 * 3600 }), ['--store', STORE]);
    assertRefused(result, 'expired');
    assert.match(result.stdout, /It expired (2 hours|1 hour 59 minutes) ago/);
  });

  it('not yet valid: reports the clock skew', async () => {
    const result = await verify(await mint({ issuedAt: now() + 300 }), ['--store', STORE]);
    assertRefused(result, 'not_yet_valid');
    assert.match(result.stdout, /"iat" is (5 minutes|4 minutes \d+ seconds) in the future/);
    assert.match(result.stdout, /tolerance 30 seconds/);
  });

  it('--clock-tolerance widens the margin', async () => {
    const result = await verify(await mint({ issuedAt: now() + 60 }), ['--store', STORE, '--clock-tolerance', '120']);
    assert.equal(result.code, 0, result.stdout);
  });

  it("another store: names the token's store and the allowed ones", async () => {
    const result = await verify(await mint({ storeHash: 'zzz999' }), ['--store', STORE, '--store', 'def456']);
    assertRefused(result, 'store');
    assert.match(result.stdout, /The token is for store "zzz999"; --store allows "abc123", "def456"/);
  });

  it('sub differing from store_hash: "store"', async () => {
    const result = await verify(await mint({ claims: { sub: 'zzz999' } }));
    assertRefused(result, 'store');
    assert.match(result.stdout, /"sub" is "zzz999" but its "store_hash" is "abc123"/);
  });

  it('a Customer Login token: named as such', async () => {
    const login = await new SignJWT({
      iss: CLIENT_ID,
      iat: now(),
      jti: 'abc',
      operation: 'customer_login',
      store_hash: STORE,
      customer_id: 4927,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(SECRET));
    const result = await verify(login, ['--store', STORE]);
    assertRefused(result, 'operation');
    assert.match(result.stdout, /This is a Customer Login token/);
    assert.match(
      result.stdout,
      /Fix: Use a Current Customer token, fetched on the storefront from \/customer\/current\.jwt\?app_client_id=q4gfrw8a1b2c3d4e5f6g7h8i9j0kl/,
    );
  });

  it('"iss" set to the client ID with operation current_customer: "issuer", not called a Customer Login token', async () => {
    const result = await verify(await mint({ claims: { iss: CLIENT_ID } }), ['--store', STORE]);
    assertRefused(result, 'issuer');
    assert.doesNotMatch(result.stdout, /Customer Login/);
    assert.match(
      result.stdout,
      /The token's "iss" is "q4gfrw8a1b2c3d4e5f6g7h8i9j0kl"; Current Customer tokens say "bc\/apps"/,
    );
  });

  it("wrong audience signed with the same secret: shows the token's aud against --client-id", async () => {
    const result = await verify(await mint({ clientId: 'anotherclientid' }), ['--store', STORE]);
    assertRefused(result, 'audience');
    assert.match(result.stdout, /"aud" is "anotherclientid" but --client-id is "q4gfrw8a1b2c3d4e5f6g7h8i9j0kl"/);
  });

  it('HS512 token with --algorithm HS256: "algorithm", and says to allow both', async () => {
    const result = await verify(await mint({ algorithm: 'HS512' }), ['--store', STORE, '--algorithm', 'HS256']);
    assertRefused(result, 'algorithm');
    assert.match(result.stdout, /signed with HS512, but only HS256 is allowed/);
    assert.match(result.stdout, /Fix: Allow HS512 too/);
  });

  it('HS256 token verifies by default and with --algorithm HS256', async () => {
    const token = await mint({ algorithm: 'HS256' });
    assert.equal((await verify(token, ['--store', STORE])).code, 0);
    assert.equal((await verify(token, ['--store', STORE, '--algorithm', 'HS256'])).code, 0);
  });

  it('an unsigned token ("alg": "none") is refused as "algorithm"', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const payload = JSON.parse(Buffer.from((await mint()).split('.')[1]!, 'base64url').toString());
    const result = await verify(
      `${b64({ alg: 'none' })}.${b64(payload)}.${Buffer.alloc(64, 7).toString('base64url')}`,
      ['--store', STORE],
    );
    assertRefused(result, 'algorithm');
    assert.match(result.stdout, /unsigned/);
  });

  it('a missing claim: "claims"', async () => {
    const result = await verify(await mint({ claims: { customer: undefined } }), ['--store', STORE]);
    assertRefused(result, 'claims');
    assert.match(result.stdout, /no "customer" object/);
  });

  it('malformed input: not a JWT, bad base64, JSON instead of the token, whitespace', async () => {
    const notJwt = await verify('not-a-token', ['--store', STORE]);
    assertRefused(notJwt, 'malformed');
    assert.match(notJwt.stdout, /Could not decode the token: it has one part \(no dots\), and a JWT has three/);

    // Two parts decode fine: what is wrong is the missing third part, not the encoding.
    const [header, payload] = (await mint()).split('.');
    const twoParts = await verify(`${header}.${payload}`, ['--store', STORE]);
    assertRefused(twoParts, 'malformed');
    assert.match(twoParts.stdout, /^Header \(unverified\):/m);
    assert.match(
      twoParts.stdout,
      /^Not a complete JWT: it has two dot-separated parts, and a JWT has three \(header\.payload\.signature\): the signature is missing\.$/m,
    );
    assert.doesNotMatch(twoParts.stdout, /not base64url/);

    const good = await mint();
    const [h, , s] = good.split('.');
    // Correctly signed, but the payload is not JSON: the signature passes and parsing fails.
    const signedGarbage = `${h}.bm90IGpzb24`;
    const garbled = await verify(
      `${signedGarbage}.${createHmac('sha512', SECRET).update(signedGarbage).digest('base64url')}`,
      ['--store', STORE],
    );
    assertRefused(garbled, 'malformed');
    assert.match(garbled.stdout, /payload is not a base64url-encoded JSON object/);

    // The payload altered after signing: the signature check fails first, and says why.
    const altered = await verify(`${h}.bm90IGpzb24.${s}`, ['--store', STORE]);
    assertRefused(altered, 'signature');
    assert.match(altered.stdout, /cut short or altered/);

    const json = await verify(JSON.stringify({ token: good }), ['--store', STORE]);
    assertRefused(json, 'malformed');
    assert.match(json.stdout, /The input is JSON/);

    const spaced = await verify(` ${good}`, ['--store', STORE]);
    assertRefused(spaced, 'malformed');
    assert.match(spaced.stdout, /whitespace/);
  });

  it('a signature that is not canonical base64url: "signature", and says the token was altered', async () => {
    const good = await mint();
    // An HS512 signature is 86 characters; the last one carries 4 unused bits, zero when canonical.
    // Setting one gives a string that decodes to the same bytes: a second spelling of the token.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = good.slice(0, -1) + alphabet[alphabet.indexOf(good.at(-1)!) | 1];
    assert.deepEqual(Buffer.from(twin.split('.')[2]!, 'base64url'), Buffer.from(good.split('.')[2]!, 'base64url'));
    const result = await verify(twin, ['--store', STORE]);
    assertRefused(result, 'signature');
    assert.match(result.stdout, /not canonical base64url/);
  });

  it('a forged HMAC with another hash is still a "signature" failure', async () => {
    const good = await mint();
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${createHmac('sha512', 'guess').update(`${h}.${p}`).digest('base64url')}`;
    assertRefused(await verify(forged, ['--store', STORE]), 'signature');
  });

  it('usage errors: no token, two tokens, no client ID, no secret, bad --algorithm', async () => {
    assertUsageError(await runCli(['verify', '--client-id', CLIENT_ID], { env }), /Missing <token>/);
    assertUsageError(await runCli(['verify', 'a', 'b', '--client-id', CLIENT_ID], { env }), /Too many arguments/);
    assertUsageError(await runCli(['verify', 'tok'], { env }), /Missing --client-id \(or set BC_CLIENT_ID\)/);
    assertUsageError(
      await runCli(['verify', 'tok', '--client-id', CLIENT_ID]),
      /Missing the client secret: set BC_CLIENT_SECRET/,
    );
    assertUsageError(
      await runCli(['verify', 'tok', '--client-id', CLIENT_ID, '--algorithm', 'RS256'], { env }),
      /--algorithm must be HS256 or HS512/,
    );
    assertUsageError(
      await runCli(['verify', 'tok', '--client-id', CLIENT_ID, '--clock-tolerance', '-5'], { env }),
      /needs a value|--clock-tolerance must be/,
    );
  });

  describe('text from the token reaches the terminal escaped', () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claimsOf = async (overrides: Partial<MintOptions> = {}) =>
      JSON.parse(Buffer.from((await mint(overrides)).split('.')[1]!, 'base64url').toString());
    const unsigned = async (header: Record<string, unknown>) =>
      `${b64(header)}.${b64(await claimsOf())}.${Buffer.alloc(64, 7).toString('base64url')}`;
    // Erase the line above, carriage return, paint a green verdict; retitle the window; hide the rest.
    const FAKE_VALID = '\u001b[1A\u001b[2K\r\u001b[32mVALID: a Current Customer token for this app.\u001b[0m';
    const RETITLE = '\u001b]0;all good\u0007';
    const HIDE = '\u001b[8m';

    it('the header\'s "alg" in the diagnosis', async () => {
      const result = await verify(await unsigned({ alg: `HS999${FAKE_VALID}`, typ: 'JWT' }), ['--store', STORE]);
      assertRefused(result, 'algorithm');
      assert.match(result.stdout, /signed with HS999\\u001b\[1A\\u001b\[2K\\u000d\\u001b\[32mVALID/);
      assertTerminalSafe(result);
    });

    it('a newline in "alg" cannot start a line of its own', async () => {
      const result = await verify(await unsigned({ alg: 'HS999\nVALID: a Current Customer token for this app.' }), [
        '--store',
        STORE,
      ]);
      assertRefused(result, 'algorithm');
      assert.doesNotMatch(result.stdout, /^VALID/m);
      assertTerminalSafe(result);
    });

    it('"store_hash" in the no --store warning and the VALID summary', async () => {
      const storeHash = `abc${RETITLE}${HIDE}`;
      const result = await verify(await mint({ storeHash }));
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stderr, /own store "abc\\u001b\]0;all good\\u0007\\u001b\[8m" is accepted/);
      assert.match(result.stdout, /^ {2}store {5}abc\\u001b/m);
      assertTerminalSafe(result);
    });

    it('"store_hash" in the store diagnosis and the verifier\'s message', async () => {
      const result = await verify(await mint({ storeHash: `zzz${HIDE}${FAKE_VALID}` }), ['--store', STORE]);
      assertRefused(result, 'store');
      assert.match(result.stdout, /The token is for store "zzz\\u001b\[8m/);
      assertTerminalSafe(result);
    });

    it('C1 controls, DEL and bidi overrides in claims (JSON.stringify leaves them raw)', async () => {
      const email = '\u009b2J\u009b1;1H\u007f\u202egro.elpmaxe@nhoj';
      const result = await verify(await mint({ customer: { id: 4927, email, groupId: '\u009b8m' } }), [
        '--store',
        STORE,
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /"email": "\\u009b2J\\u009b1;1H\\u007f\\u202egro/);
      assert.match(result.stdout, /customer {2}4927 \\u009b2J/);
      assertTerminalSafe(result);
    });

    it('the "aud" and "iss" of a refused token', async () => {
      const audience = await verify(await mint({ clientId: `other${FAKE_VALID}` }), ['--store', STORE]);
      assertRefused(audience, 'audience');
      assertTerminalSafe(audience);
      const issuer = await verify(await mint({ claims: { iss: `bc/apps\u009b${HIDE}` } }), ['--store', STORE]);
      assertRefused(issuer, 'issuer');
      assertTerminalSafe(issuer);
    });
  });
});

describe('verify: a callback signed payload', () => {
  const payload = (overrides: Partial<MintSignedPayloadOptions> = {}) =>
    mintSignedPayload({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      storeHash: STORE,
      user: { id: 7, email: 'staff@example.com' },
      owner: { id: 1, email: 'owner@example.com' },
      channelId: 2,
      ...overrides,
    });

  it('is recognised, said to be one, and verified as one', async () => {
    const result = await verify(await payload(), ['--store', STORE]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /signed payload from an app callback/);
    assert.match(result.stdout, /^VALID: a signed payload for this app\.$/m);
    assert.match(result.stdout, /^ {2}store {5}abc123$/m);
    assert.match(result.stdout, /^ {2}user {6}7 staff@example\.com$/m);
    assert.match(result.stdout, /^ {2}channel {3}2$/m);
    assertClean(result);
  });

  it('is refused with the check that failed and what to fix', async () => {
    assertRefused(await verify(await payload({ clientSecret: 'another-secret' })), 'signature');
    assertRefused(await verify(await payload({ clientId: 'another-app' })), 'audience');
    const old = now() - 3600;
    assertRefused(await verify(await payload({ issuedAt: old, expiresIn: 300 })), 'expired');
  });

  it('is refused for a store not among --store', async () => {
    const result = await verify(await payload(), ['--store', 'other1']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^REFUSED: its store "abc123" is not among --store "other1"\.$/m);
    assertClean(result);
  });

  it('a Current Customer token is still checked as one', async () => {
    const result = await verify(await mint(), ['--store', STORE]);
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.stdout, /signed payload/);
  });
});
