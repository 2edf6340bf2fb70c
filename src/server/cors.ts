/**
 * Exact-origin CORS for the exchange endpoint. The token is the credential, so responses never
 * allow credentials and never use `*`: only the storefront origins the app names may read them.
 * https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import { isLoopbackHost } from '../loopback.js';

/** Storefront origins allowed to call the endpoint: exact origins, or a predicate. */
export type OriginsOption = readonly string[] | ((origin: string) => boolean);

/** Answers whether a request's `Origin` header value is allowed. */
export type OriginCheck = (origin: string) => boolean;

export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '600',
};

/**
 * Validates the `origins` option once, at start-up. List entries are normalised with the URL API
 * (lower-case host, default port dropped), because browsers send the `Origin` header in that form
 * and the comparison is exact.
 */
export function createOriginCheck(origins: OriginsOption | undefined): OriginCheck {
  if (typeof origins === 'function') {
    // Only a literal `true` allows: a predicate that returns a Promise (truthy) must not open the door.
    return (origin) => origins(origin) === true;
  }
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new TypeError(
      'bc-customer-gate: "origins" is required: the storefront origins allowed to call this endpoint, ' +
        "such as ['https://store.example.com'], or a function (origin) => boolean.",
    );
  }
  const allowed = new Set(origins.map(normaliseOrigin));
  return (origin) => allowed.has(origin);
}

/**
 * The plain-http origins in an `origins` list that are not loopback, normalised. A storefront
 * served over http can be rewritten in transit, token and all; loopback (localhost, 127.0.0.0/8,
 * [::1]) is where development happens, so those stay quiet.
 */
export function insecureOrigins(origins: OriginsOption): string[] {
  if (typeof origins === 'function') return [];
  return [...new Set(origins.map(normaliseOrigin))].filter((origin) => {
    const { protocol, hostname } = new URL(origin);
    return protocol === 'http:' && !isLoopbackHost(hostname);
  });
}

/** Turns `https://Store.Example.com:443/` into `https://store.example.com`; refuses anything else. */
export function normaliseOrigin(entry: unknown): string {
  const fail = (why: string): never => {
    throw new TypeError(
      `bc-customer-gate: "origins" entry ${JSON.stringify(entry)} ${why}. ` +
        "Write exact origins such as 'https://store.example.com' (scheme, host and optional port only).",
    );
  };
  if (typeof entry !== 'string' || entry.trim() === '') return fail('is not a non-empty string');
  if (entry.includes('*')) {
    return fail('is a wildcard; list each storefront origin, or pass a function (origin) => boolean');
  }
  let url: URL;
  try {
    url = new URL(entry.trim());
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('is not an http(s) origin');
  if (url.username || url.password) return fail('contains credentials');
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(entry)) {
    return fail('has a path, query or fragment');
  }
  return url.origin;
}
