/**
 * The exchange endpoint, called the way the element calls it from a storefront origin: a CORS simple
 * `POST` (`text/plain`, the storefront's `Origin`, no credentials, no redirect followed), and the
 * `OPTIONS` preflight that other clients may send. The probe token is well formed but signed with
 * random bytes, so a healthy endpoint answers `401` with code `signature` and reveals nothing.
 */
import { randomBytes } from 'node:crypto';
import { EXCHANGE_CONTENT_TYPE, EXCHANGE_ERRORS, ISSUER, OPERATION } from '../../protocol.js';
import { type Answer, attempt, type NetworkFailure } from './http.js';
import { shown, type Check } from './report.js';

export interface ProbeOptions {
  timeoutMs: number;
  /** Largest answer body read. */
  maxBytes: number;
}

/** A JWT shaped like a Current Customer token for `clientId`, with a signature no secret made. */
export function unsignedProbeToken(clientId: string, now = Math.floor(Date.now() / 1000)): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'HS512', typ: 'JWT' });
  const payload = part({
    customer: { id: 1, email: 'probe@doctor.invalid', group_id: '0' },
    iss: ISSUER,
    sub: 'doctorprobe',
    iat: now,
    exp: now + 60,
    version: 1,
    aud: clientId,
    application_id: clientId,
    store_hash: 'doctorprobe',
    operation: OPERATION,
  });
  // 64 random bytes: the length of an HS512 signature, spelled canonically, so only the HMAC fails.
  return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
}

export function exchangeRequest(origin: string, token: string) {
  return {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': EXCHANGE_CONTENT_TYPE, Accept: 'application/json, text/html' },
    body: token,
  };
}

/** Fix for a request that never got an answer. */
export function failureFix(failure: NetworkFailure, what: string): string {
  switch (failure.kind) {
    case 'dns':
      return `Check the host name in the ${what} URL; it must resolve in public DNS.`;
    case 'refused':
      return `Start the ${what}, or correct the port in its URL.`;
    case 'reset':
      return `Something in front of the ${what} drops the connection (a proxy, a firewall or a crash); check its logs.`;
    case 'tls':
      return `Serve the ${what} with a certificate browsers accept (valid, unexpired, for this host name).`;
    case 'timeout':
      return `Make the ${what} answer promptly (it is down, stuck, or blocked by a firewall), or raise --timeout if it is just slow.`;
    case 'port':
      return `Serve the ${what} on a standard port (443).`;
    default:
      return `Check that the ${what} is reachable from the internet.`;
  }
}

/**
 * Who refused with a 403. The handler refuses an origin before reading the body: `{"error":
 * "forbidden"}` and no Access-Control-Allow-Origin (src/server/exchange.ts). An `authorize` denial
 * comes after verification, with the origin allowed. Anything else is in front of the handler.
 */
export function forbiddenBy(answer: Answer): 'origin' | 'authorize' | 'other' | null {
  if (answer.status !== 403) return null;
  const fromHandler = readJson(answer)?.['error'] === EXCHANGE_ERRORS.forbidden;
  if (!fromHandler) return 'other';
  return answer.headers.get('access-control-allow-origin') === null ? 'origin' : 'authorize';
}

function readJson(answer: Answer): Record<string, unknown> | null {
  if (!/^application\/json\b/i.test(answer.headers.get('content-type') ?? '')) return null;
  try {
    const value: unknown = JSON.parse(answer.body);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function headerList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

/** What is wrong with the policy headers of an answer to `origin` (empty when all is well). */
export function corsProblems(answer: Answer, origin: string): Array<{ problem: string; fix: string }> {
  const problems: Array<{ problem: string; fix: string }> = [];
  const allow = answer.headers.get('access-control-allow-origin');
  if (allow === null) {
    problems.push({
      problem: 'no Access-Control-Allow-Origin, so the browser hides the answer from the page',
      fix: "Answer with the handler's own headers: a proxy or framework in front of it drops Access-Control-Allow-Origin.",
    });
  } else if (allow.trim() === '*') {
    problems.push({
      problem: 'Access-Control-Allow-Origin is "*"',
      fix: `Allow the exact origin ${origin}, never "*": answer with the handler's own headers.`,
    });
  } else if (allow.trim() !== origin) {
    problems.push({
      problem: `Access-Control-Allow-Origin is ${shown(allow)}, not ${origin}`,
      fix: `Send Access-Control-Allow-Origin: ${origin} (the handler does when ${origin} is in its origins); remove any fixed value a proxy adds.`,
    });
  }
  if (answer.headers.has('access-control-allow-credentials')) {
    problems.push({
      problem: 'Access-Control-Allow-Credentials is set',
      fix: 'Remove Access-Control-Allow-Credentials: the token is the credential and no cookie may travel.',
    });
  }
  if (!headerList(answer.headers.get('cache-control')).includes('no-store')) {
    problems.push({
      problem: "Cache-Control lacks no-store, so a cache may keep one customer's answer",
      fix: 'Keep Cache-Control: no-store on every answer (check CDN or proxy rules that rewrite it).',
    });
  }
  const vary = headerList(answer.headers.get('vary'));
  if (!vary.includes('origin') && !vary.includes('*')) {
    problems.push({
      problem: 'Vary lacks Origin',
      fix: 'Keep Vary: Origin on every answer (check CDN or proxy rules that rewrite it).',
    });
  }
  return problems;
}

/** `POST` the probe token (and send a preflight) from `origin`; one check, plus one for a bad preflight. */
export async function probeFromOrigin(
  endpoint: URL,
  origin: string,
  clientId: string,
  options: ProbeOptions,
): Promise<Check[]> {
  const id = 'endpoint.origin';
  const label = `Endpoint ${endpoint.href} from ${origin}`;
  const { answer, failure } = await attempt(endpoint, {
    ...exchangeRequest(origin, unsignedProbeToken(clientId)),
    ...options,
  });
  if (failure) {
    return [{ id, status: 'fail', title: `${label}: ${failure.message}`, fix: failureFix(failure, 'endpoint') }];
  }
  const timing = `${answer.status} in ${answer.ms} ms`;
  const rtt = `${answer.ms} ms`;
  const body = readJson(answer);

  if (answer.status >= 300 && answer.status < 400) {
    const location = answer.headers.get('location');
    const where = location === null ? 'nowhere (no Location)' : shown(new URL(location, endpoint).href);
    return [
      {
        id,
        status: 'fail',
        title: `${label}: redirects (${answer.status}) to ${where} (${rtt})`,
        fix: "Set the gates' endpoint to the final URL: the element never follows a redirect, so the token goes to the endpoint URL and nowhere else.",
      },
    ];
  }
  if (forbiddenBy(answer) === 'origin') {
    return [
      {
        id,
        status: 'fail',
        title: `${label}: origin refused (403 in ${answer.ms} ms)`,
        fix: `Add ${origin} to the handler's origins option (createCustomerGateHandler({ origins: [...] })).`,
      },
    ];
  }
  if (answer.status === 401 && body?.['error'] === 'invalid_token') {
    const code = typeof body['code'] === 'string' ? body['code'] : '';
    const problems = corsProblems(answer, origin);
    const checks: Check[] = [];
    if (problems.length > 0) {
      checks.push({
        id,
        status: 'fail',
        title: `${label}: ${problems.map((p) => p.problem).join('; ')} (${timing})`,
        fix: problems.map((p) => p.fix).join(' '),
      });
    } else if (code === 'algorithm') {
      checks.push({
        id,
        status: 'fail',
        title: `${label}: refuses HS512 tokens (code "algorithm", ${timing})`,
        fix: "Allow HS512 in the handler's algorithms: BigCommerce signs Current Customer tokens with HS512.",
      });
    } else if (code !== 'signature') {
      checks.push({
        id,
        status: 'warn',
        title: `${label}: 401 with code ${shown(code)} where "signature" was expected (${timing})`,
        fix: "Check that the endpoint runs bc-customer-gate/server's handler; another verifier may check claims before the signature.",
      });
    } else {
      checks.push({
        id,
        status: 'pass',
        title: `${label}: 401 "signature" as expected, CORS exact, no-store, Vary: Origin (${timing})`,
      });
    }
    const preflight = await probePreflight(endpoint, origin, options);
    if (preflight) checks.push(preflight);
    return checks;
  }
  return [{ id, status: 'fail', ...unexpected(label, answer, timing, body) }];
}

function unexpected(
  label: string,
  answer: Answer,
  timing: string,
  body: Record<string, unknown> | null,
): { title: string; fix: string } {
  const type = answer.headers.get('content-type');
  const what = `${timing}${type ? `, ${shown(type.split(';')[0]!.trim(), 60)}` : ''}`;
  if (answer.status === 415) {
    return {
      title: `${label}: refuses text/plain bodies (${what})`,
      fix: 'Accept Content-Type text/plain;charset=UTF-8: the element sends the token as a CORS simple request.',
    };
  }
  if (answer.status === 429)
    return {
      title: `${label}: rate limited (${what})`,
      fix: 'Raise the rate limit in front of the endpoint: every page view with a gate makes one exchange.',
    };
  if (answer.status >= 500) {
    return {
      title: `${label}: server error (${what})`,
      fix: "Read the app's logs (the handler's onError): a missing secret or an empty stores or origins list answers 500.",
    };
  }
  if (answer.status === 403 || body?.['error'] === 'forbidden') {
    const cors = answer.headers.get('access-control-allow-origin') === null ? 'no CORS headers' : 'CORS headers';
    return {
      title: `${label}: 403 that is not the handler's (${cors}, ${what})`,
      fix: 'Something other than the handler refuses the request (a firewall or bot protection); let POSTs from browsers through.',
    };
  }
  return {
    title: `${label}: not an exchange endpoint's answer (${what})`,
    fix: 'Point the endpoint at the route where createCustomerGateHandler runs (check the path); a healthy endpoint answers an unsigned token with 401.',
  };
}

/** The `OPTIONS` preflight. A problem is a warning: the element itself sends none. */
async function probePreflight(endpoint: URL, origin: string, options: ProbeOptions): Promise<Check | null> {
  const label = `Preflight (OPTIONS) ${endpoint.href} from ${origin}`;
  const { answer, failure } = await attempt(endpoint, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
    ...options,
  });
  if (failure) {
    return {
      id: 'endpoint.preflight',
      status: 'warn',
      title: `${label}: ${failure.message}`,
      fix: failureFix(failure, 'endpoint'),
    };
  }
  const problems: string[] = [];
  if (answer.status < 200 || answer.status >= 300) problems.push(`answered ${answer.status}`);
  if (answer.headers.get('access-control-allow-origin') !== origin)
    problems.push('no exact Access-Control-Allow-Origin');
  if (!headerList(answer.headers.get('access-control-allow-methods')).includes('post'))
    problems.push('POST not in Access-Control-Allow-Methods');
  if (problems.length === 0) return null;
  return {
    id: 'endpoint.preflight',
    status: 'warn',
    title: `${label}: ${problems.join('; ')}`,
    fix: 'Let OPTIONS reach the handler: the element sends no preflight, but clients that add a header do.',
  };
}

/**
 * The keys and value types of a JSON value, never the values: `{ customer: { id: number, ... } }`.
 * An object whose keys do not look like field names (SKUs, IDs, e-mail addresses) is data keyed by
 * data, so only its size is shown.
 */
export function shapeOf(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return depth >= 4 ? `array(${value.length})` : `[${shapeOf(value[0], depth + 1)}] ×${value.length}`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    if (depth >= 4 || entries.length > 24 || !entries.every(([key]) => FIELD_NAME.test(key)))
      return `object(${entries.length} keys)`;
    return `{ ${entries.map(([key, item]) => `${key}: ${shapeOf(item, depth + 1)}`).join(', ')} }`;
  }
  return typeof value;
}

const FIELD_NAME = /^[A-Za-z_$][A-Za-z_$]*[0-9]?$/;
