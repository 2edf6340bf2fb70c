/**
 * The exchange endpoint as a standard Fetch handler, `(Request) => Promise<Response>`: runs as is on
 * Cloudflare Workers, Deno, Bun and Next.js route handlers, and in Node through `toNodeListener`.
 */
import {
  BODY_TOO_LARGE,
  BODY_UNREADABLE,
  createExchangeCore,
  isPassthrough,
  type CustomerGateOptions,
  type ExchangeBody,
  type ExchangeCore,
  type ExchangeResult,
} from './exchange.js';

export type CustomerGateHandler = (request: Request) => Promise<Response>;

/** Where a handler keeps its core, so the Node adapter can skip building Fetch objects. */
export const EXCHANGE_CORE: unique symbol = Symbol('bc-customer-gate.exchange-core');

/**
 * Builds the exchange endpoint. Options are checked at once: a misconfiguration (no `origins`, no
 * `stores`, a `*` origin) throws a `TypeError` at start-up, not on the first shopper.
 *
 * Options are read once, like `createVerifier`'s: the secret, store and origin lists are copied,
 * and changing the options object afterwards changes nothing. Rotating a secret or removing a store
 * or an origin means building a new handler (a redeploy does); `stores` and `origins` given as
 * functions are called on every request, for lists that change while the server runs.
 */
export function createCustomerGateHandler(options: CustomerGateOptions): CustomerGateHandler {
  const core = createExchangeCore(options);

  const handler: CustomerGateHandler = async (request) => {
    const headers = request.headers;
    const start = core.begin({
      method: request.method,
      origin: headers.get('Origin'),
      contentType: headers.get('Content-Type'),
      contentLength: headers.get('Content-Length'),
    });
    if (!start.readBody) {
      // Nothing will read the body; tell the runtime so it can stop receiving it.
      if (request.body && !request.bodyUsed) request.body.cancel().catch(() => {});
      return toResponse(start.result);
    }
    let body: ExchangeBody;
    try {
      body = await readLimited(request, core.maxBodyBytes);
    } catch {
      // The client went away mid-body: answer (if anyone still listens) rather than throw.
      body = BODY_UNREADABLE;
    }
    return toResponse(await start.finish(body, () => request));
  };
  Object.defineProperty(handler, EXCHANGE_CORE, { value: core });
  return handler;
}

/** The core behind one of this package's handlers, or undefined for any other function. */
export function coreOf(handler: unknown): ExchangeCore | undefined {
  return typeof handler === 'function' ? (handler as { [EXCHANGE_CORE]?: ExchangeCore })[EXCHANGE_CORE] : undefined;
}

function toResponse(result: ExchangeResult): Response {
  if (isPassthrough(result)) {
    const { response, headers } = result;
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
  return new Response(result.body === '' ? null : result.body, { status: result.status, headers: result.headers });
}

/** Reads the body as UTF-8 text, stopping (and cancelling the stream) once it passes `limit` bytes. */
async function readLimited(request: Request, limit: number): Promise<ExchangeBody> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return BODY_TOO_LARGE;
    }
    text += decoder.decode(value, { stream: true });
  }
}
