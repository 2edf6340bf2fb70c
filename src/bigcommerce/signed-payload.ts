/**
 * The load, uninstall and remove-user callbacks' `signed_payload_jwt`: an HS256 JWT that BigCommerce
 * signs with the app's client secret. https://developer.bigcommerce.com/docs/integrations/apps/guide/callbacks
 */
import { readAppCredentials } from '../credentials.js';
import { decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { SignedPayloadError } from './errors.js';
import { readUser, type StoreUser } from './oauth.js';

/** The only algorithm BigCommerce documents for callbacks. */
const ALGORITHM = 'HS256';
/** A callback payload's `iss`. */
const ISSUER = 'bc';
/** A Current Customer token's `iss`: such a token must never pass for a callback. */
const CUSTOMER_TOKEN_ISSUER = 'bc/apps';
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SUBJECT = /^stores\/([A-Za-z0-9_-]{1,64})$/;
const encoder = new TextEncoder();

/** Options of {@link verifySignedPayload}. */
export interface SignedPayloadOptions {
  /** The app's client ID: the payload's `aud`. */
  clientId: string;
  /** The app's client secret, or several while rotating (any one may have signed). */
  clientSecret: string | readonly string[];
  /** Seconds of clock skew tolerated on `exp`, `iat` and `nbf`. Default 30. */
  clockTolerance?: number;
  /** Longest payload accepted, in characters, checked before any parsing. Default 8192. */
  maxLength?: number;
  /** Current time in milliseconds. For tests; default `Date.now`. */
  now?: () => number;
}

/** A verified callback: which store, who acted, and where. */
export interface SignedPayload {
  /** From `sub`, `stores/{hash}`. */
  storeHash: string;
  /** Who loaded the app, uninstalled it, or was removed. */
  user: StoreUser;
  /** The store owner. */
  owner: StoreUser;
  /** The path the control panel asked the app to show (load callback), when given. */
  url?: string;
  /** The channel the app was opened for, when given. */
  channelId?: number;
  /** The payload's `jti`, to refuse a replay, when given. */
  jwtId?: string;
  /** `iat` and `exp`, seconds since the Unix epoch. */
  issuedAt: number;
  expiresAt: number;
}

/**
 * Verifies a callback's `signed_payload_jwt` and returns its store and users. Throws a
 * {@link SignedPayloadError} for anything else: a wrong secret, another app's `aud`, an `iss` other
 * than `"bc"`, an expired or future token, a missing or malformed `sub` or user, an algorithm other
 * than HS256, and a Current Customer token (code `customer_token`).
 */
export async function verifySignedPayload(
  signedPayloadJwt: string,
  options: SignedPayloadOptions,
): Promise<SignedPayload> {
  const { clientId, secrets, clockTolerance, maxLength, now } = readOptions(options);
  if (typeof signedPayloadJwt !== 'string' || signedPayloadJwt === '') {
    throw new SignedPayloadError('malformed', 'No payload: pass the callback\'s "signed_payload_jwt" query parameter.');
  }
  if (signedPayloadJwt.length > maxLength) {
    throw new SignedPayloadError(
      'too_large',
      `Payload is longer than ${maxLength} characters; callbacks are far shorter.`,
    );
  }
  if (!COMPACT_JWS.test(signedPayloadJwt)) {
    throw new SignedPayloadError(
      'malformed',
      'Payload is not a compact JWT (three base64url parts separated by dots).',
    );
  }
  let payload: JWTPayload | undefined;
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      ({ payload } = await jwtVerify(signedPayloadJwt, encoder.encode(secret), {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: clientId,
        requiredClaims: ['exp', 'iat', 'sub'],
        clockTolerance,
        currentDate: new Date(now()),
      }));
      break;
    } catch (error) {
      lastError = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (!payload) throw translate(lastError, signedPayloadJwt);
  // jose checks `iat` only against a maximum age; a payload issued in the future is refused here.
  if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + clockTolerance) {
    throw new SignedPayloadError('not_yet_valid', 'Payload\'s "iat" is in the future; check the server\'s clock.');
  }
  return readClaims(payload);
}

function readOptions(options: SignedPayloadOptions) {
  if (!options || typeof options !== 'object') {
    throw new TypeError('bc-customer-gate: pass { clientId, clientSecret } to verifySignedPayload.');
  }
  const { clientId, clientSecret } = options;
  const { secrets } = readAppCredentials(clientId, clientSecret);
  const number = (value: number | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new TypeError(`bc-customer-gate: "${name}" must be a non-negative number.`);
    return value;
  };
  return {
    clientId,
    secrets: secrets as string[],
    clockTolerance: number(options.clockTolerance, 30, 'clockTolerance'),
    maxLength: number(options.maxLength, 8192, 'maxLength'),
    now: options.now ?? Date.now,
  };
}

function claimsError(message: string): SignedPayloadError {
  return new SignedPayloadError('claims', message);
}

function readClaims(payload: JWTPayload): SignedPayload {
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    if (payload[claim] !== undefined && !Number.isFinite(payload[claim]))
      throw claimsError(`Payload's "${claim}" claim is not a finite number of seconds.`);
  }
  const storeHash = typeof payload.sub === 'string' ? SUBJECT.exec(payload.sub)?.[1] : undefined;
  if (!storeHash) throw claimsError('Payload\'s "sub" is not "stores/{store_hash}".');
  const user = readUser(payload['user']);
  if (!user) throw claimsError('Payload has no "user" with a numeric "id" and an "email".');
  const owner = readUser(payload['owner']);
  if (!owner) throw claimsError('Payload has no "owner" with a numeric "id" and an "email".');
  const { url, channel_id: channelId } = payload as Record<string, unknown>;
  if (url !== undefined && typeof url !== 'string') throw claimsError('Payload\'s "url" is not a string.');
  if (
    channelId !== undefined &&
    channelId !== null &&
    (typeof channelId !== 'number' || !Number.isSafeInteger(channelId))
  )
    throw claimsError('Payload\'s "channel_id" is not an integer.');
  return {
    storeHash,
    user,
    owner,
    ...(typeof url === 'string' && { url }),
    ...(typeof channelId === 'number' && { channelId }),
    ...(typeof payload.jti === 'string' && { jwtId: payload.jti }),
    issuedAt: payload.iat!,
    expiresAt: payload.exp!,
  };
}

/** The unverified `iss`, only to name a Current Customer token in the error; never trusted otherwise. */
function unverifiedIssuer(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

const CUSTOMER_TOKEN =
  'This is a Current Customer token (iss "bc/apps", from /customer/current.jwt), not a callback\'s ' +
  'signed_payload_jwt: verify it with the customer verifier instead.';

/** Maps jose's errors onto the stable codes; no `cause`, since jose's errors carry the claims. */
function translate(error: unknown, token: string): unknown {
  const fail = (code: ConstructorParameters<typeof SignedPayloadError>[0], message: string) =>
    new SignedPayloadError(code, message);
  if (error instanceof errors.JOSEError && unverifiedIssuer(token) === CUSTOMER_TOKEN_ISSUER) {
    return fail('customer_token', CUSTOMER_TOKEN);
  }
  if (error instanceof errors.JWTExpired) return fail('expired', 'Payload expired ("exp" has passed).');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    if (claim === 'iss') return fail('issuer', `Payload's "iss" is not "${ISSUER}": it is not a BigCommerce callback.`);
    if (claim === 'aud')
      return fail('audience', 'Payload\'s "aud" is not this app\'s client ID: the callback is for another app.');
    if ((claim === 'iat' || claim === 'nbf') && reason === 'check_failed')
      return fail('not_yet_valid', `Payload's "${claim}" is in the future; check the server's clock.`);
    return fail('claims', `Payload's "${claim}" claim is ${reason === 'missing' ? 'missing' : 'invalid'}.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return fail(
      'algorithm',
      `Payload is not signed with ${ALGORITHM}, the only algorithm BigCommerce uses for callbacks.`,
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return fail('signature', 'Signature does not match: check that "clientSecret" is the secret of this app.');
  }
  if (error instanceof errors.JOSEError) {
    return fail('malformed', 'Payload is not a valid JWT: its header or payload is not a JSON object.');
  }
  return error;
}
