import { errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { readAppCredentials } from '../credentials.js';
import {
  ALGORITHMS,
  ISSUER,
  MAX_TOKEN_LENGTH,
  OPERATION,
  TOKEN_LIFETIME_SECONDS,
  type Algorithm,
  type Customer,
  type TokenErrorCode,
} from '../protocol.js';
import { CustomerTokenError, quoteTokenValue } from './errors.js';

/** Which stores the app serves: one hash, a list, or a (sync or async) predicate. */
export type StoresOption = string | readonly string[] | ((storeHash: string) => boolean | Promise<boolean>);

export interface VerifierOptions {
  /** The app's client ID: the token's `aud`. */
  clientId: string;
  /**
   * The app's client secret, or several during a rotation (any one of them may have signed).
   * Keep it in an environment variable or a secret store, never in source.
   */
  clientSecret: string | readonly string[];
  /**
   * Required. One client secret signs tokens for every store that uses the app, so a token from
   * store A verifies for store B unless the store is checked. A token is accepted only when its
   * `store_hash` (which must equal `sub`) passes this check.
   */
  stores: StoresOption;
  /** Seconds of clock skew tolerated on `exp` and `iat`. Default 30. */
  clockTolerance?: number;
  /** Oldest token accepted, in seconds since `iat`. Default 900, BigCommerce's token lifetime. */
  maxTokenAge?: number;
  /** Longest token accepted, in characters, checked before any parsing. Default 4096. */
  maxTokenLength?: number;
  /** Signature algorithms accepted; a subset of `HS256` and `HS512`. Default both. */
  algorithms?: readonly Algorithm[];
  /** Current time in milliseconds since the epoch. For tests; default `Date.now`. */
  now?: () => number;
}

/** A verified token, normalised. Times are seconds since the Unix epoch. */
export interface VerifiedCustomer {
  customer: Customer;
  storeHash: string;
  applicationId: string;
  issuedAt: number;
  expiresAt: number;
}

export type CustomerVerifier = (token: string) => Promise<VerifiedCustomer>;

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const HASH = { HS256: 'SHA-256', HS512: 'SHA-512' } as const;
const encoder = new TextEncoder();
const CUSTOMER_LOGIN =
  'This is a Customer Login token (operation "customer_login", signed by your app to sign a shopper in), ' +
  'not a Current Customer token from /customer/current.jwt.';

/**
 * Builds a verifier for BigCommerce Current Customer tokens. Validates the options at once (a
 * misconfiguration throws a `TypeError` at start-up, not on the first shopper) and imports each
 * secret as a non-extractable `CryptoKey` once, so each verification only computes one HMAC.
 *
 * Reads its options once: the lists are copied, and changing the options object afterwards
 * changes nothing. To rotate a secret or drop a store, build a new verifier (or use
 * `verifyCustomerToken`, which reads them on every call). A `stores` function is called on every
 * verification, so it may consult live installations.
 */
export function createVerifier(options: VerifierOptions): CustomerVerifier {
  const config = readOptions(options);
  const keys = importKeys(config.secrets, config.algorithms);
  // Keep an unhandled rejection from escaping before the first call; the first call rethrows it.
  keys.catch(() => {});

  const joseOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: ISSUER,
    audience: config.clientId,
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: config.clockTolerance,
    maxTokenAge: config.maxTokenAge,
  };

  return async function verifyCustomer(token: string): Promise<VerifiedCustomer> {
    checkShape(token, config.maxTokenLength);
    const keyring = await keys;
    const verifyOptions = config.now ? { ...joseOptions, currentDate: new Date(config.now()) } : joseOptions;

    let payload: JWTPayload | undefined;
    let lastError: unknown;
    for (const byAlg of keyring) {
      try {
        ({ payload } = await jwtVerify(token, (header) => byAlg[header.alg as Algorithm]!, verifyOptions));
        break;
      } catch (error) {
        lastError = error;
        // Only a signature mismatch means "try the next rotated secret"; anything else is final.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    if (!payload) throw translate(lastError);
    checkCanonicalSignature(token);

    const verified = readClaims(payload);
    if (!(await config.acceptsStore(verified.storeHash))) {
      throw new CustomerTokenError(
        'store',
        `Token is for store ${quoteTokenValue(verified.storeHash)}, which the "stores" option does not accept. ` +
          'Add the store hash to "stores" if this app serves that store.',
      );
    }
    return verified;
  };
}

interface CachedVerifier {
  /** The option values the verifier was built from, lists copied. */
  snapshot: VerifierOptions;
  verify: CustomerVerifier;
}

const verifierCache = new WeakMap<VerifierOptions, CachedVerifier>();
const OPTION_NAMES = [
  'clientId',
  'clientSecret',
  'stores',
  'clockTolerance',
  'maxTokenAge',
  'maxTokenLength',
  'algorithms',
  'now',
] as const;

/**
 * Verifies one token against `options` as they are at this call. Options are read on every call:
 * a secret or a store removed from the options object (in place or by replacing the list) is
 * refused from the next call on. The imported keys are reused while the options object and its
 * values stay the same; build one with `createVerifier` when the options are assembled per call.
 */
export function verifyCustomerToken(token: string, options: VerifierOptions): Promise<VerifiedCustomer> {
  if (!options || typeof options !== 'object') return createVerifier(options)(token);
  const snapshot = snapshotOptions(options);
  let cached = verifierCache.get(options);
  if (!cached || !sameOptions(cached.snapshot, snapshot)) {
    cached = { snapshot, verify: createVerifier(snapshot) };
    verifierCache.set(options, cached);
  }
  return cached.verify(token);
}

/** The options' current values, with every list copied so later changes to it cannot reach in. */
function snapshotOptions(options: VerifierOptions): VerifierOptions {
  const copy: Record<string, unknown> = {};
  for (const name of OPTION_NAMES) {
    const value: unknown = options[name];
    if (value !== undefined) copy[name] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }
  return copy as unknown as VerifierOptions;
}

function sameOptions(a: VerifierOptions, b: VerifierOptions): boolean {
  return OPTION_NAMES.every((name) => {
    const x: unknown = a[name];
    const y: unknown = b[name];
    if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((item, i) => item === y[i]);
    return x === y;
  });
}

interface Config {
  clientId: string;
  secrets: string[];
  algorithms: readonly Algorithm[];
  clockTolerance: number;
  maxTokenAge: number;
  maxTokenLength: number;
  now: (() => number) | undefined;
  acceptsStore: (storeHash: string) => boolean | Promise<boolean>;
}

function readOptions(options: VerifierOptions): Config {
  if (!options || typeof options !== 'object') {
    throw new TypeError('bc-customer-gate: pass { clientId, clientSecret, stores } to the verifier.');
  }
  const { clientId, clientSecret, stores } = options;
  const { secrets } = readAppCredentials(clientId, clientSecret);
  const algorithms: Algorithm[] =
    options.algorithms === undefined
      ? [...ALGORITHMS]
      : Array.isArray(options.algorithms)
        ? [...options.algorithms]
        : [];
  if (algorithms.length === 0 || algorithms.some((a) => !ALGORITHMS.includes(a))) {
    throw new TypeError(`bc-customer-gate: "algorithms" may only contain ${ALGORITHMS.join(' and ')}.`);
  }
  return {
    clientId,
    secrets,
    algorithms,
    clockTolerance: nonNegative(options.clockTolerance, 30, 'clockTolerance'),
    maxTokenAge: nonNegative(options.maxTokenAge, TOKEN_LIFETIME_SECONDS, 'maxTokenAge'),
    maxTokenLength: nonNegative(options.maxTokenLength, MAX_TOKEN_LENGTH, 'maxTokenLength'),
    now: options.now,
    acceptsStore: storeCheck(stores),
  };
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`bc-customer-gate: "${name}" must be a non-negative number of seconds or characters.`);
  }
  return value;
}

function storeCheck(stores: StoresOption | undefined): Config['acceptsStore'] {
  if (typeof stores === 'function') return stores;
  const list = typeof stores === 'string' ? [stores] : Array.isArray(stores) ? [...stores] : undefined;
  if (!list || list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError(
      'bc-customer-gate: "stores" is required: the store hash this app serves, a list of them, or a ' +
        'function (storeHash) => boolean. Without it a token from any store using your app would be accepted.',
    );
  }
  const allowed = new Set(list);
  return (storeHash) => allowed.has(storeHash);
}

type Keyring = Array<Partial<Record<Algorithm, CryptoKey>>>;

async function importKeys(secrets: string[], algorithms: readonly Algorithm[]): Promise<Keyring> {
  return Promise.all(
    secrets.map(async (secret) => {
      const byAlg: Partial<Record<Algorithm, CryptoKey>> = {};
      for (const alg of algorithms) {
        byAlg[alg] = await crypto.subtle.importKey(
          'raw',
          encoder.encode(secret),
          { name: 'HMAC', hash: HASH[alg] },
          false,
          ['verify'],
        );
      }
      return byAlg;
    }),
  );
}

function checkShape(token: unknown, maxLength: number): asserts token is string {
  if (typeof token !== 'string' || token === '') {
    throw new CustomerTokenError('malformed', 'No token: pass the JWT from /customer/current.jwt as a string.');
  }
  if (token.length > maxLength) {
    throw new CustomerTokenError(
      'too_large',
      `Token is longer than ${maxLength} characters; BigCommerce tokens are far shorter.`,
    );
  }
  if (!COMPACT_JWS.test(token)) {
    const parts = token.split('.').length;
    throw new CustomerTokenError(
      'malformed',
      parts === 5
        ? 'Token has five parts, like an encrypted JWE; Current Customer tokens are signed JWTs with three.'
        : /^\s|\s$/.test(token)
          ? 'Token has surrounding whitespace; trim it before verifying.'
          : 'Token is not a compact JWT (three base64url parts separated by dots).',
    );
  }
}

/**
 * Base64url decoders ignore a final character's unused low bits, so up to 16 spellings of one
 * signature verify. Accept only the canonical one, so the token string itself is unforgeable (it
 * may key a replay cache or a denylist). Checked after jose, so garbage is reported as malformed.
 * https://www.rfc-editor.org/rfc/rfc4648#section-3.5: canonical encodings set pad bits to zero.
 */
function checkCanonicalSignature(token: string): void {
  const tail = (token.length - token.lastIndexOf('.') - 1) % 4; // 2 or 3 characters in the last group
  const bits = BASE64URL.indexOf(token[token.length - 1]!);
  if (tail !== 0 && (bits & (tail === 2 ? 0b1111 : 0b11)) !== 0) {
    throw new CustomerTokenError(
      'signature',
      'Signature does not match: it is not canonical base64url, so the token was altered.',
    );
  }
}

/**
 * A JSON number too large for a double (`1e999`) parses as ±Infinity. jose compares it like any
 * number, so an infinite `exp` would pass and then serialise as `null`; refuse it as a bad claim.
 */
function nonFiniteTime(payload: JWTPayload): string | undefined {
  return (['exp', 'iat', 'nbf'] as const).find(
    (claim) => typeof payload[claim] === 'number' && !Number.isFinite(payload[claim]),
  );
}

function nonFiniteTimeError(claim: string): CustomerTokenError {
  return new CustomerTokenError('claims', `Token's "${claim}" claim is not a finite number of seconds.`);
}

function readClaims(payload: JWTPayload): VerifiedCustomer {
  const infinite = nonFiniteTime(payload);
  if (infinite) throw nonFiniteTimeError(infinite);
  if (payload['operation'] !== OPERATION) {
    throw new CustomerTokenError(
      'operation',
      payload['operation'] === 'customer_login' ? CUSTOMER_LOGIN : `Token's "operation" is not "${OPERATION}".`,
    );
  }
  const storeHash = payload['store_hash'];
  if (typeof storeHash !== 'string' || storeHash === '') {
    throw new CustomerTokenError('claims', 'Token has no "store_hash" claim.');
  }
  if (payload.sub !== storeHash) {
    throw new CustomerTokenError('store', 'Token\'s "sub" does not equal its "store_hash".');
  }
  const customer = payload['customer'];
  if (!customer || typeof customer !== 'object' || Array.isArray(customer)) {
    throw new CustomerTokenError('claims', 'Token has no "customer" object.');
  }
  const { id, email, group_id: group } = customer as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new CustomerTokenError('claims', 'Token\'s "customer.id" is not a positive integer.');
  }
  if (typeof email !== 'string') {
    throw new CustomerTokenError('claims', 'Token\'s "customer.email" is not a string.');
  }
  let groupId: string | null;
  if (group === undefined || group === null || group === '') groupId = null;
  else if (typeof group === 'string') groupId = group;
  else if (typeof group === 'number' && Number.isSafeInteger(group)) groupId = String(group);
  else throw new CustomerTokenError('claims', 'Token\'s "customer.group_id" is neither a string nor an integer.');

  const applicationId = payload['application_id'];
  return {
    customer: { id, email, groupId },
    storeHash,
    applicationId: typeof applicationId === 'string' ? applicationId : String(payload.aud),
    issuedAt: payload.iat!,
    expiresAt: payload.exp!,
  };
}

/** Maps jose's errors onto the stable codes; anything unrecognised is rethrown untouched. */
function translate(error: unknown): unknown {
  // No `cause`: jose's errors carry the decoded, unverified claims (emails), which would then end up
  // in whatever logs the error. The code and message say everything a caller needs.
  const fail = (code: TokenErrorCode, message: string) => new CustomerTokenError(code, message);
  // Both claim errors come after the signature check, so their payload is the signed one.
  if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) {
    const infinite = nonFiniteTime(error.payload);
    if (infinite) return nonFiniteTimeError(infinite);
  }
  if (error instanceof errors.JWTExpired) {
    return fail(
      'expired',
      `Token expired (${error.claim === 'iat' ? 'older than the maximum token age' : '"exp" has passed'}); fetch a fresh one.`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    // Customer Login tokens (the other direction: the app signs them) are a common mix-up; name one
    // only when its operation says so. Another token whose "iss" is the client ID is just a wrong issuer.
    if (payload['operation'] === 'customer_login') {
      return fail('operation', CUSTOMER_LOGIN);
    }
    if (claim === 'iss') {
      return fail(
        'issuer',
        `Token's "iss" is not "${ISSUER}"; it was not issued by BigCommerce's Current Customer endpoint.`,
      );
    }
    if (claim === 'aud') {
      return fail(
        'audience',
        'Token\'s "aud" is not this app\'s client ID: the token was requested with another app_client_id.',
      );
    }
    if ((claim === 'iat' || claim === 'nbf') && reason === 'check_failed') {
      return fail('not_yet_valid', `Token's "${claim}" is in the future; check the server's clock.`);
    }
    if (claim === 'sub') return fail('claims', 'Token has no "sub" claim.');
    return fail('claims', `Token's "${claim}" claim is ${reason === 'missing' ? 'missing' : 'invalid'}.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return fail('algorithm', `Token is not signed with ${ALGORITHMS.join(' or ')}; BigCommerce signs with HMAC only.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return fail(
      'signature',
      'Signature does not match: check that "clientSecret" is the secret of the app whose client ID requested the token.',
    );
  }
  if (error instanceof errors.JOSENotSupported) {
    return fail('malformed', 'Token header uses an unsupported feature (such as "crit" or "b64").');
  }
  if (error instanceof errors.JOSEError) {
    return fail('malformed', 'Token is not a valid JWT: its header or payload is not a JSON object.');
  }
  return error;
}
