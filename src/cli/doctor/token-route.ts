/**
 * The Current Customer route, asked as a guest: Stencil answers 404 (nobody signed in); anything else
 * says the storefront has no such route, or something in front of it interferes.
 */
import { CLIENT_ID_PARAM, DEFAULT_TOKEN_URL } from '../../protocol.js';
import { failureFix } from './endpoint.js';
import { attempt, SMALL_BODY } from './http.js';
import type { GateTag, PageScan } from './page.js';
import { shown, type Check } from './report.js';
import type { DoctorOptions } from './options.js';

/** Distinct token URLs (path and client ID) asked, however many gates a page has. */
const MAX_TOKEN_TARGETS = 3;

export interface TokenTarget {
  url: URL;
}

/** The token URLs the page's gates would ask, on the page's own origin (a foreign one is a markup failure). */
export function tokenTargets(
  scan: PageScan,
  pageUrl: URL,
  clientId: string,
  options: Pick<DoctorOptions, 'clientId'>,
): TokenTarget[] {
  const seen = new Map<string, TokenTarget>();
  const gates =
    scan.gates.length > 0 ? scan.gates : [{ tokenUrl: null, clientId: null } as Pick<GateTag, 'tokenUrl' | 'clientId'>];
  for (const gate of gates) {
    const path = gate.tokenUrl && !/\{\{/.test(gate.tokenUrl) ? gate.tokenUrl : DEFAULT_TOKEN_URL;
    const id = options.clientId ?? (gate.clientId && !/\{\{/.test(gate.clientId) ? gate.clientId : clientId);
    let url: URL;
    try {
      url = new URL(path, pageUrl);
    } catch {
      continue;
    }
    if (url.origin !== pageUrl.origin) continue;
    url.searchParams.set(CLIENT_ID_PARAM, id);
    seen.set(url.href, { url });
    if (seen.size === MAX_TOKEN_TARGETS) break;
  }
  return [...seen.values()];
}

export async function tokenRouteCheck(
  url: URL,
  scan: PageScan,
  options: Pick<DoctorOptions, 'timeoutMs'>,
): Promise<Check> {
  const label = `Token route ${url.pathname}`;
  const { answer, failure } = await attempt(url, {
    headers: { Accept: 'text/plain' },
    timeoutMs: options.timeoutMs,
    maxBytes: SMALL_BODY,
  });
  if (failure) {
    return {
      id: 'token.route',
      status: 'fail',
      title: `${label}: ${failure.message}`,
      fix: failureFix(failure, 'storefront'),
    };
  }
  const timing = `${answer.ms} ms`;
  if (answer.status === 404) {
    if (scan.platform === 'nextjs') {
      return {
        id: 'token.route',
        status: 'warn',
        title: `${label}: 404 for a guest, but the page looks headless (Next.js), where 404 only means "no such page"`,
        fix: "Headless storefronts such as Catalyst have no Current Customer route: the storefront must serve one itself (see BigCommerce's notes on headless).",
      };
    }
    return { id: 'token.route', status: 'pass', title: `${label}: 404 for a guest, as Stencil answers (${timing})` };
  }
  if (answer.status >= 300 && answer.status < 400) {
    const location = answer.headers.get('location');
    return {
      id: 'token.route',
      status: 'fail',
      title: `${label}: redirects (${answer.status}) to ${location === null ? 'nowhere' : shown(new URL(location, url).href)}`,
      fix: "The token route must answer on the page's own origin: a redirect usually means a proxy or a second domain in front of the store; serve the storefront from one origin.",
    };
  }
  if (answer.status === 200) {
    if (/^\s*</.test(answer.body) || /html/i.test(answer.headers.get('content-type') ?? '')) {
      return {
        id: 'token.route',
        status: 'fail',
        title: `${label}: answers an HTML page, not a token route`,
        fix: 'This storefront has no Current Customer route (headless storefronts have none); the element works only where the storefront serves /customer/current.jwt.',
      };
    }
    return {
      id: 'token.route',
      status: 'warn',
      title: `${label}: 200 to a guest (${timing})`,
      fix: 'A signed-out visitor should get 404; check that the route does not serve a cached token.',
    };
  }
  if (answer.status === 400) {
    return {
      id: 'token.route',
      status: 'fail',
      title: `${label}: 400 for the client ID ${shown(url.searchParams.get(CLIENT_ID_PARAM) ?? '', 60)}`,
      fix: "The storefront refused the request: check that client-id is your app's client ID, exactly as the Developer Portal shows it.",
    };
  }
  if (answer.status === 401 || answer.status === 403 || answer.status === 429) {
    return {
      id: 'token.route',
      status: 'fail',
      title: `${label}: blocked (${answer.status})`,
      fix: 'A firewall, bot protection or access rule in front of the store blocks the route; let same-origin GETs of /customer/current.jwt through.',
    };
  }
  return {
    id: 'token.route',
    status: 'fail',
    title: `${label}: answered ${answer.status}, where a guest gets 404 on Stencil`,
    fix: 'Check the storefront serves /customer/current.jwt (Stencil does); a headless storefront must serve its own.',
  };
}
