// Sends every case in cases.mjs to one running server and checks the answers. Runs in the host's
// Node, whatever runtime serves: the client stays the same so only the server varies.
import assert from 'node:assert/strict';
// undici's own fetch, for a connection per case (its Agent); Node's built-in fetch is undici too.
import { Agent, fetch } from 'undici';
import { CASES } from './cases.mjs';
import { SECRET } from './fixture.mjs';
import { PATH } from './app.mjs';

/** How a connection cut by the server shows up in the client's fetch. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Headers every exchange answer carries, whatever its status. */
function checkPolicy(got) {
  assert.equal(got.headers.get('cache-control'), 'no-store', 'Cache-Control: no-store');
  // Frameworks add their own fields (Next.js varies on its router headers too); Origin must be one.
  const vary = (got.headers.get('vary') ?? '').split(',').map((field) => field.trim().toLowerCase());
  assert.ok(vary.includes('origin'), `Vary lists Origin (is "${got.headers.get('vary')}")`);
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff', 'X-Content-Type-Options: nosniff');
  assert.notEqual(got.headers.get('access-control-allow-origin'), '*', 'CORS is exact-origin, never *');
  assert.equal(got.headers.get('access-control-allow-credentials'), null, 'never with credentials');
}

/** Neither the token (nor a part of it long enough to mean something) nor the secret comes back. */
function checkNothingEchoed(got, token) {
  const everything = `${got.text}\n${[...got.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}`;
  for (const part of token ? [token, ...token.split('.')] : []) {
    if (part.length >= 16) assert.ok(!everything.includes(part), 'a token (or part of one) came back in the answer');
  }
  assert.ok(!everything.includes(SECRET), 'the client secret came back in the answer');
}

function checkExpected(got, expected) {
  assert.equal(
    got.status,
    expected.status,
    `status ${got.status}, expected ${expected.status}; body: ${got.text.slice(0, 200)}`,
  );
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    assert.equal(got.headers.get(name), value, `header ${name}`);
  }
  if ('json' in expected) assert.deepEqual(JSON.parse(got.text), expected.json, 'JSON body');
  if ('jsonIncludes' in expected) {
    const body = JSON.parse(got.text);
    for (const [name, value] of Object.entries(expected.jsonIncludes))
      assert.deepEqual(body[name], value, `"${name}" in the JSON body`);
  }
  if ('text' in expected) assert.equal(got.text, expected.text, 'body');
}

/**
 * Runs every case against `base` (the server's origin). `ctx.runtime` is what the server reported.
 * Returns the counts and, for each failure, the case and the reason.
 */
export async function runCases(base, ctx) {
  const failures = [];
  for (const testCase of CASES) {
    try {
      const { response, text, token } = await send(testCase, base, ctx);
      const got = { status: response.status, headers: response.headers, text };
      checkPolicy(got);
      checkNothingEchoed(got, token);
      checkExpected(got, typeof testCase.expect === 'function' ? testCase.expect(ctx) : testCase.expect);
    } catch (error) {
      // fetch's own message is "fetch failed": the socket error is in its cause.
      if (error.cause) error.message += ` (${error.cause.code ?? ''} ${error.cause.message ?? error.cause})`;
      failures.push({ name: testCase.name, error });
    }
  }
  return { passed: CASES.length - failures.length, failed: failures.length, failures };
}

/** Sends one case: again, with a new body, if it allows that when the server cuts the connection. */
async function send(testCase, base, ctx) {
  const attempts = testCase.attemptsOnConnectionReset ?? 1;
  for (let attempt = 1; ; attempt++) {
    const { token, path = PATH, ...init } = await testCase.send(ctx);
    // Each case on a connection of its own, so no case depends on how the one before it left the
    // connection (after a 413 mid-body, `next start` resets a connection it had kept alive). Not by
    // sending `Connection: close`: a server that honours it closes while the client still sends.
    const dispatcher = new Agent();
    try {
      const response = await fetch(new URL(path, base), {
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        ...init,
        dispatcher,
      });
      const text = await response.text();
      return { response, text, token };
    } catch (error) {
      if (attempt >= attempts || !RESET.has(error.cause?.code)) throw error;
    } finally {
      await dispatcher.destroy();
    }
  }
}
