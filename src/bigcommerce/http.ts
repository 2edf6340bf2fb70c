/**
 * One JSON request to a BigCommerce API, bounded in time and in retries: 429 waits out the quota's
 * reset, 5xx and dropped connections are retried a few times, and everything stops at the deadline.
 * No header value (the access token) ever reaches an error message or an event.
 */
import { StoreApiError, type StoreApiErrorCode } from './errors.js';

/** Something that happened on the way to an answer, for logs and metrics. Never holds a token. */
export type StoreApiEvent =
  | {
      type: 'request';
      /** `GET` or `POST`. */
      method: string;
      /** Path and query, e.g. `/stores/abc123/v2/orders?customer_id=7&...`. */
      path: string;
      /** The HTTP status, or `undefined` when no answer came (timeout, abort, connection failure). */
      status: number | undefined;
      /** Milliseconds from sending to the end of the body (or the failure). */
      durationMs: number;
      /** 1 for the first attempt, 2 and up for retries. */
      attempt: number;
      /** `X-Rate-Limit-Requests-Left`, when the answer had it. */
      requestsLeft?: number;
    }
  | {
      type: 'cache';
      /** `hit`: answered from the cache; `miss`: fetched; `shared`: joined an identical call in flight. */
      outcome: 'hit' | 'miss' | 'shared';
      /** The cache key (store, customer, channel, limit; never a token). */
      key: string;
    }
  | {
      type: 'cache-error';
      /** What the cache threw; the answer is then fetched (on `get`) or not stored (on `set`). */
      error: unknown;
    };

/** The time budget and plumbing one public call shares across all its requests. */
export interface CallContext {
  fetch: typeof globalThis.fetch;
  /** `Date.now()` value by which everything must be done. */
  deadline: number;
  /** The caller's `timeoutMs`, for messages. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
  onEvent: ((event: StoreApiEvent) => void) | undefined;
}

/** One request. */
export interface JsonRequest {
  url: URL;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** What the request is, for messages: `"Orders v2"`. */
  what: string;
  /** Retries after a 5xx or a failed connection. Default 2. Only for requests safe to repeat. */
  retries?: number;
  /** Maps a refused answer (4xx other than 429) to an error, before the generic mapping. */
  refused?: (status: number) => StoreApiError | undefined;
  /** Describes a 401 / 403 for this request. */
  unauthorized?: string;
  forbidden?: string;
}

/** A successful answer: the parsed JSON, or `undefined` for 204 No Content. */
export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** At most this many 429s are waited out per request, however short their reset. */
const MAX_RATE_LIMIT_WAITS = 3;
/** How long to wait after a 429 without `X-Rate-Limit-Time-Reset-Ms` or `Retry-After`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
const BACKOFF_MS = 200;

/** Sends `request` until it succeeds, fails for good, or the deadline passes. */
export async function requestJson(ctx: CallContext, request: JsonRequest): Promise<JsonAnswer> {
  const retries = request.retries ?? 2;
  let failures = 0;
  let rateLimited = 0;
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(ctx, request, attempt);
    if ('answer' in outcome) return outcome.answer;
    const { error, waitMs, kind } = outcome;
    if (kind === 'rate_limit') {
      rateLimited += 1;
      if (rateLimited > MAX_RATE_LIMIT_WAITS) throw error;
    } else if (kind === 'retry') {
      failures += 1;
      if (failures > retries) throw error;
    } else {
      throw error;
    }
    if (Date.now() + waitMs >= ctx.deadline) {
      if (kind !== 'rate_limit') throw error;
      throw new StoreApiError(
        'rate_limited',
        `${request.what}: the store's API quota is spent and resets in ${waitMs} ms, after the time limit ` +
          `(timeoutMs ${ctx.timeoutMs}). Cache answers (the "cache" option) so fewer calls reach the API.`,
        { status: 429 },
      );
    }
    await sleep(waitMs, ctx);
  }
}

type Attempt =
  | { answer: JsonAnswer }
  | { error: StoreApiError; kind: 'final' | 'retry' | 'rate_limit'; waitMs: number };

async function attemptOnce(ctx: CallContext, request: JsonRequest, attempt: number): Promise<Attempt> {
  const started = Date.now();
  const path = request.url.pathname + request.url.search;
  let status: number | undefined;
  let requestsLeft: number | undefined;
  const report = () =>
    ctx.onEvent?.({
      type: 'request',
      method: request.method ?? 'GET',
      path,
      status,
      durationMs: Date.now() - started,
      attempt,
      ...(requestsLeft !== undefined && { requestsLeft }),
    });
  try {
    const { response, text } = await withDeadline(ctx, request.what, (signal) =>
      ctx
        .fetch(request.url, {
          method: request.method ?? 'GET',
          headers: request.headers,
          ...(request.body !== undefined && { body: request.body }),
          // Never follow a redirect (it could carry the token elsewhere); a 3xx is then a bad answer.
          // Not `redirect: 'error'`, which Cloudflare Workers' fetch does not implement.
          redirect: 'manual',
          signal,
        })
        .then(async (response) => ({ response, text: await response.text() })),
    );
    status = response.status;
    const left = Number(response.headers.get('x-rate-limit-requests-left'));
    if (response.headers.has('x-rate-limit-requests-left') && Number.isFinite(left)) requestsLeft = left;
    report();
    return classify(request, response, text, attempt);
  } catch (error) {
    report();
    if (error instanceof StoreApiError) {
      return { error, kind: error.code === 'network' ? 'retry' : 'final', waitMs: backoff(attempt) };
    }
    throw error;
  }
}

function classify(request: JsonRequest, response: Response, text: string, attempt: number): Attempt {
  const { status } = response;
  const fail = (code: StoreApiErrorCode, message: string, kind: 'final' | 'retry' | 'rate_limit' = 'final') => ({
    error: new StoreApiError(code, `${request.what}: ${message}`, { status }),
    kind,
    waitMs: kind === 'rate_limit' ? rateLimitWait(response.headers) : backoff(attempt),
  });
  if (status === 204) return { answer: { status, body: undefined } };
  if (status >= 200 && status < 300) {
    if (text.trim() === '') return { answer: { status, body: undefined } };
    try {
      return { answer: { status, body: JSON.parse(text) } };
    } catch {
      const type = response.headers.get('content-type') ?? 'none';
      return fail('bad_response', `answered ${status} with a body that is not JSON (Content-Type: ${type}).`);
    }
  }
  if (status === 429) return fail('rate_limited', "the store's API quota is spent (429).", 'rate_limit');
  if (status >= 500) return fail('server_error', `BigCommerce answered ${status} (attempt ${attempt}).`, 'retry');
  const refused = request.refused?.(status);
  if (refused) return { error: refused, kind: 'final', waitMs: 0 };
  if (status === 401) return fail('unauthorized', request.unauthorized ?? 'the credentials were refused (401).');
  if (status === 403)
    return fail('forbidden', request.forbidden ?? 'the credentials lack a scope this call needs (403).');
  if (status === 404) return fail('not_found', 'not found (404): check the store hash and the API URL.');
  return fail('bad_response', `unexpected status ${status}.`);
}

/** `X-Rate-Limit-Time-Reset-Ms`, else `Retry-After` (seconds), else a default. */
function rateLimitWait(headers: Headers): number {
  const reset = Number(headers.get('x-rate-limit-time-reset-ms'));
  if (headers.has('x-rate-limit-time-reset-ms') && Number.isFinite(reset) && reset >= 0) return Math.ceil(reset);
  const after = Number(headers.get('retry-after'));
  if (headers.has('retry-after') && Number.isFinite(after) && after >= 0) return Math.ceil(after * 1000);
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function backoff(attempt: number): number {
  return BACKOFF_MS * 2 ** (attempt - 1);
}

/**
 * Runs `work` with a signal that aborts at the deadline or when the caller's signal does, and turns
 * the abort or a connection failure into a {@link StoreApiError}. The timer is always cleared.
 */
export async function withDeadline<T>(
  ctx: CallContext,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  throwIfAborted(ctx);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      controller.abort();
    },
    Math.max(0, ctx.deadline - Date.now()),
  );
  const onAbort = () => controller.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal);
  } catch (error) {
    if (ctx.signal?.aborted) throw abortedError(what);
    if (timedOut) throw timeoutError(ctx, what);
    throw new StoreApiError('network', `${what}: the connection failed (${describe(error)}).`, { cause: error });
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

/** A fetch failure's own description: its cause's code when there is one ("ECONNREFUSED"). */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}

function abortedError(what: string): StoreApiError {
  return new StoreApiError('aborted', `${what}: aborted by the caller's signal.`);
}

function timeoutError(ctx: CallContext, what: string): StoreApiError {
  return new StoreApiError(
    'timeout',
    `${what}: no complete answer within the time limit (timeoutMs ${ctx.timeoutMs}). ` +
      "BigCommerce's API is slow or unreachable from this server.",
  );
}

function throwIfAborted(ctx: CallContext): void {
  if (ctx.signal?.aborted) throw abortedError('request');
  if (Date.now() >= ctx.deadline) throw timeoutError(ctx, 'request');
}

/** Waits `ms`, unless the caller aborts first. */
function sleep(ms: number, ctx: CallContext): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal?.aborted) return reject(abortedError('waiting to retry'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError('waiting to retry'));
    };
    const timer = setTimeout(() => {
      ctx.signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
