/**
 * Runs a Fetch handler in Node: `http.createServer(toNodeListener(handler))`, or mounted in Express
 * or Connect (`app.all('/customer-gate', toNodeListener(handler))`).
 *
 * For this package's own handlers it takes a fast path that builds no Fetch objects: the body is
 * read straight from the IncomingMessage (the size limit enforced while streaming) and the answer
 * written straight to the ServerResponse. Constructing a Request and a Response per call costs a
 * bare Node endpoint about three quarters of its throughput. Any other Fetch handler goes through a
 * generic conversion.
 */
// Type-only Node imports (Buffer is Node's global): this module must load on Workers too, since
// the package's server entry re-exports it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  BODY_TOO_LARGE,
  BODY_UNREADABLE,
  isPassthrough,
  type ExchangeBody,
  type ExchangeCore,
  type PlainResult,
} from './exchange.js';
import { coreOf } from './handler.js';

export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** A `node:http` request listener that also fits Express and Connect (`next` receives failures). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** Unread request bodies up to this size are discarded to keep the connection; larger ones close it. */
const DRAIN_LIMIT = 64 * 1024;
/** Lingering close: how long, and how much, to keep discarding after answering before cutting. */
const LINGER_IDLE_MS = 250;
const LINGER_MAX_MS = 2000;
const LINGER_MAX_BYTES = 1024 * 1024;

export function toNodeListener(handler: FetchHandler): NodeListener {
  if (typeof handler !== 'function') {
    throw new TypeError('bc-customer-gate: toNodeListener(handler) takes a function (request) => Response.');
  }
  const core = coreOf(handler);
  if (core) {
    return (req, res, next) => {
      exchange(core, req, res).catch((error) => failed(error, res, next));
    };
  }
  return (req, res, next) => {
    serveFetch(handler, req, res).catch((error) => failed(error, res, next));
  };
}

// ---- fast path: this package's own handlers ------------------------------------------------

async function exchange(core: ExchangeCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = req.headers;
  const start = core.begin({
    method: req.method ?? '',
    origin: headerValue(headers.origin),
    contentType: headerValue(headers['content-type']),
    contentLength: headerValue(headers['content-length']),
  });
  if (!start.readBody) {
    writePlain(req, res, start.result, unreadBodyIsLarge(req, core.maxBodyBytes));
    return;
  }
  const body = await readBody(req, core.maxBodyBytes);
  const result = await start.finish(body, () => lazyRequest(req));
  if (isPassthrough(result)) {
    const { response } = result;
    await writeResponse(req, res, response.status, response.statusText, result.headers, response.body, false);
  } else {
    // Over the limit, the rest of the body is still coming: close rather than drain it.
    writePlain(req, res, result, body === BODY_TOO_LARGE && req.httpVersionMajor === 1);
  }
}

function writePlain(req: IncomingMessage, res: ServerResponse, result: PlainResult, close: boolean): void {
  const { headers, body } = result;
  if (body !== '') headers['Content-Length'] = String(Buffer.byteLength(body));
  if (close) {
    headers['Connection'] = 'close';
    lingerOnClose(req);
  }
  res.writeHead(result.status, headers);
  res.end(body === '' ? undefined : body);
}

/**
 * Reads the body as text, at most `limit` bytes: once past it, stops reading (the connection is
 * then closed after the 413) instead of buffering or draining the rest.
 */
function readBody(req: IncomingMessage, limit: number): ExchangeBody | Promise<ExchangeBody> {
  if (bodyAlreadyRead(req)) return parsedBody(req, limit);
  return new Promise((resolve) => {
    const decoder = new TextDecoder();
    let text = '';
    let size = 0;
    const settle = (value: ExchangeBody) => {
      req.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onFailure);
      resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        req.pause();
        settle(BODY_TOO_LARGE);
      } else {
        text += decoder.decode(bytes, { stream: true });
      }
    };
    const onEnd = () => settle(text + decoder.decode());
    // 'close' before 'end': the client went away mid-body.
    const onFailure = () => settle(BODY_UNREADABLE);
    req.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onFailure);
    req.resume(); // a listener alone does not restart a stream something paused explicitly
  });
}

/**
 * A body parser ran first (Express's `express.text()`, `json()`, `urlencoded()`, `raw()`): the
 * stream is spent and the body is on `req.body`. Turn it back into the text the core expects.
 */
function bodyAlreadyRead(req: IncomingMessage): boolean {
  return req.readableEnded || (req as { _body?: unknown })._body === true || (req.complete && !req.readable);
}

function parsedBody(req: IncomingMessage, limit: number): ExchangeBody {
  const value = (req as { body?: unknown }).body;
  let text = '';
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array)
    text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  else if (value && typeof value === 'object') {
    const type = (headerValue(req.headers['content-type']) ?? '').split(';')[0]!.trim().toLowerCase();
    text =
      type === 'application/x-www-form-urlencoded'
        ? new URLSearchParams(
            Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
          ).toString()
        : JSON.stringify(value);
  }
  return Buffer.byteLength(text) > limit ? BODY_TOO_LARGE : text;
}

/**
 * The Request handed to `authorize` on the fast path, built from the IncomingMessage only when a
 * property is first read, so an `authorize` that ignores it costs nothing. Its body is not
 * included: the token was already read from it, as on the Fetch path.
 */
function lazyRequest(req: IncomingMessage): Request {
  let real: Request | undefined;
  const materialise = () => (real ??= toRequest(req, null));
  return new Proxy(Object.create(Request.prototype) as Request, {
    get(_target, property) {
      const request = materialise();
      const value: unknown = Reflect.get(request, property, request);
      return typeof value === 'function' ? value.bind(request) : value;
    },
    has(_target, property) {
      return property in materialise();
    },
  });
}

// ---- generic path: any Fetch handler -------------------------------------------------------

async function serveFetch(handler: FetchHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let stream: TrackedBody | undefined;
  let body: BodyInit | null = null;
  if (hasBody) {
    if (bodyAlreadyRead(req)) {
      const parsed = parsedBody(req, Number.MAX_SAFE_INTEGER);
      body = typeof parsed === 'string' ? parsed : null;
    } else {
      stream = trackedBody(req);
      body = stream.stream;
    }
  }
  const response = await handler(toRequest(req, body, stream === undefined && hasBody));
  if (!(response instanceof Response)) {
    throw new TypeError('bc-customer-gate: the handler passed to toNodeListener did not return a Response.');
  }
  // A handler that answered without reading the body (or gave up on it) will not read the rest.
  const abandoned =
    stream !== undefined && (stream.state.cancelled || !stream.state.started) && unreadBodyIsLarge(req, DRAIN_LIMIT);
  await writeResponse(req, res, response.status, response.statusText, response.headers, response.body, abandoned);
}

interface TrackedBody {
  stream: ReadableStream<Uint8Array>;
  state: { started: boolean; cancelled: boolean };
}

/**
 * The IncomingMessage as a ReadableStream that reads only on demand. Cancelling it pauses the
 * request rather than destroying it: destroying would reset the socket before the answer is sent.
 */
function trackedBody(req: IncomingMessage): TrackedBody {
  const state = { started: false, cancelled: false };
  let done = false;
  let onData: (chunk: Buffer | string) => void = () => {};
  let onEnd: () => void = () => {};
  let onFailure: (error?: unknown) => void = () => {};
  const detach = () => {
    done = true;
    req.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onFailure);
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!state.started) {
          state.started = true;
          onData = (chunk) => {
            if (done) return;
            controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
            req.pause();
          };
          onEnd = () => {
            if (done) return;
            detach();
            controller.close();
          };
          onFailure = (error) => {
            if (done) return;
            detach();
            controller.error(
              error instanceof Error ? error : new Error('The request body ended before it was complete.'),
            );
          };
          req.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onFailure);
        }
        req.resume();
      },
      cancel() {
        state.cancelled = true;
        detach();
        req.pause();
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

// ---- shared ---------------------------------------------------------------------------------

function toRequest(req: IncomingMessage, body: BodyInit | null, replacedBody = false): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers
    // A body re-serialised from req.body no longer matches the original length or framing.
    if (replacedBody && /^(content-length|transfer-encoding)$/i.test(name)) continue;
    try {
      headers.append(name, raw[i + 1]!);
    } catch {
      /* a header the Fetch API refuses: leave it out */
    }
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (body !== null && method !== 'GET' && method !== 'HEAD') {
    init.body = body;
    init.duplex = 'half';
  }
  return new Request(requestUrl(req), init);
}

function requestUrl(req: IncomingMessage): string {
  // Express rewrites req.url under a mount path; originalUrl is what the client asked for.
  const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const scheme = (req.socket as TLSSocket | null)?.encrypted ? 'https' : 'http';
  const host = headerValue(req.headers.host) ?? headerValue(req.headers[':authority']) ?? 'localhost';
  try {
    return (target.startsWith('/') ? new URL(`${scheme}://${host}${target}`) : new URL(target)).href;
  } catch {
    return `${scheme}://localhost/`;
  }
}

/**
 * Closes a `Connection: close` socket gently while the client may still be sending the body we
 * refused. Node destroys such a socket as soon as the response is flushed; with request bytes
 * still arriving that sends a reset, and many clients then report the reset instead of reading the
 * 413 already in their buffer. So, like nginx's lingering close: send FIN after the response, keep
 * discarding for a moment (bounded in time and bytes, and cut short when the client goes quiet),
 * then destroy.
 */
function lingerOnClose(req: IncomingMessage): void {
  const socket = req.socket;
  if (!socket || req.httpVersionMajor !== 1 || req.readableEnded) return;
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    if (this.destroyed) return;
    this.end();
    let discarded = 0;
    const cut = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
      req.off('data', onData).off('end', cut);
      this.destroy();
    };
    let idle = setTimeout(cut, LINGER_IDLE_MS);
    const deadline = setTimeout(cut, LINGER_MAX_MS);
    const onData = (chunk: Buffer | string) => {
      discarded += chunk.length;
      if (discarded > LINGER_MAX_BYTES) return cut();
      clearTimeout(idle);
      idle = setTimeout(cut, LINGER_IDLE_MS);
    };
    this.once('close', () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    });
    req.on('data', onData).on('end', cut);
    req.resume();
  };
}

/** Whether the request still has a body coming that is too large (or of unknown size) to drain. */
function unreadBodyIsLarge(req: IncomingMessage, drainLimit: number): boolean {
  if (req.httpVersionMajor !== 1 || req.readableEnded) return false;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = headerValue(req.headers['content-length']);
  return length !== null && !(Number(length) <= drainLimit);
}

async function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  statusText: string,
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
  close: boolean,
): Promise<void> {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  if (close) {
    out['connection'] = 'close';
    lingerOnClose(req);
  }
  res.writeHead(status, statusText || undefined, out);
  if (!body || req.method === 'HEAD' || status === 204 || status === 304) {
    body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value) && !(await drained(res))) {
        reader.cancel().catch(() => {});
        return;
      }
    }
    res.end();
  } catch (error) {
    reader.cancel().catch(() => {});
    res.destroy(error instanceof Error ? error : undefined);
  }
}

/** Resolves true when the response can take more, false when the client went away. */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (value: boolean) => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(value);
    };
    const onDrain = () => settle(true);
    const onClose = () => settle(false);
    res.on('drain', onDrain).on('close', onClose);
  });
}

function failed(error: unknown, res: ServerResponse, next: ((error?: unknown) => void) | undefined): void {
  if (next) {
    next(error);
    return;
  }
  console.error('bc-customer-gate: the request handler failed:', error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    Vary: 'Origin',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end('Internal Server Error');
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
