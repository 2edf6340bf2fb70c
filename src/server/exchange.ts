/**
 * The exchange endpoint's protocol core, free of any runtime: plain values in (method, origin,
 * content type, body text), plain values out (status, headers, body). The Fetch handler
 * (handler.ts) and the Node listener (node.ts) are thin adapters over it, so every runtime answers
 * byte for byte the same. The response table in docs/design.md ("Exchange responses") is the contract.
 *
 * A request goes through two steps so adapters never read a body they will refuse: `begin` answers
 * everything decidable from the head (origin, method, content type, declared length); only when it
 * says so does the adapter read at most `maxBodyBytes` and call `finish`.
 */
import {
  EXCHANGE_ERRORS,
  HTML_TYPE,
  JSON_TYPE,
  MAX_BODY_BYTES,
  STATUS,
  type ExchangeErrorBody,
  type ExchangeSuccess,
  type TokenErrorCode,
} from '../protocol.js';
import { createOriginCheck, insecureOrigins, PREFLIGHT_HEADERS, type OriginsOption } from './cors.js';
import { isCustomerTokenError } from './errors.js';
import { isHtmlFragment, type HtmlFragment } from './html.js';
import { createVerifier, type VerifiedCustomer, type VerifierOptions } from './verify.js';

/**
 * What `authorize` may return:
 * - `undefined` or `true`: allowed, the 200 JSON response has no `data`;
 * - a plain object or an array: allowed, sent as `data`;
 * - `false`: denied, 403;
 * - `html(...)`: allowed, the fragment is sent as `text/html`;
 * - a `Response`: sent as is, with the CORS and security headers added.
 * Anything else (including `null`) is a programming error and answers 500, failing closed.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an authorize hook typed `() => void` (one that returns nothing) must fit.
export type AuthorizeResult = void | undefined | boolean | HtmlFragment | Response | object;

export type Authorize = (verified: VerifiedCustomer, request: Request) => AuthorizeResult | Promise<AuthorizeResult>;

/** Where an exchange failed. */
export type ExchangePhase = 'origin' | 'verify' | 'authorize';

/** What `onError` learns about a failure. It never holds the request body, so never the token. */
export interface ExchangeErrorContext {
  phase: ExchangePhase;
  /** The status the client was answered with. */
  status: number;
  /** The token error code, for refused tokens (status 401). */
  code?: TokenErrorCode;
  method: string;
  origin: string | null;
}

export type OnExchangeError = (error: unknown, context: ExchangeErrorContext) => void | Promise<void>;

export interface CustomerGateOptions extends VerifierOptions {
  /**
   * Required. The storefront origins allowed to call the endpoint from a browser: exact origins
   * such as `'https://store.example.com'`, or a predicate that returns `true` for allowed ones.
   * Requests with no `Origin` header (server to server) are processed; the token is the credential.
   * A plain-http origin that is not loopback (localhost, 127.0.0.0/8, [::1]) is allowed, with a
   * `console.warn` at start-up: storefronts are served over https.
   */
  origins: OriginsOption;
  /** Decides what a verified customer gets. Default: allowed, with no data. */
  authorize?: Authorize;
  /**
   * Called for refused tokens (401) and server errors (500), for logging and metrics. It never
   * receives the token. By default server errors are written to `console.error`.
   */
  onError?: OnExchangeError;
  /** Largest request body read, in bytes; larger ones get 413. Default 8192. */
  maxBodyBytes?: number;
}

/** The parts of a request the core looks at before the body. Header values as received, or null. */
export interface ExchangeHead {
  method: string;
  origin: string | null;
  contentType: string | null;
  contentLength: string | null;
}

/** Passed to `finish` instead of the text when the body was longer than `maxBodyBytes`. */
export const BODY_TOO_LARGE: unique symbol = Symbol('bc-customer-gate.body-too-large');
/** Passed to `finish` when reading the body failed (the client went away, a broken stream). */
export const BODY_UNREADABLE: unique symbol = Symbol('bc-customer-gate.body-unreadable');
export type ExchangeBody = string | typeof BODY_TOO_LARGE | typeof BODY_UNREADABLE;

/** A response the core built: adapters write it as is. */
export interface PlainResult {
  status: number;
  headers: Record<string, string>;
  /** Empty for 204. */
  body: string;
}

/** A `Response` from `authorize`, with the headers it must be sent with (CORS and security added). */
export interface PassthroughResult {
  response: Response;
  headers: Headers;
}

export type ExchangeResult = PlainResult | PassthroughResult;

export type ExchangeStart =
  | { readBody: false; result: PlainResult }
  | {
      readBody: true;
      /** `getRequest` is called only if `authorize` exists, so adapters can build the Request lazily. */
      finish(body: ExchangeBody, getRequest: () => Request): Promise<ExchangeResult>;
    };

export interface ExchangeCore {
  readonly maxBodyBytes: number;
  begin(head: ExchangeHead): ExchangeStart;
}

export function isPassthrough(result: ExchangeResult): result is PassthroughResult {
  return 'response' in result;
}

const JSON_CONTENT_TYPE = `${JSON_TYPE}; charset=utf-8`;
const HTML_CONTENT_TYPE = `${HTML_TYPE}; charset=utf-8`;
const ACCEPTED_TYPES =
  'text/plain (the token), application/json ({"token": "…"}) or application/x-www-form-urlencoded (token=…)';
// Tokens are ASCII, so any ASCII-compatible charset reads the same; anything else would garble them.
const ASCII_COMPATIBLE = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'windows-1252']);
const SERVER_ERROR_MESSAGE = 'The server could not complete the exchange.';

type BodyFormat = 'text' | 'json' | 'form';

/** The body formats by media type (the Content-Type's essence, lower-cased). */
const BODY_FORMATS: ReadonlyMap<string, BodyFormat> = new Map([
  ['text/plain', 'text'],
  [JSON_TYPE, 'json'],
  ['application/x-www-form-urlencoded', 'form'],
]);

export function createExchangeCore(options: CustomerGateOptions): ExchangeCore {
  if (!options || typeof options !== 'object') {
    throw new TypeError(
      'bc-customer-gate: pass { clientId, clientSecret, stores, origins } to createCustomerGateHandler.',
    );
  }
  const { authorize, onError } = options;
  const originAllowed = createOriginCheck(options.origins);
  const plainHttp = insecureOrigins(options.origins);
  if (plainHttp.length > 0) {
    // Allowed (staging setups exist), but never silently: once, at start-up.
    console.warn(
      `bc-customer-gate: "origins" allows plain http: ${plainHttp.join(', ')}. A storefront page served over http can be ` +
        'altered in transit, and the customer token with it. List the https origins; plain http is for localhost only.',
    );
  }
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new TypeError('bc-customer-gate: "authorize" must be a function (verified, request) => result.');
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError('bc-customer-gate: "onError" must be a function (error, context) => void.');
  }
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('bc-customer-gate: "maxBodyBytes" must be a positive whole number of bytes.');
  }
  const verify = createVerifier(options);

  function report(error: unknown, context: ExchangeErrorContext): void {
    if (!onError) {
      if (context.status >= 500) console.error(`bc-customer-gate: the exchange failed (${context.phase}):`, error);
      return;
    }
    // A broken logger must not turn an answer into a crash.
    try {
      const pending = onError(error, Object.freeze(context));
      if (pending && typeof (pending as Promise<void>).then === 'function')
        (pending as Promise<void>).then(undefined, () => {});
    } catch {
      /* ignored on purpose */
    }
  }

  function serverError(
    error: unknown,
    phase: ExchangePhase,
    head: ExchangeHead,
    allowOrigin: string | null,
  ): PlainResult {
    report(error, { phase, status: STATUS.serverError, method: head.method, origin: head.origin });
    return fail(STATUS.serverError, EXCHANGE_ERRORS.serverError, SERVER_ERROR_MESSAGE, allowOrigin);
  }

  async function finish(
    format: BodyFormat,
    head: ExchangeHead,
    allowOrigin: string | null,
    body: ExchangeBody,
    getRequest: () => Request,
  ): Promise<ExchangeResult> {
    if (body === BODY_TOO_LARGE) return tooLarge(maxBodyBytes, allowOrigin);
    if (body === BODY_UNREADABLE)
      return fail(STATUS.badRequest, EXCHANGE_ERRORS.badRequest, 'The body could not be read.', allowOrigin);
    const token = readToken(format, body);
    if (typeof token !== 'string')
      return fail(STATUS.badRequest, EXCHANGE_ERRORS.badRequest, token.problem, allowOrigin);

    let verified: VerifiedCustomer;
    try {
      verified = await verify(token);
    } catch (error) {
      if (!isCustomerTokenError(error)) return serverError(error, 'verify', head, allowOrigin);
      report(error, {
        phase: 'verify',
        status: STATUS.invalidToken,
        code: error.code,
        method: head.method,
        origin: head.origin,
      });
      return json(
        STATUS.invalidToken,
        { error: EXCHANGE_ERRORS.invalidToken, code: error.code, message: error.message } satisfies ExchangeErrorBody,
        allowOrigin,
      );
    }

    let outcome: AuthorizeResult;
    try {
      outcome = authorize ? await authorize(verified, getRequest()) : undefined;
    } catch (error) {
      return serverError(error, 'authorize', head, allowOrigin);
    }
    try {
      return answer(verified, outcome, allowOrigin);
    } catch (error) {
      return serverError(error, 'authorize', head, allowOrigin);
    }
  }

  return {
    maxBodyBytes,
    begin(head) {
      const { origin, method } = head;
      let allowOrigin: string | null = null;
      if (origin !== null) {
        let allowed: boolean;
        try {
          allowed = originAllowed(origin);
        } catch (error) {
          return { readBody: false, result: serverError(error, 'origin', head, null) };
        }
        // Refused before anything else: no CORS headers, no body read, no token verified.
        if (!allowed) {
          const message = 'This origin is not allowed to call this endpoint.';
          return { readBody: false, result: fail(STATUS.forbidden, EXCHANGE_ERRORS.forbidden, message, null) };
        }
        allowOrigin = origin;
      }
      if (method === 'OPTIONS') return { readBody: false, result: preflight(allowOrigin) };
      if (method !== 'POST') {
        const result = fail(
          STATUS.methodNotAllowed,
          EXCHANGE_ERRORS.methodNotAllowed,
          'Send the token with POST.',
          allowOrigin,
        );
        result.headers['Allow'] = 'POST, OPTIONS';
        return { readBody: false, result };
      }
      const declared = head.contentLength === null ? NaN : Number(head.contentLength.trim());
      if (declared > maxBodyBytes) return { readBody: false, result: tooLarge(maxBodyBytes, allowOrigin) };
      const format = bodyFormat(head.contentType);
      if (!format) {
        const message = `Send the token as ${ACCEPTED_TYPES}, in UTF-8.`;
        return {
          readBody: false,
          result: fail(STATUS.unsupportedMediaType, EXCHANGE_ERRORS.unsupportedMediaType, message, allowOrigin),
        };
      }
      return { readBody: true, finish: (body, getRequest) => finish(format, head, allowOrigin, body, getRequest) };
    },
  };
}

/** Headers every response carries; the CORS allow header only for an allowed Origin. */
function baseHeaders(allowOrigin: string | null, contentType: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    Vary: 'Origin',
    'X-Content-Type-Options': 'nosniff',
  };
  if (contentType) headers['Content-Type'] = contentType;
  if (allowOrigin !== null) headers['Access-Control-Allow-Origin'] = allowOrigin;
  return headers;
}

function json(status: number, body: unknown, allowOrigin: string | null): PlainResult {
  return { status, headers: baseHeaders(allowOrigin, JSON_CONTENT_TYPE), body: JSON.stringify(body) };
}

function fail(
  status: number,
  error: ExchangeErrorBody['error'],
  message: string,
  allowOrigin: string | null,
): PlainResult {
  return json(status, { error, message } satisfies ExchangeErrorBody, allowOrigin);
}

function tooLarge(limit: number, allowOrigin: string | null): PlainResult {
  return fail(
    STATUS.payloadTooLarge,
    EXCHANGE_ERRORS.payloadTooLarge,
    `The body is larger than ${limit} bytes; send only the token.`,
    allowOrigin,
  );
}

function preflight(allowOrigin: string | null): PlainResult {
  const headers = baseHeaders(allowOrigin, null);
  // Without an Origin this is not a CORS preflight; say what the endpoint allows and nothing more.
  if (allowOrigin === null) headers['Allow'] = 'POST, OPTIONS';
  else Object.assign(headers, PREFLIGHT_HEADERS);
  return { status: STATUS.noContent, headers, body: '' };
}

/** Maps a Content-Type header to the body format it announces, or null when unsupported. */
function bodyFormat(contentType: string | null): BodyFormat | null {
  if (!contentType) return null;
  const [essence = '', ...params] = contentType.split(';');
  const type = essence.trim().toLowerCase();
  const format = BODY_FORMATS.get(type);
  if (!format) return null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (!ASCII_COMPATIBLE.has(charset)) return null;
  }
  return format;
}

/** The token from the body, or why there is none. Messages never quote the body. */
function readToken(format: BodyFormat, body: string): string | { problem: string } {
  let token: unknown;
  if (format === 'text') {
    token = body;
  } else if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { problem: 'The body is not valid JSON; send {"token": "<the JWT>"}.' };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { problem: 'The JSON body is not an object; send {"token": "<the JWT>"}.' };
    }
    token = (parsed as Record<string, unknown>)['token'];
    if (typeof token !== 'string') return { problem: 'The JSON body has no "token" string.' };
  } else {
    const values = new URLSearchParams(body).getAll('token');
    if (values.length > 1) return { problem: 'The form body has more than one "token" field.' };
    token = values[0];
    if (typeof token !== 'string') return { problem: 'The form body has no "token" field.' };
  }
  const trimmed = (token as string).trim();
  return trimmed === '' ? { problem: 'No token: send the JWT from /customer/current.jwt as the body.' } : trimmed;
}

function answer(verified: VerifiedCustomer, outcome: AuthorizeResult, allowOrigin: string | null): ExchangeResult {
  if (outcome === undefined || outcome === true) return success(verified, undefined, allowOrigin);
  if (outcome === false) {
    return fail(STATUS.forbidden, EXCHANGE_ERRORS.forbidden, 'This customer may not see this content.', allowOrigin);
  }
  if (isHtmlFragment(outcome)) {
    return { status: STATUS.ok, headers: baseHeaders(allowOrigin, HTML_CONTENT_TYPE), body: outcome.toString() };
  }
  if (typeof Response === 'function' && outcome instanceof Response) {
    if (outcome.status < 200 || outcome.status > 599 || outcome.bodyUsed) {
      throw new TypeError(
        'bc-customer-gate: "authorize" returned a Response that cannot be sent (an error response, or one whose body was already read).',
      );
    }
    return { response: outcome, headers: passthroughHeaders(outcome.headers, allowOrigin) };
  }
  if (Array.isArray(outcome) || isPlainObject(outcome)) return success(verified, outcome, allowOrigin);
  throw new TypeError(
    `bc-customer-gate: "authorize" returned ${describeValue(outcome)}. ` +
      'Return undefined or true (allow), false (deny), a plain object or array (data), html(...) or a Response.',
  );
}

/** Names a value for an error message: `null`, `a string`, `a Date` (its constructor's name). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  return `a ${value.constructor?.name ?? 'object'}`;
}

function success(verified: VerifiedCustomer, data: unknown, allowOrigin: string | null): PlainResult {
  const body: ExchangeSuccess = {
    customer: verified.customer,
    storeHash: verified.storeHash,
    expiresAt: verified.expiresAt,
  };
  if (data !== undefined) body.data = data;
  return json(STATUS.ok, body, allowOrigin);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The headers a passed-through Response is sent with: its own, plus the endpoint's policy. The
 * policy wins: per-customer content must not be cached, and CORS stays exact-origin without
 * credentials whatever the app set.
 */
export function passthroughHeaders(source: Headers, allowOrigin: string | null): Headers {
  const headers = new Headers(source);
  headers.set('Cache-Control', 'no-store');
  headers.set('X-Content-Type-Options', 'nosniff');
  const vary = headers.get('Vary');
  if (!vary) headers.set('Vary', 'Origin');
  else if (!vary.split(',').some((v) => ['origin', '*'].includes(v.trim().toLowerCase())))
    headers.set('Vary', `${vary}, Origin`);
  headers.delete('Access-Control-Allow-Credentials');
  if (allowOrigin !== null) {
    headers.set('Access-Control-Allow-Origin', allowOrigin);
    // A cross-origin script sees only CORS-safelisted response headers; the element honours
    // Retry-After on a 429, so expose it when the app's Response carries one.
    const exposed = headers.get('Access-Control-Expose-Headers');
    if (headers.has('Retry-After') && !/(^|,)\s*(retry-after|\*)\s*(,|$)/i.test(exposed ?? '')) {
      headers.set('Access-Control-Expose-Headers', exposed ? `${exposed}, Retry-After` : 'Retry-After');
    }
  } else headers.delete('Access-Control-Allow-Origin');
  return headers;
}
