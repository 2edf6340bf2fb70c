import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { createVerifier } from '../../src/server/index.js';
import { assertNoStack, assertUsageError, runCli } from './run-cli.js';

const CLIENT_ID = 'mintclientid0123456789';
const SECRET = 'mint-test-secret-a81f3c';
const STORE = 'store9';
const verifier = createVerifier({ clientId: CLIENT_ID, clientSecret: SECRET, stores: STORE });

describe('bc-customer-gate mint', () => {
  it('prints only a token on stdout, which the verifier accepts', async () => {
    const result = await runCli(
      [
        'mint',
        '--client-id',
        CLIENT_ID,
        '--store',
        STORE,
        '--customer-id',
        '42',
        '--email',
        'ann@example.com',
        '--group',
        '3',
      ],
      {
        env: { BC_CLIENT_SECRET: SECRET },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.equal(result.stderr, '');
    const verified = await verifier(result.stdout.trim());
    assert.deepEqual(verified.customer, { id: 42, email: 'ann@example.com', groupId: '3' });
    assert.equal(verified.storeHash, STORE);
    assert.equal(verified.expiresAt - verified.issuedAt, 900);
    assert.equal(decodeProtectedHeader(result.stdout.trim()).alg, 'HS512');
  });

  it('its output round-trips through verify via stdin', async () => {
    const minted = await runCli(['mint', '--client-id', CLIENT_ID, '--store', STORE, '--customer-id', '7'], {
      env: { BC_CLIENT_SECRET: SECRET },
    });
    const result = await runCli(['verify', '-', '--client-id', CLIENT_ID, '--store', STORE], {
      env: { BC_CLIENT_SECRET: SECRET },
      input: minted.stdout,
    });
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /customer {2}7 customer7@example\.com \(no group\)/);
  });

  it('honours --algorithm and --expires-in', async () => {
    const result = await runCli(
      [
        'mint',
        '--client-id',
        CLIENT_ID,
        '--store',
        STORE,
        '--customer-id',
        '1',
        '--algorithm',
        'HS256',
        '--expires-in',
        '60',
      ],
      { env: { BC_CLIENT_SECRET: SECRET } },
    );
    assert.equal(result.code, 0);
    const token = result.stdout.trim();
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
    const verified = await verifier(token);
    assert.equal(verified.expiresAt - verified.issuedAt, 60);
  });

  it('a token minted with another secret does not verify', async () => {
    const result = await runCli(['mint', '--client-id', CLIENT_ID, '--store', STORE, '--customer-id', '1'], {
      env: { BC_CLIENT_SECRET: 'not-the-secret-000' },
    });
    assert.equal(result.code, 0);
    await assert.rejects(verifier(result.stdout.trim()), { code: 'signature' });
  });

  it('--secret works, with a shell-history note on stderr that does not echo it', async () => {
    const result = await runCli([
      'mint',
      '--client-id',
      CLIENT_ID,
      '--secret',
      SECRET,
      '--store',
      STORE,
      '--customer-id',
      '5',
    ]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /shell history/);
    assert.ok(!result.stderr.includes(SECRET) && !result.stdout.includes(SECRET));
    await verifier(result.stdout.trim());
  });

  it('usage errors for missing or bad values', async () => {
    const env = { BC_CLIENT_SECRET: SECRET };
    const base = ['mint', '--client-id', CLIENT_ID, '--store', STORE];
    assertUsageError(await runCli(base, { env }), /Missing --customer-id/);
    assertUsageError(
      await runCli([...base, '--customer-id', '0'], { env }),
      /--customer-id must be a whole number from 1/,
    );
    assertUsageError(await runCli([...base, '--customer-id', '4.5'], { env }), /--customer-id must be a whole number/);
    assertUsageError(
      await runCli([...base, '--customer-id', '1', '--algorithm', 'none'], { env }),
      /--algorithm must be HS256 or HS512/,
    );
    assertUsageError(
      await runCli([...base, '--customer-id', '1', '--expires-in', '0'], { env }),
      /--expires-in must be/,
    );
    assertUsageError(await runCli([...base, '--customer-id', '1']), /Missing --secret \(or set BC_CLIENT_SECRET\)/);
    assertUsageError(
      await runCli(['mint', '--client-id', CLIENT_ID, '--customer-id', '1'], { env }),
      /Missing --store/,
    );
    const result = await runCli([...base, '--customer-id', '1', 'extra'], { env });
    assertUsageError(result, /Unexpected argument/);
    assertNoStack(result);
  });
});
