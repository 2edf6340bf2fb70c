/**
 * One bounded HTTP request for `doctor`: Node's global fetch, never following a redirect, aborted
 * after a timeout, reading at most a given number of body bytes. Failures become a
 * {@link NetworkFailure} that says in words what went wrong (DNS, refused, TLS, timeout).
 */

export interface Answer {
  status: number;
  headers: Headers;
  /** The body as text, cut at `maxBytes`. */
  body: string;
  /** The body was longer than `maxBytes`; the rest was not read. */
  truncated: boolean;
  /** From sending the request to the end of the (possibly cut) body, in milliseconds. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

/** What the doctor reads of an answer it only classifies (the token route, a www twin, the endpoint). */
export const SMALL_BODY = 64 * 1024;

export type FailureKind = 'timeout' | 'dns' | 'refused' | 'reset' | 'tls' | 'port' | 'other';

export class NetworkFailure extends Error {
  override readonly name = 'NetworkFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export async function request(url: URL, options: RequestOptions): Promise<Answer> {
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      redirect: 'manual',
      credentials: 'omit',
      signal,
    });
    const { body, truncated } = await readCapped(response, options.maxBytes);
    return {
      status: response.status,
      headers: response.headers,
      body,
      truncated,
      ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    throw describeFailure(error, options.timeoutMs);
  }
}

/** An answer, or the failure in words: what every check branches on, with no try/catch of its own. */
export type Outcome = { answer: Answer; failure?: never } | { answer?: never; failure: NetworkFailure };

export async function attempt(url: URL, options: RequestOptions): Promise<Outcome> {
  try {
    return { answer: await request(url, options) };
  } catch (error) {
    return { failure: describeFailure(error, options.timeoutMs) };
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<{ body: string; truncated: boolean }> {
  if (!response.body) return { body: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      size += room;
      truncated = true;
      // Stop reading: the rest of a huge page is never buffered.
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { body: new TextDecoder().decode(Buffer.concat(chunks, size)), truncated };
}

const CERTIFICATE_CODE = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_|HOSTNAME_)/;
const HANDSHAKE_CODE = /^(ERR_SSL_|ERR_TLS_)/;

/** A sentence about the failure: codes and fixed text only, never a server's words. */
export function describeFailure(error: unknown, timeoutMs: number): NetworkFailure {
  if (error instanceof NetworkFailure) return error;
  const name = (error as { name?: unknown })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new NetworkFailure('timeout', `no answer within ${timeoutMs} ms`);
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } })?.cause;
  const code =
    typeof cause?.code === 'string'
      ? cause.code
      : typeof cause?.errors?.[0]?.code === 'string'
        ? cause.errors[0].code
        : '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') {
    return new NetworkFailure('dns', `the host name does not resolve (DNS ${code})`);
  }
  if (code === 'ECONNREFUSED')
    return new NetworkFailure('refused', 'connection refused: nothing listens on that host and port');
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return new NetworkFailure('reset', 'the connection was closed before a complete answer');
  }
  if (CERTIFICATE_CODE.test(code))
    return new NetworkFailure('tls', `TLS failed: the certificate was not accepted (${code})`);
  if (HANDSHAKE_CODE.test(code))
    return new NetworkFailure('tls', `TLS failed: no TLS handshake (${code}; is it plain http on that port?)`);
  if (cause?.message === 'bad port') {
    return new NetworkFailure(
      'port',
      'browsers refuse to connect to this port (the Fetch standard\'s "bad port" list)',
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return new NetworkFailure('other', `the host cannot be reached (${code})`);
  }
  return new NetworkFailure('other', `the request failed${code ? ` (${code})` : ''}`);
}
