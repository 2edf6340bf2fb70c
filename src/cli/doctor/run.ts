/**
 * The doctor's checks, in the order a person fixes them: URLs, the page, its gates and script, its
 * policy, the token route, the endpoint from every storefront origin, and optionally a real exchange.
 */
import { packageVersion } from '../../version.js';
import { endToEndChecks } from './end-to-end.js';
import { failureFix, probeFromOrigin } from './endpoint.js';
import { type Answer, attempt, SMALL_BODY } from './http.js';
import { endpointTargets, gateChecks, loaderChecks, needsScriptSearch } from './markup.js';
import { scanPage } from './page.js';
import { findDefinition } from './scripts.js';
import { collectPolicies, connectCheck, scriptCheck, styleCheck, trustedTypesCheck } from './policy.js';
import { formatBytes, shown, type Check } from './report.js';
import { tokenRouteCheck, tokenTargets } from './token-route.js';
import type { DoctorOptions } from './options.js';
import { transportOf, twinOrigin } from './transport.js';

const MAX_REDIRECTS = 5;
const PROBE_CLIENT_ID = 'doctor-probe';
const MAX_SCRIPTS = 3;

interface FetchedPage {
  url: URL;
  answer: Answer;
  hops: URL[];
}

export async function runChecks(options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (check: Check | null | undefined) => void (check && checks.push(check));

  add(transportCheck(options));

  // ---- the page ---------------------------------------------------------------------------------
  const page = await fetchPage(options, add);
  if (!page) return checks;
  const pageUrl = page.url;
  const scan = scanPage(page.answer.body);

  // ---- its gates --------------------------------------------------------------------------------
  gateChecks(scan, { url: pageUrl, truncated: page.answer.truncated }, options).forEach(add);
  const endpoints = endpointTargets(scan, pageUrl, options);
  const clientId = options.clientId ?? firstValue(scan.gates.map((gate) => gate.clientId)) ?? PROBE_CLIENT_ID;
  // No tag names the package: look for the definition in the page's own scripts.
  const search = needsScriptSearch(scan) ? await findDefinition(scan.scripts, pageUrl, options) : undefined;
  loaderChecks(scan, search).forEach(add);
  const loaders = search ? (search.loader ? [search.loader] : []) : scan.loaders;

  // ---- its policy -------------------------------------------------------------------------------
  const policies = collectPolicies({
    header: page.answer.headers.get('content-security-policy'),
    reportOnlyHeader: page.answer.headers.get('content-security-policy-report-only'),
    meta: scan.metaPolicies,
  });
  if (policies.length === 0) {
    add({
      id: 'csp.none',
      status: 'pass',
      title: 'No Content-Security-Policy on the page: nothing restricts the script or the endpoint',
    });
  } else {
    const distinct = new Map(
      loaders.map((loader) => [`${loader.kind} ${loader.specifier} ${loader.nonce} ${loader.integrity}`, loader]),
    );
    for (const loader of [...distinct.values()].slice(0, MAX_SCRIPTS)) add(scriptCheck(policies, loader, pageUrl));
    // connect-src cannot tell one client ID from another: one check per token path.
    const tokenPaths = new Map(tokenTargets(scan, pageUrl, clientId, options).map(({ url }) => [url.pathname, url]));
    for (const tokenUrl of tokenPaths.values()) add(connectCheck(policies, tokenUrl, pageUrl, 'token route'));
    for (const endpoint of endpoints) add(connectCheck(policies, endpoint, pageUrl, 'endpoint'));
    add(trustedTypesCheck(policies));
    for (const rule of scan.styleRules.slice(0, 1)) add(styleCheck(policies, rule));
  }

  // ---- the token route --------------------------------------------------------------------------
  for (const target of tokenTargets(scan, pageUrl, clientId, options))
    add(await tokenRouteCheck(target.url, scan, options));

  // ---- the endpoint, from each storefront origin ------------------------------------------------
  const origins = await storefrontOrigins(pageUrl, options, add);
  if (endpoints.length === 0) {
    add({
      id: 'endpoint.none',
      status: 'skip',
      title: 'Endpoint: none to check (no gate names one; pass --endpoint URL)',
    });
  }
  for (const endpoint of endpoints) {
    for (const origin of origins)
      (
        await probeFromOrigin(endpoint, origin, clientId, { timeoutMs: options.timeoutMs, maxBytes: SMALL_BODY })
      ).forEach(add);
  }

  // ---- a real exchange ---------------------------------------------------------------------------
  if (options.endToEnd && options.endpoint) {
    (await endToEndChecks(options.endpoint, pageUrl.origin, clientId, options.endToEnd, options)).forEach(add);
  }
  return checks;
}

function firstValue(values: ReadonlyArray<string | null>): string | undefined {
  return values.find((value): value is string => typeof value === 'string' && value !== '' && !value.includes('{{'));
}

function transportCheck(options: DoctorOptions): Check {
  const loopback = [options.storefront, ...(options.endpoint ? [options.endpoint] : [])].filter(
    (url) => transportOf(url) === 'loopback',
  );
  if (loopback.length === 0) return { id: 'transport', status: 'pass', title: 'Transport: https' };
  return {
    id: 'transport',
    status: 'pass',
    title: 'Transport: plain http on a loopback address, accepted for development only',
    notes: ['A live store and its endpoint are served over https; plain http is refused anywhere but this machine.'],
  };
}

async function fetchPage(options: DoctorOptions, add: (check: Check) => void): Promise<FetchedPage | null> {
  const hops: URL[] = [];
  let url = options.storefront;
  for (;;) {
    const { answer, failure } = await attempt(url, {
      headers: {
        Accept: 'text/html,application/xhtml+xml',
        'User-Agent': `bc-customer-gate-doctor/${packageVersion()}`,
      },
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxPageBytes,
    });
    if (failure) {
      add({
        id: 'page.fetch',
        status: 'fail',
        title: `Page ${url.href}: ${failure.message}`,
        fix: failureFix(failure, 'storefront'),
      });
      return null;
    }
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location !== null) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        add({
          id: 'page.fetch',
          status: 'fail',
          title: `Page ${url.href}: redirects (${answer.status}) to an invalid URL ${shown(location)}`,
          fix: 'Fix the redirect on the storefront.',
        });
        return null;
      }
      hops.push(next);
      if (transportOf(next) === 'insecure') {
        add({
          id: 'page.fetch',
          status: 'fail',
          title: `Page redirects to ${shown(next.href)}, which is not https`,
          fix: 'Serve every storefront page over https.',
        });
        return null;
      }
      if (hops.length > MAX_REDIRECTS) {
        add({
          id: 'page.fetch',
          status: 'fail',
          title: `Page: more than ${MAX_REDIRECTS} redirects`,
          fix: 'Fix the redirect loop on the storefront, or pass the final page URL.',
        });
        return null;
      }
      url = next;
      continue;
    }
    if (answer.status < 200 || answer.status >= 300) {
      add({
        id: 'page.fetch',
        status: 'fail',
        title: `Page ${url.href}: answered ${answer.status} to a guest`,
        fix: 'Pass the URL of a page a signed-out shopper can open (a 403 may be bot protection refusing this tool).',
      });
      return null;
    }
    const size = answer.truncated
      ? `over ${formatBytes(options.maxPageBytes)}`
      : formatBytes(Buffer.byteLength(answer.body));
    const redirected =
      hops.length > 0 ? [`After ${hops.length} redirect${hops.length === 1 ? '' : 's'}: ${shown(url.href)}.`] : [];
    add({
      id: 'page.fetch',
      status: 'pass',
      title: `Page fetched as a guest: ${answer.status} in ${answer.ms} ms (${size})`,
      notes: redirected,
    });
    // http→https, apex→www or a trailing slash is routine; landing on another page is worth saying.
    const path = (u: URL) => u.pathname.replace(/\/+$/, '');
    if (hops.length > 0 && path(url) !== path(options.storefront)) {
      add({
        id: 'page.redirect',
        status: 'warn',
        title: `Page redirected a guest to ${shown(url.href)}; that is the page checked`,
        fix: 'To check the page with the gate, pass a URL a signed-out shopper can open (account pages send guests to the sign-in page).',
      });
    }
    if (answer.truncated) {
      add({
        id: 'page.size',
        status: 'warn',
        title: `Page is larger than ${formatBytes(options.maxPageBytes)}: only the first ${formatBytes(options.maxPageBytes)} were read and checked`,
        fix: 'Gates after that point were not seen; a page that large is slow for shoppers too.',
      });
    }
    const type = answer.headers.get('content-type') ?? '';
    if (!/html/i.test(type)) {
      add({
        id: 'page.type',
        status: 'warn',
        title: `Page is served as ${shown(type || 'no Content-Type', 60)}, not HTML`,
        fix: 'Pass the URL of an HTML page of the storefront.',
      });
    }
    return { url, answer, hops };
  }
}

// ---- storefront origins --------------------------------------------------------------------------

async function storefrontOrigins(pageUrl: URL, options: DoctorOptions, add: (check: Check) => void): Promise<string[]> {
  const origins = [pageUrl.origin];
  const twin = (options.twinOf ?? twinOrigin)(pageUrl);
  if ('none' in twin) {
    add({
      id: 'origin.twin',
      status: 'skip',
      title: `www twin: not checked (${twin.none}; pass --also-origin for another origin)`,
    });
  } else {
    const twinUrl = new URL(pageUrl.pathname + pageUrl.search, twin.origin);
    const { answer, failure } = await attempt(twinUrl, {
      headers: { Accept: 'text/html' },
      timeoutMs: options.timeoutMs,
      maxBytes: SMALL_BODY,
    });
    if (failure) {
      add({ id: 'origin.twin', status: 'skip', title: `www twin ${twin.origin}: ${failure.message}; not checked` });
    } else if (answer.status >= 200 && answer.status < 300) {
      origins.push(twin.origin);
      add({
        id: 'origin.twin',
        status: 'pass',
        title: `www twin ${twin.origin} serves the storefront too, so it is checked as a storefront origin`,
      });
    } else if (answer.status >= 300 && answer.status < 400) {
      add({
        id: 'origin.twin',
        status: 'skip',
        title: `www twin ${twin.origin} redirects (${answer.status}); shoppers never run the page there, not checked`,
      });
    } else {
      add({
        id: 'origin.twin',
        status: 'skip',
        title: `www twin ${twin.origin} answers ${answer.status}; not checked`,
      });
    }
  }
  for (const origin of options.alsoOrigins) if (!origins.includes(origin)) origins.push(origin);
  return origins;
}
