/**
 * The wire protocol between `<bc-customer-gate>` (browser) and the exchange endpoint (server).
 *
 * Both halves import this module and nothing else from each other, so it must stay free of any
 * runtime API: plain constants and types only. The "Wire protocol" section of docs/design.md is the
 * prose version of this file; change them together.
 */

/** Stencil's Current Customer route, relative to the storefront's origin. */
export const DEFAULT_TOKEN_URL = '/customer/current.jwt';

/** Query parameter naming the app on the token request. */
export const CLIENT_ID_PARAM = 'app_client_id';

/**
 * The exchange body's content type. `text/plain` keeps the POST a CORS "simple request"
 * (https://fetch.spec.whatwg.org/#cors-safelisted-request-header), so the browser sends no preflight.
 */
export const EXCHANGE_CONTENT_TYPE = 'text/plain;charset=UTF-8';

/** Every BigCommerce customer token lasts 15 minutes (`exp - iat`). */
export const TOKEN_LIFETIME_SECONDS = 900;

/**
 * Longest token either half accepts, in characters. Real tokens are about 500; the cap is checked
 * before any parsing so an attacker cannot make the server decode megabytes.
 */
export const MAX_TOKEN_LENGTH = 4096;

/** Largest exchange request body the handler reads before answering 413. */
export const MAX_BODY_BYTES = 8192;

/** The only signature algorithms BigCommerce uses (HS512 in practice, HS256 in the docs' example). */
export const ALGORITHMS = ['HS256', 'HS512'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Fixed claims of a Current Customer token. */
export const ISSUER = 'bc/apps';
export const OPERATION = 'current_customer';

/**
 * Stable codes for why a token was refused. They appear in `CustomerTokenError.code` on the server
 * and in the `code` field of a 401 body, so the element can tell `expired` (fetch a fresh token and
 * retry once) from everything else (deny).
 */
export const TOKEN_ERROR_CODES = [
  'malformed',
  'too_large',
  'algorithm',
  'signature',
  'expired',
  'not_yet_valid',
  'audience',
  'issuer',
  'operation',
  'store',
  'claims',
] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** The customer as both halves see it, normalised from the token's `customer` claim. */
export interface Customer {
  /** BigCommerce customer ID, a positive integer. */
  id: number;
  email: string;
  /** Customer group ID as a string, or `null` for customers in no group. */
  groupId: string | null;
}

/** Body of a `200 application/json` exchange response. */
export interface ExchangeSuccess<Data = unknown> {
  customer: Customer;
  storeHash: string;
  /** When the verified token expires, in seconds since the Unix epoch (the token's `exp`). */
  expiresAt: number;
  /** Whatever the app's `authorize` hook returned for this customer. */
  data?: Data;
}

/** `error` values of non-200 exchange responses. */
export const EXCHANGE_ERRORS = {
  invalidToken: 'invalid_token',
  forbidden: 'forbidden',
  badRequest: 'bad_request',
  methodNotAllowed: 'method_not_allowed',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  serverError: 'server_error',
} as const;
export type ExchangeErrorName = (typeof EXCHANGE_ERRORS)[keyof typeof EXCHANGE_ERRORS];

/** Body of a non-200 exchange response. `code` is present only with `invalid_token`. */
export interface ExchangeErrorBody {
  error: ExchangeErrorName;
  code?: TokenErrorCode;
  message?: string;
}

/** Status codes of the exchange endpoint (docs/design.md, "Exchange responses"). */
export const STATUS = {
  ok: 200,
  noContent: 204,
  badRequest: 400,
  invalidToken: 401,
  forbidden: 403,
  methodNotAllowed: 405,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  serverError: 500,
} as const;

/** What the element shows, reflected as its `state` attribute. */
export const GATE_STATES = ['idle', 'loading', 'verified', 'anonymous', 'denied', 'error'] as const;
export type GateState = (typeof GATE_STATES)[number];

/** Events the element dispatches (bubbling, composed). */
export const GATE_EVENTS = {
  verified: 'bc-verified',
  anonymous: 'bc-anonymous',
  denied: 'bc-denied',
  error: 'bc-error',
} as const;

/** Media types the exchange endpoint answers 200 with. */
export const JSON_TYPE = 'application/json';
export const HTML_TYPE = 'text/html';
