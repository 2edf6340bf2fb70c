// Token verification throughput: this package's createVerifier against jose used naively,
// jsonwebtoken, fast-jwt, and a floor of bare node:crypto HMAC + JSON.parse. Every contender runs
// the whole pool of distinct tokens through the same harness, one at a time and with 64 in flight,
// and must accept every token.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { createVerifier } from 'bc-customer-gate/server';
import {
  ALGORITHMS,
  BenchError,
  CLIENT_ID,
  ISSUER,
  STORE_HASH,
  checkBigCommerceClaims,
  median,
  rotate,
} from './common.mjs';

const MAX_AGE_S = 900;
const TOLERANCE_S = 30;
const PASS_LIMIT_MS = 20_000;

/** Each contender: a name, and a verify(token) that throws (or rejects) unless the token is good. */
export function contenders(secret) {
  const encoder = new TextEncoder();
  const fast = createFastJwtVerifier({
    key: secret,
    algorithms: ALGORITHMS,
    allowedAud: CLIENT_ID,
    allowedIss: ISSUER,
    requiredClaims: ['exp', 'iat', 'sub'],
    maxAge: MAX_AGE_S * 1000,
    clockTolerance: TOLERANCE_S * 1000,
    cache: false,
  });
  return [
    {
      id: 'package',
      name: 'createVerifier (this package)',
      // Everything built in: algorithms, iss, aud, exp/iat/sub required, max age, store, claims.
      verify: createVerifier({ clientId: CLIENT_ID, clientSecret: secret, stores: STORE_HASH }),
    },
    {
      id: 'jose',
      name: 'jose jwtVerify, raw secret bytes',
      verify: async (token) => {
        const { payload } = await jwtVerify(token, encoder.encode(secret), {
          algorithms: ALGORITHMS,
          issuer: ISSUER,
          audience: CLIENT_ID,
          requiredClaims: ['exp', 'iat', 'sub'],
          maxTokenAge: MAX_AGE_S,
          clockTolerance: TOLERANCE_S,
        });
        return checkBigCommerceClaims(payload);
      },
    },
    {
      id: 'jsonwebtoken',
      name: 'jsonwebtoken, string secret',
      verify: (token) =>
        checkBigCommerceClaims(
          jwt.verify(token, secret, {
            algorithms: ALGORITHMS,
            audience: CLIENT_ID,
            issuer: ISSUER,
            maxAge: MAX_AGE_S,
            clockTolerance: TOLERANCE_S,
          }),
        ),
    },
    { id: 'fastJwt', name: 'fast-jwt (sync, no cache)', verify: (token) => checkBigCommerceClaims(fast(token)) },
    { id: 'floor', name: 'floor: node:crypto HMAC + JSON.parse', verify: floorVerifier(secret) },
  ];
}

/**
 * The least work a correct verifier can do: one HMAC with a key imported once, a constant-time
 * compare, two JSON.parse calls and the same claim checks as everyone else.
 */
function floorVerifier(secret) {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const hashes = { HS256: 'sha256', HS512: 'sha512' };
  return (token) => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 1 || second < 0 || token.indexOf('.', second + 1) !== -1) throw new Error('malformed');
    const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'));
    const hash = Object.hasOwn(hashes, header.alg) ? hashes[header.alg] : undefined;
    if (!hash) throw new Error('algorithm');
    const expected = createHmac(hash, key).update(token.slice(0, second)).digest();
    const actual = Buffer.from(token.slice(second + 1), 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new Error('signature');
    const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'));
    const now = Date.now() / 1000;
    if (typeof payload.exp !== 'number' || payload.exp <= now - TOLERANCE_S) throw new Error('expired');
    if (
      typeof payload.iat !== 'number' ||
      payload.iat > now + TOLERANCE_S ||
      now - payload.iat > MAX_AGE_S + TOLERANCE_S
    )
      throw new Error('iat');
    if (payload.iss !== ISSUER || payload.aud !== CLIENT_ID) throw new Error('iss/aud');
    return checkBigCommerceClaims(payload);
  };
}

/** Runs every token of `tokens` through `verify` with `inFlight` callers awaiting in turn. */
async function pass(verify, tokens, inFlight) {
  let next = 0;
  let accepted = 0;
  let firstError;
  const start = performance.now();
  const deadline = start + PASS_LIMIT_MS;
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      try {
        await verify(token);
        accepted++;
      } catch (error) {
        firstError ??= error;
      }
      if ((next & 1023) === 0 && performance.now() > deadline)
        throw new BenchError(`a verification pass took over ${PASS_LIMIT_MS / 1000} s`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - start;
  return { ms, accepted, rejected: tokens.length - accepted, firstError };
}

/**
 * Warm-up, then `rounds` rounds; each round runs every contender in both modes, in an order
 * rotated per round so no contender always goes first (or right after the garbage of another).
 */
export async function benchVerify({ secret, pool, rounds = 5, warmup = 2000, inFlight = 64, log = () => {} }) {
  const list = contenders(secret);
  const modes = [
    { id: 'sequential', inFlight: 1 },
    { id: 'concurrent', inFlight },
  ];
  const samples = Object.fromEntries(list.map((c) => [c.id, { sequential: [], concurrent: [] }]));

  for (const contender of list) {
    for (const mode of modes) await pass(contender.verify, pool.slice(0, warmup), mode.inFlight);
  }
  for (let round = 0; round < rounds; round++) {
    for (const contender of rotate(list, round)) {
      for (const mode of round % 2 ? [...modes].reverse() : modes) {
        const result = await pass(contender.verify, pool, mode.inFlight);
        if (result.accepted !== pool.length) {
          const why = result.firstError?.code ?? result.firstError?.message ?? 'unknown';
          throw new BenchError(
            `${contender.name} accepted ${result.accepted} of ${pool.length} valid tokens (${mode.id}); first refusal: ${why}`,
          );
        }
        samples[contender.id][mode.id].push((pool.length / result.ms) * 1000);
      }
    }
    log(`  verification round ${round + 1}/${rounds} done`);
  }

  const results = list.map((c) => ({
    id: c.id,
    name: c.name,
    sequential: Math.round(median(samples[c.id].sequential)),
    concurrent: Math.round(median(samples[c.id].concurrent)),
    samples: samples[c.id],
  }));
  return { tokens: pool.length, rounds, inFlight, results };
}
