/**
 * Errors of the store-side helpers. Like the verifier's `CustomerTokenError`: one class per concern,
 * a stable `code` to branch on, a `message` that says what to fix, and never a token, a secret or an
 * authorization code in either.
 */

/** Why a call to the store's API (or to BigCommerce's OAuth endpoint) failed. */
export const STORE_API_ERROR_CODES = [
  /** The options are wrong (store hash, customer ID, limit, URLs...): fix the call. */
  'invalid_options',
  /** The access-token lookup threw or returned no token. */
  'access_token',
  /** 401: the access token is wrong, revoked, or belongs to another store. */
  'unauthorized',
  /** 403: the token lacks a scope; the message names it. */
  'forbidden',
  /** 404: no such store (or resource) at this API URL. */
  'not_found',
  /** 429: the store's quota is spent and it does not reset within the time limit. */
  'rate_limited',
  /** 5xx after the bounded retries. */
  'server_error',
  /** No complete answer within `timeoutMs`. */
  'timeout',
  /** The caller's `signal` aborted. */
  'aborted',
  /** The connection failed (DNS, refused, reset) after the bounded retries. */
  'network',
  /** An answer that is not what the API documents: not JSON, a wrong shape, an unexpected status. */
  'bad_response',
  /** BigCommerce's OAuth endpoint refused the authorization code (used, expired, or credentials wrong). */
  'code_refused',
] as const;
/** One of {@link STORE_API_ERROR_CODES}. */
export type StoreApiErrorCode = (typeof STORE_API_ERROR_CODES)[number];

/**
 * The one error `recentlyPurchased` and `exchangeAuthCode` reject with. `status` is the HTTP status
 * BigCommerce answered, when there was one.
 */
export class StoreApiError extends Error {
  override readonly name = 'StoreApiError';
  /** Stable; safe to branch on. */
  readonly code: StoreApiErrorCode;
  /** The HTTP status of the answer that caused it, if any. */
  readonly status: number | undefined;

  constructor(code: StoreApiErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status;
  }
}

/** Type guard for {@link StoreApiError}. */
export function isStoreApiError(value: unknown): value is StoreApiError {
  return value instanceof StoreApiError;
}

/** Why a callback's `signed_payload_jwt` was refused. */
export const SIGNED_PAYLOAD_ERROR_CODES = [
  /** Not a compact JWS, or not JSON inside. */
  'malformed',
  /** Longer than the length cap, refused before parsing. */
  'too_large',
  /** Not HS256, the only algorithm BigCommerce signs callbacks with. */
  'algorithm',
  /** Signed with another secret (or altered). */
  'signature',
  /** `exp` has passed. */
  'expired',
  /** `iat` or `nbf` is in the future. */
  'not_yet_valid',
  /** `aud` is not this app's client ID. */
  'audience',
  /** `iss` is not `"bc"`. */
  'issuer',
  /** A Current Customer token (`iss` `"bc/apps"`), which must never pass as a callback. */
  'customer_token',
  /** A required claim is missing or malformed (`sub`, `user`, `owner`...). */
  'claims',
] as const;
/** One of {@link SIGNED_PAYLOAD_ERROR_CODES}. */
export type SignedPayloadErrorCode = (typeof SIGNED_PAYLOAD_ERROR_CODES)[number];

/** The one error `verifySignedPayload` throws. Never contains the payload or the client secret. */
export class SignedPayloadError extends Error {
  override readonly name = 'SignedPayloadError';
  /** Stable; safe to branch on. */
  readonly code: SignedPayloadErrorCode;

  constructor(code: SignedPayloadErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Type guard for {@link SignedPayloadError}. */
export function isSignedPayloadError(value: unknown): value is SignedPayloadError {
  return value instanceof SignedPayloadError;
}
