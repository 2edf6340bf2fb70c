/**
 * The customer session behind every `<bc-customer-gate>` on a page: fetch the Current Customer token,
 * exchange it with the app's endpoint, re-verify before it expires. No DOM here: everything the
 * browser provides (fetch, clock, timers, page visibility) comes in through `SessionEnvironment`, so
 * tests drive the same code with their own clock and network.
 *
 * Gates with the same token URL, client ID and endpoint share one session: N gates cost one token
 * request and one exchange, and a gate added late receives the result already known.
 */
import {
  CLIENT_ID_PARAM,
  EXCHANGE_CONTENT_TYPE,
  HTML_TYPE,
  MAX_TOKEN_LENGTH,
  TOKEN_LIFETIME_SECONDS,
  type ExchangeSuccess,
  type TokenErrorCode,
} from '../protocol.js';

/** What the session needs from its host. In a browser, `gate.ts` supplies the real ones. */
export interface SessionEnvironment {
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** A number in [0, 1), for backoff jitter. */
  random(): number;
  /** Whether the page is visible now. */
  visible(): boolean;
  /**
   * Calls `callback` on the page's lifecycle events for one session: `visibilitychange`;
   * `pagehide` and `pageshow` when the page goes into or comes out of the back/forward cache;
   * `shopper` when another tab (or session) of this origin saw the shopper `digest`. `tell` says
   * which shopper this session saw; `stop` ends it all.
   */
  watch(callback: (event: PageEvent, digest?: string) => void): { tell(digest: string): void; stop(): void };
}

export type PageEvent = 'visibilitychange' | 'pagehide' | 'pageshow' | 'shopper';

export interface SessionTiming {
  /** Milliseconds each request may take, body included. */
  timeout: number;
  /** Extra attempts after a network error, a timeout, a 429 or a 5xx. */
  retries: number;
  /** First backoff delay in milliseconds; doubles per attempt, with jitter. */
  retryDelay: number;
  /** Longest single wait between attempts; a longer `Retry-After` ends the retries instead. */
  maxRetryDelay: number;
  /** How long before the token's expiry to verify again, in milliseconds. */
  refreshBefore: number;
  /**
   * A page hidden longer than this (milliseconds) may have changed hands: its confirmation is stale,
   * hidden at once on return and verified again.
   */
  staleAfter: number;
}

export interface SessionKey {
  /** Absolute URL of the token route. */
  tokenUrl: string;
  clientId: string;
  /** Absolute URL of the exchange endpoint. */
  endpoint: string;
}

export type SessionOptions = SessionKey & SessionTiming & SessionEnvironment;

export const DEFAULT_TIMING: SessionTiming = {
  timeout: 10_000,
  retries: 2,
  retryDelay: 500,
  maxRetryDelay: 10_000,
  refreshBefore: 60_000,
  staleAfter: 5_000,
};

/** `bc-verified`'s detail when the endpoint answered with an HTML fragment. */
export interface FragmentResponse {
  html: string;
}

export type VerifiedResponse = ExchangeSuccess | FragmentResponse;

/** `bc-denied`'s detail: the status and, when the body said so, why. */
export interface Denial {
  status: number;
  error?: string;
  code?: TokenErrorCode;
}

/** `bc-error`'s detail: which step failed, and how. Never carries the token. */
export class GateError extends Error {
  override readonly name = 'GateError';
  /** When the server asked to be asked again (Retry-After), in milliseconds since the epoch. */
  declare retryAt?: number;
  constructor(
    readonly stage: 'config' | 'token' | 'exchange' | 'render',
    readonly reason: 'config' | 'network' | 'timeout' | 'status' | 'malformed' | 'redirect',
    readonly status?: number,
    cause?: unknown,
  ) {
    super(`${stage} failed: ${reason}${status ? ` ${status}` : ''}`, { cause });
  }
}

/** A state and its event's detail; a pair rather than an object, whose property names would survive minification. */
export type Outcome =
  | readonly [state: 'idle' | 'loading' | 'anonymous', detail: null]
  | readonly [state: 'verified', detail: VerifiedResponse]
  | readonly [state: 'denied', detail: Denial]
  | readonly [state: 'error', detail: GateError];

export type Listener = (outcome: Outcome) => void;

/**
 * `refresh` verifies again now (every gate on the session shows `loading` until it settles); `leave`
 * stops listening (the last subscriber to leave stops the session's requests and timers). A pair
 * rather than an object, whose property names would survive minification.
 */
export type Subscription = readonly [refresh: () => void, leave: () => void];

const sessions = new Map<string, (listener: Listener) => Subscription>();

/** Joins the session for `options`' token URL, client ID and endpoint, creating it if needed. */
export function joinSession(options: SessionOptions, listener: Listener): Subscription {
  const key = `${options.tokenUrl} ${options.clientId} ${options.endpoint}`;
  const join = sessions.get(key) ?? createSession(key, options);
  sessions.set(key, join);
  return join(listener);
}

/** An answer and its body, read in full. A pair rather than an object: its names survive minification. */
type Reply = [response: Response, text: string];

type Stage = 'token' | 'exchange';

export const IDLE: Outcome = ['idle', null];
const LOADING: Outcome = ['loading', null];
export const ANONYMOUS: Outcome = ['anonymous', null];

// A closure rather than a class: its names minify, which matters for the CDN bundle's budget.
function createSession(key: string, options: SessionOptions): (listener: Listener) => Subscription {
  const listeners = new Set<Listener>();
  let outcome: Outcome | undefined;
  /** The check in flight's; stop() aborts it, so a superseded check never reports. */
  let controller: AbortController | undefined;
  let timer: unknown;
  /** When the last answer arrived, and since when the page is hidden (undefined while visible). */
  let checkedAt = 0;
  let hiddenAt: number | undefined;
  /** Which shopper the last token named ('' for none), to compare with what other tabs see. */
  let shopper: string | undefined;
  /** The token's expiry minus `refreshBefore`, in milliseconds; 0 while nothing is confirmed. */
  let due = 0;
  /**
   * No check sends anything before this time, whatever starts it: the server's Retry-After, or the
   * end of the interval after a check that another tab's message started.
   */
  let notBefore = 0;

  const emit = (next: Outcome) => {
    outcome = next;
    for (const listener of [...listeners]) listener(next);
  };

  /** Hidden long enough since the last answer that someone else may be at the keyboard now. */
  const stale = () => hiddenAt !== undefined && options.now() - Math.max(hiddenAt, checkedAt) > options.staleAfter;

  const stop = () => {
    controller?.abort();
    options.clearTimeout(timer);
    due = 0;
  };

  const page = options.watch((event, digest) => {
    if (event === 'visibilitychange') {
      if (!options.visible()) {
        hiddenAt = options.now();
        return;
      }
      const away = stale();
      hiddenAt = undefined;
      if (away) void verify();
      else if (due && options.now() >= due) void verify(true);
    } else if (event === 'pagehide') {
      // Into the back/forward cache: drop the confirmation before the page is frozen, so a restored
      // page never paints it (https://html.spec.whatwg.org/multipage/nav-history-apis.html#pagehide).
      stop();
      emit(IDLE);
    } else if (event === 'pageshow') {
      // Restored from the cache: ask again.
      void verify();
    } else if (shopper !== undefined && digest !== shopper && outcome !== LOADING) {
      // Another tab saw a different shopper (or none): ask again. Any number of messages (another
      // script of this origin can post them too) cost at most one check per 5 s interval: the
      // next check, whatever starts it, waits for the interval's end.
      void verify();
      notBefore = Math.max(notBefore, options.now() + 5000);
    }
  });

  const close = () => {
    stop();
    page.stop();
    if (sessions.get(key) === join) sessions.delete(key);
  };

  /**
   * A check hides the content and shows `loading` meanwhile; a `quiet` one, a background
   * re-verification, keeps it. Nothing is sent before `notBefore`.
   */
  const verify = async (quiet?: boolean) => {
    if (!quiet) {
      if (outcome === LOADING) return; // join the check in flight
      emit(LOADING);
    }
    stop();
    controller = new AbortController();
    const { signal } = controller;
    let next: Outcome;
    let seen: string | undefined;
    try {
      const wait = notBefore - options.now();
      if (wait > 0) await sleep(options, wait, signal);
      next = await exchange(options, signal, (digest) => {
        seen = digest;
      });
    } catch (error) {
      next = ['error', error as GateError];
      notBefore = Math.max(notBefore, next[1].retryAt ?? 0);
    }
    if (signal.aborted) return;
    checkedAt = options.now();
    if (next[0] === 'verified') {
      // Verify again shortly before the token expires while the page is visible; a hidden page
      // waits for its return. Without `expiresAt` (an HTML answer), the token's 15 minutes count
      // from now.
      const expiresAt = (next[1] as ExchangeSuccess).expiresAt;
      due =
        (Number.isFinite(expiresAt) ? expiresAt * 1000 : options.now() + TOKEN_LIFETIME_SECONDS * 1000) -
        options.refreshBefore;
      // At least a second between checks, so a skewed clock cannot spin.
      timer = options.setTimeout(
        () => {
          if (options.visible()) void verify(true);
        },
        Math.max(due - options.now(), 1000),
      );
    }
    emit(next);
    // Only news is told: two tabs that keep seeing different shoppers (say, different token routes)
    // ask each other once, not forever.
    if (seen !== undefined && seen !== shopper) {
      shopper = seen;
      page.tell(seen);
    }
  };

  const join = (listener: Listener): Subscription => {
    listeners.add(listener);
    // A confirmation from before the page was hidden for long is not reused: ask again.
    if (outcome === LOADING || (outcome && outcome !== IDLE && !stale())) listener(outcome);
    else void verify();
    return [
      () => {
        if (listeners.has(listener)) void verify();
      },
      () => {
        listeners.delete(listener);
        // A gate moved within the page leaves and joins again in the same task: keep the session
        // until the microtask queue drains so the move costs no requests.
        queueMicrotask(() => {
          if (!listeners.size) close();
        });
      },
    ];
  };
  return join;
}

/** The token, then the exchange; `saw` hears which shopper the token names ('' for none). */
async function exchange(options: SessionOptions, signal: AbortSignal, saw: (digest: string) => void): Promise<Outcome> {
  const url = new URL(options.tokenUrl);
  url.searchParams.set(CLIENT_ID_PARAM, options.clientId);
  for (let renewed = false; ; renewed = true) {
    // The Current Customer token. BigCommerce answers 404 when no customer is signed in.
    const [{ status: found }, body] = await request(options, signal, 'token', url.href, {
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Accept: 'text/plain' },
    });
    if (found === 404) {
      saw('');
      return ANONYMOUS;
    }
    if (found !== 200) throw new GateError('token', 'status', found);
    // The raw token, or a JSON body with a `token` field (some apps wrap it).
    const raw = body.trim();
    const token = raw.startsWith('{') ? (parseJson(raw) as { token?: unknown } | undefined)?.token : raw;
    if (typeof token !== 'string' || !token || token.length > MAX_TOKEN_LENGTH || /\s/.test(token)) {
      throw new GateError('token', 'malformed', 200);
    }
    // Who the token names, to tell the page's other tabs. Decoding an unverified payload is safe
    // here: the digest only decides whether to ask the server again, never what to show.
    let digest = '?';
    try {
      const { sub, customer } = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
      digest = `${sub}/${customer.id}`;
    } catch {
      // A payload this cannot read stays '?'.
    }
    saw(digest);
    // https://fetch.spec.whatwg.org/#cors-safelisted-request-header: a text/plain POST with no
    // custom headers is a simple request, so there is no preflight. The token is the credential,
    // so no cookies travel. A redirect is not followed: the token goes to the endpoint and nowhere else.
    const [response, text] = await request(options, signal, 'exchange', options.endpoint, {
      method: 'POST',
      body: token,
      credentials: 'omit',
      redirect: 'manual',
      headers: { 'Content-Type': EXCHANGE_CONTENT_TYPE },
    });
    const { status } = response;
    if (status === 200 && response.headers.get('Content-Type')?.toLowerCase().startsWith(HTML_TYPE)) {
      return ['verified', { html: text }];
    }
    // Status 0: the opaque answer to a redirect that was not followed.
    if (status !== 200 && status !== 401 && status !== 403) {
      throw new GateError('exchange', status ? 'status' : 'redirect', status);
    }
    const answer = parseJson(text) as (Partial<ExchangeSuccess> & { error?: unknown; code?: unknown }) | undefined;
    if (status === 200) {
      if (typeof answer?.customer !== 'object' || !answer.customer) throw new GateError('exchange', 'malformed', 200);
      return ['verified', answer as ExchangeSuccess];
    }
    const code = typeof answer?.code === 'string' ? (answer.code as TokenErrorCode) : undefined;
    // An expired token (a tab left open, a slow clock) earns exactly one fresh token.
    if (code === 'expired' && !renewed) continue;
    const detail: Denial = {
      status,
      ...(typeof answer?.error === 'string' && { error: answer.error }),
      ...(code && { code }),
    };
    return ['denied', detail];
  }
}

/**
 * One request with bounded retries: exponential backoff with jitter, honouring Retry-After. Each
 * attempt is aborted after `timeout` ms (body included) or when the check is superseded.
 */
async function request(
  options: SessionOptions,
  signal: AbortSignal,
  stage: Stage,
  url: string,
  init: RequestInit,
): Promise<Reply> {
  for (let attempt = 0; ; attempt++) {
    let failure: GateError;
    /** A 429 or 5xx answer's Retry-After. */
    let header: string | null = null;
    const controller = new AbortController();
    const abort = () => controller.abort();
    const deadline = options.setTimeout(abort, options.timeout);
    signal.addEventListener('abort', abort);
    try {
      const response = await options.fetch(url, { ...init, signal: controller.signal });
      const reply: Reply = [response, await response.text()];
      const { status } = response;
      if (status !== 429 && status < 500) return reply;
      failure = new GateError(stage, 'status', status);
      header = response.headers.get('Retry-After');
    } catch (error) {
      if (signal.aborted) throw error;
      // Not superseded, so an aborted attempt is one that ran out of time.
      failure = new GateError(stage, controller.signal.aborted ? 'timeout' : 'network', undefined, error);
    } finally {
      options.clearTimeout(deadline);
      signal.removeEventListener('abort', abort);
    }
    const now = options.now();
    // https://httpwg.org/specs/rfc9110.html#field.retry-after: delay-seconds or an HTTP-date; 0 without one.
    const wait =
      (header && Math.max(0, /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now)) || 0;
    const delay = Math.max(
      Math.min(options.maxRetryDelay, options.retryDelay * 2 ** attempt) * (0.5 + options.random() / 2),
      wait,
    );
    if (attempt >= options.retries || delay > options.maxRetryDelay) {
      // The session holds every later check until then, whatever starts it.
      if (wait) failure.retryAt = now + wait;
      throw failure;
    }
    await sleep(options, delay, signal);
  }
}

/** Resolves after `ms` on the session's clock; rejects when `signal` aborts. */
function sleep(options: SessionOptions, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cancel = () => {
      options.clearTimeout(wake);
      reject(signal.reason);
    };
    const wake = options.setTimeout(() => {
      signal.removeEventListener('abort', cancel);
      resolve();
    }, ms);
    signal.addEventListener('abort', cancel);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
