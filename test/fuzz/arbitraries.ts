/**
 * fast-check generators for BigCommerce Current Customer tokens: valid ones paired with the exact
 * result the verifier must return, and hostile ones paired with the error codes it may refuse them
 * with. The verifier's fuzz suite uses them directly; suites for layers built on the verifier (the
 * exchange handler) can reuse them and assert the same outcome end to end, for example a 401 whose
 * `code` is one of `HostileToken.codes`.
 *
 * Everything is parameterised by a `FuzzApp` (client ID, secrets, stores, a fixed clock) and assumes
 * the verifier's defaults: 30 s clock tolerance, 900 s maximum token age, the 4096-character cap.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  ALGORITHMS,
  ISSUER,
  MAX_TOKEN_LENGTH,
  OPERATION,
  TOKEN_ERROR_CODES,
  TOKEN_LIFETIME_SECONDS,
  type Algorithm,
  type Customer,
  type TokenErrorCode,
} from '../../src/protocol.js';
import type { VerifiedCustomer, VerifierOptions } from '../../src/server/verify.js';

// ---------------------------------------------------------------------------------------------
// The app whose verifier is under test

export interface FuzzApp {
  clientId: string;
  /** Secrets the verifier accepts (several during a rotation). Tokens are signed with any of them. */
  secrets: readonly string[];
  /** Store hashes the verifier accepts. */
  stores: readonly string[];
  /** The verifier's clock, in seconds since the epoch, fixed so expiry never makes a run flaky. */
  nowSeconds: number;
}

export const FUZZ_APP: FuzzApp = {
  clientId: 'q4gfrw8a1b2c3d4e5f6g7h8i9j0kl',
  secrets: ['fuzz-client-secret-7c3e91d04b'],
  stores: ['abc123', 'k2ll5h3g9p', 'x1'],
  nowSeconds: 1_800_000_000,
};

/** The verifier's default clock tolerance, in seconds. */
export const CLOCK_TOLERANCE = 30;

export function verifierOptionsFor(app: FuzzApp): VerifierOptions {
  return {
    clientId: app.clientId,
    clientSecret: [...app.secrets],
    stores: [...app.stores],
    now: () => app.nowSeconds * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Encoding and signing, for any header and payload at all (jose's signer refuses most hostile ones)

export const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const SEGMENT_NAMES = ['header', 'payload', 'signature'] as const;
const HMAC_HASH: Record<Algorithm, string> = { HS256: 'sha256', HS512: 'sha512' };

/** Base64url without padding; strings are encoded as UTF-8. */
export function base64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** JSON text that `JSON.stringify` cannot write, such as `1e400` (Infinity) or `9007199254740993`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `JSON.stringify`, except that `RawJson` values are written verbatim. */
export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof RawJson ? `\u0000\uffffraw${raws.push(item.text) - 1}` : item,
  );
  return text.replace(/"\\u0000\uffffraw(\d+)"/g, (_match, index: string) => raws[Number(index)]!);
}

/** Signs two already-encoded segments with HMAC: `header.payload.signature`. */
export function signSegments(header: string, payload: string, secret: string, hash: Algorithm = 'HS512'): string {
  const input = `${header}.${payload}`;
  return `${input}.${createHmac(HMAC_HASH[hash], secret).update(input).digest('base64url')}`;
}

export function signJson(header: unknown, claims: unknown, secret: string, hash: Algorithm = 'HS512'): string {
  return signSegments(base64url(toJson(header)), base64url(toJson(claims)), secret, hash);
}

/** Sets an own property, even `__proto__`, the way `JSON.parse` does. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies plain objects and arrays (keeping own `__proto__` keys and `RawJson` values). */
function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(copy, key, copyJson(item));
    return copy as T;
  }
  return value;
}

/** A JSON object as jose accepts one for a header or claims set. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]')
    return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

/** Decodes a segment as jose does (strict base64url, strict UTF-8, JSON); `undefined` when any step fails. */
export function parseSegment(segment: string): unknown {
  if (segment.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Valid tokens

export interface TokenCustomer {
  id: number;
  email: string;
  /** Written to the token as given: BigCommerce sends a string; a number or null must work too. */
  groupId?: string | number | null | undefined;
}

/** The claims of a Current Customer token, shaped and ordered as BigCommerce (and mintCustomerToken) writes them. */
export function currentCustomerClaims(
  app: FuzzApp,
  token: { customer: TokenCustomer; storeHash: string; issuedAt: number; audience?: string | readonly string[] },
): Record<string, unknown> {
  const { customer, storeHash, issuedAt } = token;
  return {
    customer: customerClaim(customer),
    iss: ISSUER,
    sub: storeHash,
    iat: issuedAt,
    exp: issuedAt + TOKEN_LIFETIME_SECONDS,
    version: 1,
    aud: token.audience ?? app.clientId,
    application_id: app.clientId,
    store_hash: storeHash,
    operation: OPERATION,
  };
}

export function customerClaim(customer: TokenCustomer): Record<string, unknown> {
  return {
    id: customer.id,
    email: customer.email,
    ...(customer.groupId === undefined ? {} : { group_id: customer.groupId }),
  };
}

/** The customer as the verifier must return it: the group ID as a string, or null for no group. */
export function normalisedCustomer(customer: TokenCustomer): Customer {
  const { id, email, groupId } = customer;
  return { id, email, groupId: groupId === undefined || groupId === null || groupId === '' ? null : String(groupId) };
}

export interface ValidToken {
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  alg: Algorithm;
  secret: string;
  customer: TokenCustomer;
  storeHash: string;
  issuedAt: number;
  /** Exactly what the verifier must resolve with. */
  expected: VerifiedCustomer;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** One unit of hostile text: any code point, printable graphemes, ASCII, and lone surrogates. */
export const unicodeUnitArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
);

export function unicodeString(constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: unicodeUnitArb, ...constraints });
}

export const customerIdArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

export const emailArb: fc.Arbitrary<string> = fc.oneof(fc.emailAddress(), unicodeString({ maxLength: 48 }));

export const groupIdArb: fc.Arbitrary<string | number | null | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.nat({ max: 100_000 }).map(String),
  unicodeString({ minLength: 1, maxLength: 24 }),
  fc.maxSafeInteger(),
);

export const validCustomerArb: fc.Arbitrary<TokenCustomer> = fc.record({
  id: customerIdArb,
  email: emailArb,
  groupId: groupIdArb,
});

export const algorithmArb: fc.Arbitrary<Algorithm> = fc.constantFrom(...ALGORITHMS);

/**
 * Client secrets: shaped like BigCommerce's, and arbitrary Unicode. Never NUL: HMAC zero-pads
 * short keys, so "k" and "k\0" are the same key and a "different" secret would verify.
 */
export const secretArb: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[0-9a-z]{16,64}$/),
  fc.string({ unit: 'binary', minLength: 16, maxLength: 48 }).filter((secret) => !secret.includes('\0')),
);

/** A secret the app does not accept. */
export function foreignSecretArb(app: FuzzApp): fc.Arbitrary<string> {
  return secretArb.filter((secret) => !app.secrets.includes(secret));
}

/** Numbers at the edges: any double, huge magnitudes, and integers too long for a double. */
export const hugeNumberArb: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 64, -(2 ** 63), 1e21),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => new RawJson(n.toString())),
  fc.constantFrom(new RawJson('1e400'), new RawJson('-1e400'), new RawJson('-0.0')),
);

const jsonValueArb = fc.jsonValue({ maxDepth: 2 });

/** Claims the verifier reads; anything else in a token must be ignored. */
const CHECKED_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'customer',
  'store_hash',
  'operation',
  'application_id',
]);

/** Extra claims a valid token may carry: odd names (`__proto__` too), Unicode, huge numbers. */
export const extraClaimsArb: fc.Arbitrary<Array<[string, unknown]>> = fc.array(
  fc.tuple(
    fc
      .oneof(
        unicodeString({ maxLength: 12 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'jti', 'nonce'),
      )
      .filter((name) => !CHECKED_CLAIMS.has(name)),
    fc.oneof(jsonValueArb, hugeNumberArb, unicodeString({ maxLength: 40 })),
  ),
  { maxLength: 3 },
);

/** `aud` as BigCommerce sends it (the client ID), or a list that contains it. */
export function audienceArb(app: FuzzApp): fc.Arbitrary<string | string[]> {
  const others = fc.array(unicodeString({ maxLength: 12 }), { maxLength: 2 });
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(app.clientId) },
    { weight: 1, arbitrary: fc.tuple(others, others).map(([before, after]) => [...before, app.clientId, ...after]) },
  );
}

/**
 * Tokens the verifier must accept: a random valid customer, any accepted store and secret, either
 * algorithm, an `iat` anywhere in the accepted window, extra claims it must ignore.
 */
export function validTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<ValidToken> {
  return fc
    .record({
      customer: validCustomerArb,
      alg: algorithmArb,
      secret: fc.constantFrom(...app.secrets),
      storeHash: fc.constantFrom(...app.stores),
      issuedAt: fc.integer({ min: app.nowSeconds - TOKEN_LIFETIME_SECONDS, max: app.nowSeconds + CLOCK_TOLERANCE }),
      audience: audienceArb(app),
      typ: fc.constantFrom('JWT', undefined),
      extras: extraClaimsArb,
    })
    .map(({ customer, alg, secret, storeHash, issuedAt, audience, typ, extras }): ValidToken => {
      const header = typ ? { alg, typ } : { alg };
      const claims = currentCustomerClaims(app, { customer, storeHash, issuedAt, audience });
      for (const [name, value] of extras) setOwn(claims, name, value);
      return {
        token: signJson(header, claims, secret, alg),
        header,
        claims,
        alg,
        secret,
        customer,
        storeHash,
        issuedAt,
        expected: {
          customer: normalisedCustomer(customer),
          storeHash,
          applicationId: app.clientId,
          issuedAt,
          expiresAt: issuedAt + TOKEN_LIFETIME_SECONDS,
        },
      };
    })
    .filter((valid) => valid.token.length <= MAX_TOKEN_LENGTH);
}

// ---------------------------------------------------------------------------------------------
// Outcome models

/**
 * Codes a token can earn without an accepted secret. jose checks the signature before it parses
 * the claims, so nothing claim-level (and no claim echoed in a message) is reachable without the key.
 */
export const UNSIGNED_TOKEN_CODES: readonly TokenErrorCode[] = ['malformed', 'algorithm', 'signature'];

/** Codes a correctly signed token whose claims are unknown can earn. */
export const SIGNED_TOKEN_CODES: readonly TokenErrorCode[] = TOKEN_ERROR_CODES.filter((code) => code !== 'too_large');

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What the verifier's first checks (presence, length cap, compact shape) decide; `otherwise` past them. */
export function shapeCodes(token: string, otherwise: readonly TokenErrorCode[]): readonly TokenErrorCode[] {
  if (token === '') return ['malformed'];
  if (token.length > MAX_TOKEN_LENGTH) return ['too_large'];
  if (!COMPACT_JWS.test(token)) return ['malformed'];
  return otherwise;
}

/** The code for a token with this header segment that is not signed with an accepted secret. */
export function unsignedHeaderCodes(headerSegment: string): readonly TokenErrorCode[] {
  const header = parseSegment(headerSegment);
  if (!isPlainObject(header)) return ['malformed'];
  // "crit" and "b64" make jose refuse or continue in several ways; all stay before the signature.
  if (Object.hasOwn(header, 'crit')) return UNSIGNED_TOKEN_CODES;
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') return ['malformed'];
  return (ALGORITHMS as readonly string[]).includes(alg) ? ['signature'] : ['algorithm'];
}

/** The codes for a correctly signed token with this payload segment. */
export function signedPayloadCodes(payloadSegment: string): readonly TokenErrorCode[] {
  return isPlainObject(parseSegment(payloadSegment)) ? SIGNED_TOKEN_CODES : ['malformed'];
}

// ---------------------------------------------------------------------------------------------
// Hostile tokens

export interface HostileToken {
  /** What was done to it, for the counterexample report. */
  family: string;
  token: string;
  /** Every code the verifier may refuse it with: one code wherever the outcome is predictable. */
  codes: readonly TokenErrorCode[];
}

const segmentIndexArb = fc.nat({ max: 2 });

/** One bit of one segment's decoded bytes flipped, re-encoded canonically. */
export function bitFlippedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc.tuple(validTokenArb(app), segmentIndexArb, fc.nat()).map(([valid, index, bit]) => {
    const parts = valid.token.split('.');
    const bytes = Buffer.from(parts[index]!, 'base64url');
    const at = bit % (bytes.length * 8);
    bytes[at >> 3] = bytes[at >> 3]! ^ (1 << (at & 7));
    parts[index] = bytes.toString('base64url');
    return {
      family: `bit ${at} of the ${SEGMENT_NAMES[index]} flipped`,
      token: parts.join('.'),
      codes: index === 0 ? unsignedHeaderCodes(parts[0]!) : ['signature'],
    };
  });
}

const replacementCharArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...BASE64URL_ALPHABET) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\n', '\t', '\0', '%', '"', '\u00ad', '\ufeff', '\u200b'),
  },
  { weight: 2, arbitrary: unicodeUnitArb },
);

/**
 * One character of one segment replaced. A replacement that only changes the unused low bits of a
 * signature's last character decodes to the same signature; `nonCanonicalTokenArb` covers those.
 */
export function charReplacedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc
    .tuple(validTokenArb(app), segmentIndexArb, fc.nat(), replacementCharArb)
    .map(([valid, index, position, replacement]): HostileToken | undefined => {
      const parts = valid.token.split('.');
      const segment = parts[index]!;
      const at = position % segment.length;
      if (segment[at] === replacement) return undefined;
      const mutated = segment.slice(0, at) + replacement + segment.slice(at + 1);
      const inAlphabet = replacement.length === 1 && BASE64URL_ALPHABET.includes(replacement);
      if (index === 2 && inAlphabet && sameBytes(segment, mutated)) return undefined;
      parts[index] = mutated;
      const token = parts.join('.');
      return {
        family: `${SEGMENT_NAMES[index]} character ${at} replaced with ${JSON.stringify(replacement)}`,
        token,
        codes: shapeCodes(token, index === 0 ? unsignedHeaderCodes(mutated) : ['signature']),
      };
    })
    .filter((hostile): hostile is HostileToken => hostile !== undefined);
}

function sameBytes(a: string, b: string): boolean {
  return Buffer.from(a, 'base64url').equals(Buffer.from(b, 'base64url'));
}

/** The three segments reordered or duplicated (`payload.header.signature`, `header.header.signature`, ...). */
export function rearrangedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc
    .tuple(validTokenArb(app), fc.tuple(segmentIndexArb, segmentIndexArb, segmentIndexArb))
    .filter(([, order]) => order.join() !== '0,1,2')
    .map(([valid, order]) => {
      const parts = valid.token.split('.');
      return {
        family: `segments in order ${order.map((i) => SEGMENT_NAMES[i]).join('.')}`,
        token: order.map((i) => parts[i]).join('.'),
        codes: unsignedHeaderCodes(parts[order[0]]!),
      };
    });
}

/** Segments dropped, added (copies, random bytes) or left empty: never three non-empty segments. */
export function wrongSegmentCountTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  const piece = fc.oneof(
    { weight: 4, arbitrary: segmentIndexArb },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map(base64url) },
  );
  return fc
    .tuple(validTokenArb(app), fc.array(piece, { maxLength: 6 }))
    .map(([valid, pieces]) => {
      const parts = valid.token.split('.');
      return pieces.map((piece) => (typeof piece === 'number' ? parts[piece]! : piece));
    })
    .filter((segments) => segments.length !== 3 || segments.includes(''))
    .map((segments) => ({
      family: `${segments.length} segments${segments.includes('') ? ', some empty' : ''}`,
      token: segments.join('.'),
      codes: ['malformed'] as const,
    }));
}

/** A valid token with something around it: whitespace, a BOM, quotes, a `Bearer ` prefix, JSON. */
export function wrappedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  const around = fc.constantFrom(
    '',
    ' ',
    '\n',
    '\t',
    '\r\n',
    '\ufeff',
    '\u200b',
    '\0',
    '"',
    'Bearer ',
    '{"token":"',
    '"}',
    '.',
    '=',
  );
  return fc
    .tuple(validTokenArb(app), around, around)
    .filter(([, before, after]) => before !== '' || after !== '')
    .map(([valid, before, after]) => ({
      family: `wrapped in ${JSON.stringify(before)} and ${JSON.stringify(after)}`,
      token: before + valid.token + after,
      codes: ['malformed'] as const,
    }));
}

const algValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: algorithmArb },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'none',
      'None',
      'NONE',
      'nOnE',
      'HS384',
      'RS256',
      'ES256',
      'PS256',
      'EdDSA',
      'dir',
      'A256KW',
      'hs512',
      'HS512 ',
      ' HS512',
      'HS512\u0000',
      'HS 512',
      'HS5l2',
      '',
    ),
  },
  { weight: 1, arbitrary: unicodeString({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

/** Header objects with hostile fields: odd `alg`s, `crit`, `b64`, key references, extra keys. */
export const hostileHeaderArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        alg: algValueArb,
        typ: fc.oneof(fc.constantFrom('JWT', 'jwt', 'at+jwt', 'JWE'), jsonValueArb),
        kid: fc.oneof(unicodeString({ maxLength: 20 }), jsonValueArb),
        crit: fc.oneof(
          fc.constant(['b64']),
          fc.constant([]),
          fc.array(unicodeString({ maxLength: 8 }), { maxLength: 3 }),
          jsonValueArb,
        ),
        b64: fc.oneof(fc.boolean(), jsonValueArb),
        jku: fc.webUrl(),
        jwk: jsonValueArb,
        enc: fc.constantFrom('A256GCM', 'A128CBC-HS256'),
        zip: fc.constant('DEF'),
      },
      { requiredKeys: ['alg'] },
    ),
    fc.nat({ max: 9 }).map((n) => n > 0),
    fc.nat({ max: 4 }).map((n) => n === 0),
    fc.array(
      fc.tuple(fc.oneof(unicodeString({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor')), jsonValueArb),
      { maxLength: 2 },
    ),
  )
  .map(([fields, keepAlg, keepCrit, extras]) => {
    // Most headers keep "alg" and drop "crit", so most reach the algorithm and signature checks.
    const header: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if ((name !== 'alg' || keepAlg) && (name !== 'crit' || keepCrit)) setOwn(header, name, value);
    }
    for (const [name, value] of extras) setOwn(header, name, value);
    return header;
  });

/** Header text: hostile objects, JSON that is not an object, text that is not JSON. */
export const hostileHeaderTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileHeaderArb.map(toJson) },
  {
    weight: 2,
    arbitrary: fc
      .jsonValue()
      .filter((value) => !isPlainObject(value))
      .map((value) => JSON.stringify(value)),
  },
  { weight: 1, arbitrary: unicodeString({ maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"alg":"HS512","alg":"none"}',
      '{"alg":"none","alg":"HS512"}',
      '{"__proto__":{"alg":"HS512"}}',
      '{"alg":"HS512"',
      '{"alg":"HS512"}garbage',
      '\ufeff{"alg":"HS512"}',
      '{}',
      'null',
      '',
    ),
  },
);

/** A valid token's payload under a hostile header, signed with a secret the app does not accept. */
export function headerForgedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc
    .tuple(validTokenArb(app), hostileHeaderTextArb, foreignSecretArb(app), algorithmArb)
    .map(([valid, headerText, secret, hash]) => {
      const header = base64url(headerText);
      const token = signSegments(header, valid.token.split('.')[1]!, secret, hash);
      return {
        family: `header ${headerText} signed with a foreign secret`,
        token,
        codes: shapeCodes(token, unsignedHeaderCodes(header)),
      };
    });
}

// Claim changes ---------------------------------------------------------------------------------

/** Marks a claim to delete. */
export const REMOVE: unique symbol = Symbol('remove claim');

export type ClaimName =
  | 'aud'
  | 'iss'
  | 'operation'
  | 'sub'
  | 'store_hash'
  | 'store'
  | 'customer'
  | 'customer.id'
  | 'customer.email'
  | 'customer.group_id'
  | 'exp'
  | 'iat'
  | 'nbf';

/** One claim set to a value (`REMOVE` deletes it). `store` sets `sub` and `store_hash` together. */
export interface ClaimChange {
  claim: ClaimName;
  value: unknown;
}

/** Changes that conflict are never combined: they touch the same claim. */
function changeGroup(claim: ClaimName): string {
  return claim === 'sub' || claim === 'store_hash' || claim === 'store' ? 'store' : claim;
}

export function applyClaimChanges(
  claims: Record<string, unknown>,
  changes: readonly ClaimChange[],
): Record<string, unknown> {
  const result = copyJson(claims);
  const set = (target: Record<string, unknown>, name: string, value: unknown) => {
    if (value === REMOVE) delete target[name];
    else setOwn(target, name, value);
  };
  for (const { claim, value } of changes) {
    if (claim === 'store') {
      set(result, 'sub', value);
      set(result, 'store_hash', value);
    } else if (claim.startsWith('customer.')) {
      const customer = result['customer'];
      if (isPlainObject(customer)) set(customer, claim.slice('customer.'.length), value);
    } else {
      set(result, claim, value);
    }
  }
  return result;
}

const parsedValue = (value: unknown): unknown => (value instanceof RawJson ? JSON.parse(value.text) : value);
const isPositiveSafeInteger = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
const isValidGroupId = (value: unknown) =>
  value === undefined ||
  value === null ||
  typeof value === 'string' ||
  (typeof value === 'number' && Number.isSafeInteger(value));

/**
 * The code the verifier must give a correctly signed token whose claims are valid except for this
 * change (`claims` is the set after the change), or `undefined` when the change left it valid.
 * The rules are the documented contract: 30 s tolerance on `exp`, `nbf` and a future `iat`, times
 * that are not finite numbers (`1e400` parses as Infinity) refused as `claims`,
 * tokens older than 900 s (plus tolerance) expired, `sub` equal to an accepted `store_hash`.
 */
export function claimChangeCode(
  change: ClaimChange,
  claims: Record<string, unknown>,
  app: FuzzApp,
): TokenErrorCode | undefined {
  const { claim } = change;
  const removed = change.value === REMOVE;
  const value = removed ? undefined : parsedValue(change.value);
  const now = app.nowSeconds;
  switch (claim) {
    case 'aud':
      if (typeof value === 'string' ? value === app.clientId : Array.isArray(value) && value.includes(app.clientId))
        return undefined;
      return 'audience';
    case 'iss':
      // Even the client ID (as in a Customer Login token) is a wrong issuer; only "operation" names those.
      return value === ISSUER ? undefined : 'issuer';
    case 'operation':
      return value === OPERATION ? undefined : 'operation';
    case 'sub':
      if (removed) return 'claims';
      return value === claims['store_hash'] ? undefined : 'store';
    case 'store_hash':
      if (typeof value !== 'string' || value === '') return 'claims';
      return value === claims['sub'] ? undefined : 'store';
    case 'store':
      if (removed || typeof value !== 'string' || value === '') return 'claims';
      return app.stores.includes(value) ? undefined : 'store';
    case 'customer': {
      if (!isPlainObject(value)) return 'claims';
      const { id, email, group_id: group } = value as Record<string, unknown>;
      return isPositiveSafeInteger(parsedValue(id)) && typeof email === 'string' && isValidGroupId(parsedValue(group))
        ? undefined
        : 'claims';
    }
    case 'customer.id':
      return isPositiveSafeInteger(value) ? undefined : 'claims';
    case 'customer.email':
      return typeof value === 'string' ? undefined : 'claims';
    case 'customer.group_id':
      return isValidGroupId(value) ? undefined : 'claims';
    case 'exp':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'claims';
      return value <= now - CLOCK_TOLERANCE ? 'expired' : undefined;
    case 'iat':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'claims';
      if (now - value - CLOCK_TOLERANCE > TOKEN_LIFETIME_SECONDS) return 'expired';
      return now - value < -CLOCK_TOLERANCE ? 'not_yet_valid' : undefined;
    case 'nbf':
      if (removed) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'claims';
      return value > now + CLOCK_TOLERANCE ? 'not_yet_valid' : undefined;
  }
}

const removedArb = fc.constant(REMOVE);

/** Times around the accepted window and far outside it, plus values that are not numbers at all. */
function timeValueArb(app: FuzzApp): fc.Arbitrary<unknown> {
  const now = app.nowSeconds;
  return fc.oneof(
    fc.integer({ min: now - 3 * TOKEN_LIFETIME_SECONDS, max: now + 3 * TOKEN_LIFETIME_SECONDS }),
    fc.constantFrom(
      now - TOKEN_LIFETIME_SECONDS - CLOCK_TOLERANCE - 1,
      now - TOKEN_LIFETIME_SECONDS - CLOCK_TOLERANCE,
      now - CLOCK_TOLERANCE - 1,
      now - CLOCK_TOLERANCE,
      now + CLOCK_TOLERANCE,
      now + CLOCK_TOLERANCE + 1,
      now + CLOCK_TOLERANCE + 0.5,
      0,
      -1,
    ),
    hugeNumberArb,
    fc.integer({ min: now - 100_000, max: now + 100_000 }).map(String),
    jsonValueArb,
    removedArb,
  );
}

const customerIdValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -1000, max: 0 }),
  hugeNumberArb,
  fc.constantFrom(-0, 0.5, 1.5, 4927.000001, 2 ** 53, 2 ** 53 + 2, -Number.MAX_SAFE_INTEGER),
  customerIdArb.map(String),
  fc.constantFrom('NaN', 'Infinity', '-1', '4927', '0x1F', '１２３', '1e3', ''),
  fc.constantFrom(new RawJson('9007199254740993'), new RawJson('4927.5'), new RawJson('1E400'), new RawJson('-0')),
  unicodeString({ maxLength: 12 }),
  jsonValueArb,
  removedArb,
);

const groupIdValueArb: fc.Arbitrary<unknown> = fc.oneof(
  hugeNumberArb,
  fc.constantFrom(1.5, 2 ** 53, 2 ** 64, -(2 ** 60), true, false, [], {}, ['6']),
  jsonValueArb,
  groupIdArb,
);

const storeValueArb = (app: FuzzApp): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(...app.stores),
    fc.constantFrom(
      'ABC123',
      'abc123 ',
      ' abc123',
      'abc12',
      'abc1234',
      '',
      'abc123\u0000',
      '\u0430bc123',
      'abc123\u200b',
    ),
    unicodeString({ maxLength: 16 }),
    jsonValueArb,
    removedArb,
  );

/** One claim set to a value that is mostly wrong (the model says which ones are not). */
export function claimChangeArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<ClaimChange> {
  const id = app.clientId;
  const change = (claim: ClaimName, value: fc.Arbitrary<unknown>) =>
    value.map((v): ClaimChange => ({ claim, value: v }));
  return fc.oneof(
    change(
      'aud',
      fc.oneof(
        fc.constantFrom(id.toUpperCase(), `${id} `, ` ${id}`, id.slice(0, -1), `${id}\u0000`, [], [`${id} `], [[id]]),
        unicodeString({ maxLength: 30 }),
        fc.array(unicodeString({ maxLength: 12 }), { maxLength: 3 }),
        jsonValueArb,
        removedArb,
      ),
    ),
    change(
      'iss',
      fc.oneof(
        fc.constantFrom(id, 'BC/APPS', 'bc/apps ', 'bc/app', 'bc\\/apps', 'bc/apps\u0000', ['bc/apps'], ''),
        unicodeString({ maxLength: 12 }),
        jsonValueArb,
        removedArb,
      ),
    ),
    change(
      'operation',
      fc.oneof(
        fc.constantFrom(
          'customer_login',
          'CURRENT_CUSTOMER',
          'current_customer ',
          'current-customer',
          'current_cust\u043emer',
          ['current_customer'],
        ),
        unicodeString({ maxLength: 20 }),
        jsonValueArb,
        removedArb,
      ),
    ),
    change('sub', storeValueArb(app)),
    change('store_hash', storeValueArb(app)),
    change('store', storeValueArb(app)),
    change(
      'customer',
      fc.oneof(
        fc.constantFrom(null, 'john', 4927, [], {}, [{ id: 4927, email: 'a@example.com' }]),
        fc.record(
          { id: customerIdValueArb, email: fc.oneof(emailArb, jsonValueArb), group_id: groupIdValueArb },
          { requiredKeys: [] },
        ),
        jsonValueArb,
        removedArb,
      ),
    ),
    change('customer.id', customerIdValueArb),
    change('customer.email', fc.oneof(hugeNumberArb, jsonValueArb, removedArb)),
    change('customer.group_id', groupIdValueArb),
    change('exp', timeValueArb(app)),
    change('iat', timeValueArb(app)),
    change('nbf', timeValueArb(app)),
  );
}

/**
 * Claims changed to wrong values (one, or several different ones) and signed with an accepted
 * secret. A single change earns its exact code; several earn the code of one of them.
 */
export function invalidClaimsTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  const changes = fc.oneof(
    { weight: 3, arbitrary: claimChangeArb(app).map((change) => [change]) },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(claimChangeArb(app), {
          minLength: 2,
          maxLength: 4,
          selector: (change) => changeGroup(change.claim),
        })
        .filter(
          (list) => !(list.some((c) => c.claim === 'customer') && list.some((c) => c.claim.startsWith('customer.'))),
        ),
    },
  );
  return fc
    .tuple(validTokenArb(app), changes)
    .map(([valid, list]): HostileToken | undefined => {
      const claims = applyClaimChanges(valid.claims, list);
      const codes = [...new Set(list.map((change) => claimChangeCode(change, claims, app)))].filter(
        (code): code is TokenErrorCode => code !== undefined,
      );
      if (codes.length === 0) return undefined;
      const token = signJson(valid.header, claims, valid.secret, valid.alg);
      return {
        family: `claims changed (${describeChanges(list)}), correctly signed`,
        token,
        codes: shapeCodes(token, codes),
      };
    })
    .filter((hostile): hostile is HostileToken => hostile !== undefined);
}

function describeChanges(changes: readonly ClaimChange[]): string {
  return changes
    .map(
      ({ claim, value }) =>
        `${claim}: ${value === REMOVE ? 'removed' : value instanceof RawJson ? value.text : fc.stringify(value)}`,
    )
    .join(', ');
}

/**
 * Claims changed, valid or not (another customer, another accepted store, a later expiry), and
 * signed with a foreign secret: always `signature`, whatever the claims say.
 */
export function claimsForgedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  const now = app.nowSeconds;
  const changes = fc.oneof(
    fc.array(claimChangeArb(app), { minLength: 1, maxLength: 3 }),
    validCustomerArb.map((customer): ClaimChange[] => [{ claim: 'customer', value: customerClaim(customer) }]),
    fc.constantFrom(...app.stores).map((store): ClaimChange[] => [{ claim: 'store', value: store }]),
    fc.integer({ min: now, max: now + 10 * 365 * 86_400 }).map((exp): ClaimChange[] => [{ claim: 'exp', value: exp }]),
  );
  return fc.tuple(validTokenArb(app), changes, foreignSecretArb(app)).map(([valid, list, secret]) => {
    const token = signJson(valid.header, applyClaimChanges(valid.claims, list), secret, valid.alg);
    return {
      family: `claims changed (${describeChanges(list)}), signed with a foreign secret`,
      token,
      codes: shapeCodes(token, ['signature']),
    };
  });
}

// Random content ----------------------------------------------------------------------------------

/** Random text: Unicode, control characters, JWT-shaped garbage, and lengths around the cap. */
export const randomTokenStringArb: fc.Arbitrary<HostileToken> = fc
  .oneof(
    unicodeString({ maxLength: 300 }),
    fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    fc.stringMatching(/^[A-Za-z0-9_-]{0,60}(\.[A-Za-z0-9_-]{0,120}){0,4}$/),
    fc
      .array(fc.constantFrom('.', 'e', 'y', 'J', '=', '-', '_', 'A', ' '), { maxLength: 40 })
      .map((chars) => chars.join('')),
    fc
      .tuple(
        fc.integer({ min: MAX_TOKEN_LENGTH - 8, max: MAX_TOKEN_LENGTH + 8 }),
        fc.constantFrom('a', '.', 'a.b.', '\u00e9', '\u{1f600}'),
      )
      .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
  )
  .map((token) => ({ family: 'random text', token, codes: shapeCodes(token, UNSIGNED_TOKEN_CODES) }));

const randomSegmentArb = fc.oneof(
  fc.uint8Array({ maxLength: 128 }).map(base64url),
  fc.json().map(base64url),
  unicodeString({ maxLength: 60 }).map(base64url),
);

/**
 * Random bytes, JSON or text base64url-encoded into some segments of a valid token; or into the
 * payload of a token then correctly signed, which the verifier must still refuse unless it is a
 * JSON object (and then it lacks the claims).
 */
export function randomSegmentsTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  const replaced = fc
    .tuple(validTokenArb(app), fc.option(randomSegmentArb), fc.option(randomSegmentArb), fc.option(randomSegmentArb))
    .filter(([, ...segments]) => segments.some((segment) => segment !== null))
    .map(([valid, ...random]) => {
      const parts = valid.token.split('.').map((part, i) => random[i] ?? part);
      const token = parts.join('.');
      const which = SEGMENT_NAMES.filter((_name, i) => random[i] !== null).join(', ');
      return { family: `random ${which}`, token, codes: shapeCodes(token, unsignedHeaderCodes(parts[0]!)) };
    });
  const signed = fc.tuple(validTokenArb(app), randomSegmentArb).map(([valid, payload]) => {
    const token = signSegments(valid.token.split('.')[0]!, payload, valid.secret, valid.alg);
    return { family: 'random payload, correctly signed', token, codes: shapeCodes(token, signedPayloadCodes(payload)) };
  });
  return fc.oneof(replaced, signed);
}

/** Tokens over the length cap: a padded claim (correctly signed), appended text, a repeated segment. */
export function oversizedTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc
    .tuple(
      validTokenArb(app),
      fc.integer({ min: 1, max: 2 * MAX_TOKEN_LENGTH }),
      fc.constantFrom('claim', 'appended', 'segment'),
    )
    .map(([valid, extra, how]) => {
      const over = MAX_TOKEN_LENGTH - valid.token.length + extra;
      let token: string;
      if (how === 'claim') {
        const claims = copyJson(valid.claims);
        setOwn(claims, 'padding', 'x'.repeat(Math.ceil((over * 3) / 4)));
        token = signJson(valid.header, claims, valid.secret, valid.alg);
      } else if (how === 'appended') {
        token = valid.token + 'A'.repeat(over);
      } else {
        const [header, payload, signature] = valid.token.split('.');
        token = `${header}.${payload}.${signature!.repeat(Math.ceil((over + signature!.length) / signature!.length))}`;
      }
      return {
        family: `over the cap by ${token.length - MAX_TOKEN_LENGTH} (${how})`,
        token,
        codes: ['too_large'] as const,
      };
    });
}

/** Every hostile family above, for suites that want one arbitrary (the exchange handler's). */
export function hostileTokenArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<HostileToken> {
  return fc.oneof(
    bitFlippedTokenArb(app),
    charReplacedTokenArb(app),
    rearrangedTokenArb(app),
    wrongSegmentCountTokenArb(app),
    wrappedTokenArb(app),
    headerForgedTokenArb(app),
    claimsForgedTokenArb(app),
    invalidClaimsTokenArb(app),
    randomTokenStringArb,
    randomSegmentsTokenArb(app),
    oversizedTokenArb(app),
  );
}

/**
 * A valid token with the last character of one segment replaced by another that differs only in
 * the unused low bits, so it decodes to the same bytes (base64url decoders ignore those bits).
 */
export function nonCanonicalTokenArb(
  app: FuzzApp = FUZZ_APP,
): fc.Arbitrary<{ valid: ValidToken; index: number; token: string }> {
  return fc
    .tuple(validTokenArb(app), segmentIndexArb, fc.nat())
    .map(([valid, index, pick]) => {
      const parts = valid.token.split('.');
      const segment = parts[index]!;
      // 2 leftover characters carry 1 byte (4 unused bits), 3 carry 2 bytes (2 unused bits).
      const unusedBits = ({ 2: 4, 3: 2 } as Record<number, number>)[segment.length % 4];
      if (!unusedBits) return undefined;
      const mask = (pick % (2 ** unusedBits - 1)) + 1;
      const last = BASE64URL_ALPHABET.indexOf(segment.at(-1)!);
      parts[index] = segment.slice(0, -1) + BASE64URL_ALPHABET[last ^ mask];
      return { valid, index, token: parts.join('.') };
    })
    .filter((value): value is { valid: ValidToken; index: number; token: string } => value !== undefined);
}

/** Inputs that are not strings, including a valid token's bytes, a String object, a list. */
export function nonStringInputArb(app: FuzzApp = FUZZ_APP): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.anything().filter((value) => typeof value !== 'string'),
    validTokenArb(app).chain(({ token }) =>
      fc.constantFrom<unknown>(
        Buffer.from(token),
        new TextEncoder().encode(token),
        new String(token),
        [token],
        { token },
        { toString: () => token },
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Oracles

/**
 * What of the token or the secrets a text gives away: the whole token, any of its segments longer
 * than 8 characters (short ones occur in ordinary words), any secret. Empty when nothing leaks.
 */
export function findLeaks(text: string, token: string, secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  if (token.length > 8 && text.includes(token)) leaks.push('the token');
  for (const [i, segment] of token.split('.').entries()) {
    if (segment.length > 8 && text.includes(segment)) leaks.push(`segment ${i} (${segment.slice(0, 12)}…)`);
  }
  for (const secret of secrets) if (text.includes(secret)) leaks.push('a client secret');
  return leaks;
}
