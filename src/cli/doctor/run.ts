/**
 * The doctor's checks, in the order a person fixes them: URLs, the page, its gates and script, its
 * policy, the token route, the endpoint from every storefront origin, and optionally a real exchange.
 */
import { CLIENT_ID_PARAM, DEFAULT_TOKEN_URL } from '../../protocol.js';
import { mintCustomerToken } from '../../testing/mint.js';
import { packageVersion } from '../../widget/version.js';
import { exchangeRequest, failureFix, probeFromOrigin, shapeOf } from './endpoint.js';
import { NetworkFailure, request, type Answer } from './http.js';
import { scanPage, type GateTag, type PageScan } from './page.js';
import { collectPolicies, connectCheck, scriptCheck, styleCheck, trustedTypesCheck } from './policy.js';
import { shown, type Check } from './report.js';
import { transportOf, twinOrigin } from './transport.js';

export interface EndToEnd {
  clientSecret: string;
  customerId: number;
  storeHash: string;
}

export interface DoctorOptions {
  storefront: URL;
  /** Checked instead of the endpoints found on the page. */
  endpoint?: URL;
  /** Checked instead of the client IDs found on the page. */
  clientId?: string;
  alsoOrigins: readonly string[];
  timeoutMs: number;
  maxPageBytes: number;
  /** Needs `endpoint`: a signed token is never sent to a URL read from the page. */
  endToEnd?: EndToEnd;
  /** The `www` twin of an origin; tests point it at a loopback server. Default {@link twinOrigin}. */
  twinOf?: (origin: URL) => { origin: string } | { none: string };
}

const MAX_REDIRECTS = 5;
const SMALL_BODY = 64 * 1024;
const PROBE_CLIENT_ID = 'doctor-probe';
/** A page can name any number of endpoints; probing is bounded all the same. */
const MAX_ENDPOINTS = 5;
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
  gateChecks(scan, page, options).forEach(add);
  const endpoints = endpointTargets(scan, pageUrl, options);
  const clientId = options.clientId ?? firstValue(scan.gates.map((gate) => gate.clientId)) ?? PROBE_CLIENT_ID;
  loaderChecks(scan).forEach(add);

  // ---- its policy -------------------------------------------------------------------------------
  const policies = collectPolicies({
    header: page.answer.headers.get('content-security-policy'),
    reportOnlyHeader: page.answer.headers.get('content-security-policy-report-only'),
    meta: scan.metaPolicies,
  });
  if (policies.length === 0) {
    add({ id: 'csp.none', status: 'pass', title: 'No Content-Security-Policy on the page: nothing restricts the script or the endpoint' });
  } else {
    const distinct = new Map(scan.loaders.map((loader) => [`${loader.kind} ${loader.specifier} ${loader.nonce} ${loader.integrity}`, loader]));
    for (const loader of [...distinct.values()].slice(0, MAX_SCRIPTS)) add(scriptCheck(policies, loader, pageUrl));
    for (const tokenUrl of tokenTargets(scan, pageUrl, clientId, options).map((t) => t.url)) add(connectCheck(policies, tokenUrl, pageUrl, 'token route'));
    for (const endpoint of endpoints) add(connectCheck(policies, endpoint, pageUrl, 'endpoint'));
    add(trustedTypesCheck(policies));
    for (const rule of scan.styleRules.slice(0, 1)) add(styleCheck(policies, rule));
  }

  // ---- the token route --------------------------------------------------------------------------
  for (const target of tokenTargets(scan, pageUrl, clientId, options)) add(await tokenRouteCheck(target.url, scan, options));

  // ---- the endpoint, from each storefront origin ------------------------------------------------
  const origins = await storefrontOrigins(pageUrl, options, add);
  if (endpoints.length === 0) {
    add({ id: 'endpoint.none', status: 'skip', title: 'Endpoint: none to check (no gate names one; pass --endpoint URL)' });
  }
  for (const endpoint of endpoints) {
    for (const origin of origins) (await probeFromOrigin(endpoint, origin, clientId, { timeoutMs: options.timeoutMs, maxBytes: SMALL_BODY })).forEach(add);
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
  const loopback = [options.storefront, ...(options.endpoint ? [options.endpoint] : [])].filter((url) => transportOf(url) === 'loopback');
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
  for (let hop = 0; ; hop++) {
    let answer: Answer;
    try {
      answer = await request(url, {
        headers: { Accept: 'text/html,application/xhtml+xml', 'User-Agent': `bc-customer-gate-doctor/${packageVersion()}` },
        timeoutMs: options.timeoutMs,
        maxBytes: options.maxPageBytes,
      });
    } catch (error) {
      const failure = error instanceof NetworkFailure ? error : new NetworkFailure('other', 'the request failed');
      add({ id: 'page.fetch', status: 'fail', title: `Page ${url.href}: ${failure.message}`, fix: failureFix(failure, 'storefront') });
      return null;
    }
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location !== null) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        add({ id: 'page.fetch', status: 'fail', title: `Page ${url.href}: redirects (${answer.status}) to an invalid URL ${shown(location)}`, fix: 'Fix the redirect on the storefront.' });
        return null;
      }
      hops.push(next);
      if (transportOf(next) === 'insecure') {
        add({ id: 'page.fetch', status: 'fail', title: `Page redirects to ${shown(next.href)}, which is not https`, fix: 'Serve every storefront page over https.' });
        return null;
      }
      if (hop + 1 >= MAX_REDIRECTS) {
        add({ id: 'page.fetch', status: 'fail', title: `Page: more than ${MAX_REDIRECTS} redirects`, fix: 'Fix the redirect loop on the storefront, or pass the final page URL.' });
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
    const size = answer.truncated ? `over ${formatBytes(options.maxPageBytes)}` : formatBytes(Buffer.byteLength(answer.body));
    add({ id: 'page.fetch', status: 'pass', title: `Page fetched as a guest: ${answer.status} in ${answer.ms} ms (${size})` });
    if (hops.length > 0) {
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
      add({ id: 'page.type', status: 'warn', title: `Page is served as ${shown(type || 'no Content-Type', 60)}, not HTML`, fix: 'Pass the URL of an HTML page of the storefront.' });
    }
    return { url, answer, hops };
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

// ---- gates ----------------------------------------------------------------------------------------

function lines(gates: readonly GateTag[]): string {
  const shownLines = gates.slice(0, 8).map((gate) => gate.line);
  return `line${gates.length === 1 ? '' : 's'} ${shownLines.join(', ')}${gates.length > 8 ? ', …' : ''}`;
}

function gateChecks(scan: PageScan, page: FetchedPage, options: DoctorOptions): Check[] {
  const checks: Check[] = [];
  const { gates } = scan;
  if (gates.length === 0) {
    checks.push({
      id: 'gate.found',
      status: 'fail',
      title: `No <bc-customer-gate> on the page${page.answer.truncated ? ' (in the part that was read)' : ''}`,
      fix: 'Add the element to this page\'s template (or place the Page Builder widget), or pass --storefront the URL of a page that has it.',
    });
    return checks;
  }
  const widgets = gates.filter((gate) => gate.widget);
  checks.push({
    id: 'gate.found',
    status: 'pass',
    title: `${gates.length} <bc-customer-gate> tag${gates.length === 1 ? '' : 's'} (${lines(gates)})${widgets.length ? `, ${widgets.length} from the Page Builder widget` : ''}`,
  });

  const problem = (id: string, bad: GateTag[], what: string, fix: string, widgetFix?: string) => {
    if (bad.length === 0) return;
    const inWidget = bad.every((gate) => gate.widget) && widgetFix;
    checks.push({ id, status: 'fail', title: `${what} (${lines(bad)})`, fix: inWidget ? widgetFix : fix });
  };
  const unrendered = (value: string | null) => value !== null && /\{\{|\}\}/.test(value);
  problem(
    'gate.rendered',
    gates.filter((gate) => [gate.clientId, gate.endpoint, gate.loggedIn, gate.tokenUrl].some(unrendered)),
    'A gate\'s attributes still hold Handlebars "{{...}}"',
    'Put the markup where the storefront renders Handlebars (a theme template, or a Script Manager script_tag on Stencil), or write the values out.',
    'Place the widget through Page Builder: its settings are filled in only when Page Builder renders it.',
  );
  problem(
    'gate.client-id',
    gates.filter((gate) => !gate.clientId || gate.clientId.trim() === ''),
    'A gate has no client-id',
    'Set client-id to your app\'s client ID (Developer Portal, the app\'s credentials).',
    'Fill in the widget\'s "App client ID" setting in Page Builder.',
  );
  problem(
    'gate.endpoint',
    gates.filter((gate) => !gate.endpoint || gate.endpoint.trim() === ''),
    'A gate has no endpoint',
    'Set endpoint to your app\'s exchange endpoint URL (https).',
    'Fill in the widget\'s "App\'s exchange endpoint" setting in Page Builder.',
  );
  const insecure = gates.filter((gate) => {
    if (!gate.endpoint || unrendered(gate.endpoint)) return false;
    try {
      return transportOf(new URL(gate.endpoint, page.url)) === 'insecure';
    } catch {
      return true;
    }
  });
  problem('gate.endpoint-url', insecure, `A gate's endpoint is not an https URL (${shown(insecure[0]?.endpoint ?? '')})`, 'Use the endpoint\'s https URL: browsers block plain http from an https page.');
  problem(
    'gate.logged-in',
    gates.filter((gate) => gate.loggedIn !== null && !unrendered(gate.loggedIn) && !['true', 'false'].includes(gate.loggedIn.trim())),
    'A gate\'s logged-in is neither "true" nor "false"',
    'Render logged-in="{{#if customer}}true{{else}}false{{/if}}", or leave the attribute out.',
  );
  const claimsSignedIn = gates.filter((gate) => gate.loggedIn?.trim() === 'true');
  if (claimsSignedIn.length > 0) {
    checks.push({
      id: 'gate.logged-in',
      status: 'warn',
      title: `A guest's page says logged-in="true" (${lines(claimsSignedIn)})`,
      fix: 'Render logged-in from {{#if customer}} and make sure the page is not cached across shoppers.',
    });
  }
  const foreignTokenUrl = gates.filter((gate) => {
    if (!gate.tokenUrl || unrendered(gate.tokenUrl)) return false;
    try {
      return new URL(gate.tokenUrl, page.url).origin !== page.url.origin;
    } catch {
      return true;
    }
  });
  problem(
    'gate.token-url',
    foreignTokenUrl,
    `A gate's token-url is on another origin (${shown(foreignTokenUrl[0]?.tokenUrl ?? '')})`,
    'Remove token-url (or make it a path on this storefront): a token request to another origin carries no shopper cookie and always answers "signed out".',
  );

  const clientIds = [...new Set(gates.map((gate) => gate.clientId).filter((id): id is string => !!id && !unrendered(id)))];
  if (options.clientId !== undefined) {
    const wrong = clientIds.filter((id) => id !== options.clientId);
    if (wrong.length > 0) {
      checks.push({
        id: 'gate.client-id-match',
        status: 'fail',
        title: `Gates use client ID ${wrong.map((id) => shown(id, 60)).join(', ')}, not --client-id ${shown(options.clientId, 60)}`,
        fix: 'Set every gate\'s client-id to your app\'s client ID: the token is issued for that app, and its endpoint refuses tokens for another.',
      });
    }
  } else if (clientIds.length > 1) {
    checks.push({
      id: 'gate.client-id-match',
      status: 'warn',
      title: `${clientIds.length} different client IDs on one page: ${clientIds.map((id) => shown(id, 60)).join(', ')}`,
      fix: 'Use one app\'s client ID on every gate unless you really run several apps; pass --client-id to check the right one.',
    });
  }

  const endpoints = [...new Set(gates.map((gate) => gate.endpoint).filter((e): e is string => !!e && !unrendered(e)))];
  if (options.endpoint !== undefined) {
    const wrong = endpoints.filter((endpoint) => {
      try {
        return new URL(endpoint, page.url).href !== options.endpoint!.href;
      } catch {
        return true;
      }
    });
    if (wrong.length > 0) {
      checks.push({
        id: 'gate.endpoint-match',
        status: 'fail',
        title: `Gates point at ${wrong.map((e) => shown(e)).join(', ')}, not --endpoint ${options.endpoint.href}`,
        fix: 'Set every gate\'s endpoint to your app\'s exchange endpoint URL.',
      });
    }
  } else if (endpoints.length > 1) {
    checks.push({
      id: 'gate.endpoint-match',
      status: 'warn',
      title: `${endpoints.length} different endpoints on one page: ${endpoints.slice(0, MAX_ENDPOINTS).map((e) => shown(e)).join(', ')}${
        endpoints.length > MAX_ENDPOINTS ? ` and ${endpoints.length - MAX_ENDPOINTS} more (only these ${MAX_ENDPOINTS} are checked)` : ''
      }`,
      fix: 'Each endpoint costs its own exchange; if one is a leftover, point every gate at the same endpoint (each is checked below).',
    });
  }
  return checks;
}

function endpointTargets(scan: PageScan, pageUrl: URL, options: DoctorOptions): URL[] {
  if (options.endpoint) return [options.endpoint];
  const seen = new Map<string, URL>();
  for (const gate of scan.gates) {
    if (!gate.endpoint || /\{\{/.test(gate.endpoint)) continue;
    try {
      const url = new URL(gate.endpoint, pageUrl);
      if (transportOf(url) !== 'insecure' && !seen.has(url.href)) seen.set(url.href, url);
    } catch {
      // Reported by gateChecks.
    }
  }
  return [...seen.values()].slice(0, MAX_ENDPOINTS);
}

// ---- the script and the style rule ---------------------------------------------------------------

function loaderChecks(scan: PageScan): Check[] {
  const checks: Check[] = [];
  if (scan.gates.length === 0) return checks;
  if (scan.loaders.length === 0) {
    checks.push({
      id: 'script.found',
      status: 'fail',
      title: 'No script on the page loads the element, so every gate stays plain HTML',
      fix: `Add <script type="module" src="https://cdn.jsdelivr.net/npm/bc-customer-gate@${packageVersion()}/dist/cdn/bc-customer-gate.js"></script> (Script Manager, or the theme), or import 'bc-customer-gate' in the theme's bundle.`,
    });
  } else {
    const loader = scan.loaders[0]!;
    const notes: string[] = [];
    if (scan.loaders.length > 1) notes.push(`${scan.loaders.length} scripts load it (harmless: the element is defined once).`);
    const attributes = [`type ${loader.type === null ? '(classic)' : shown(loader.type, 40)}`, `nonce ${loader.nonce === null ? 'none' : 'present'}`];
    if (loader.integrity !== null) attributes.push('integrity present');
    const title = loader.kind === 'src'
      ? `Script loads the element: ${shown(loader.specifier)} on line ${loader.line} (${attributes.join(', ')})`
      : `Script imports the element: an inline module imports ${shown(loader.specifier)} on line ${loader.line} (${attributes.join(', ')})`;
    checks.push({ id: 'script.found', status: 'pass', title, notes });
    const cdn = scan.loaders.find((l) => l.kind === 'src' && /cdn\.jsdelivr\.net|unpkg\.com/i.test(l.specifier));
    if (cdn && (cdn.version === null || /^(latest|next)$/i.test(cdn.version) || !/^\d+\.\d+\.\d+/.test(cdn.version))) {
      checks.push({
        id: 'script.version',
        status: 'warn',
        title: `The CDN script pins no exact version (${shown(cdn.specifier)})`,
        fix: `Pin one version in the URL (bc-customer-gate@${packageVersion()}) so a new release cannot change the storefront unannounced.`,
      });
    } else if (cdn?.version && cdn.version !== packageVersion()) {
      checks[checks.length - 1]!.notes!.push(`It pins version ${cdn.version}; this doctor is version ${packageVersion()}.`);
    }
    const badType = scan.loaders.find((l) => l.kind === 'src' && l.type !== null && !/^(module|text\/javascript|application\/javascript|)$/i.test(l.type.trim()));
    if (badType) {
      checks.push({
        id: 'script.type',
        status: 'fail',
        title: `The script's type ${shown(badType.type ?? '', 40)} is not one browsers run (line ${badType.line})`,
        fix: 'Use type="module" (or no type).',
      });
    }
  }
  if (scan.styleRules.length > 0) {
    checks.push({ id: 'style.rule', status: 'pass', title: `Pre-upgrade CSS rule present (line ${scan.styleRules[0]!.line})` });
  } else {
    checks.push({
      id: 'style.rule',
      status: 'warn',
      title: 'Pre-upgrade CSS rule not found in the page\'s <style> tags: until the script runs, every state\'s text shows at once',
      fix: 'Add <style>bc-customer-gate:not(:defined) > :not([slot="loading"]) { display: none; }</style> (skip this if your theme\'s stylesheet has it).',
    });
  }
  return checks;
}

// ---- token route ---------------------------------------------------------------------------------

interface TokenTarget {
  url: URL;
}

function tokenTargets(scan: PageScan, pageUrl: URL, clientId: string, options: DoctorOptions): TokenTarget[] {
  const seen = new Map<string, TokenTarget>();
  const gates = scan.gates.length > 0 ? scan.gates : [{ tokenUrl: null, clientId: null } as Pick<GateTag, 'tokenUrl' | 'clientId'>];
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
  }
  return [...seen.values()];
}

async function tokenRouteCheck(url: URL, scan: PageScan, options: DoctorOptions): Promise<Check> {
  const label = `Token route ${url.pathname}`;
  let answer: Answer;
  try {
    answer = await request(url, { headers: { Accept: 'text/plain' }, timeoutMs: options.timeoutMs, maxBytes: SMALL_BODY });
  } catch (error) {
    const failure = error instanceof NetworkFailure ? error : new NetworkFailure('other', 'the request failed');
    return { id: 'token.route', status: 'fail', title: `${label}: ${failure.message}`, fix: failureFix(failure, 'storefront') };
  }
  const timing = `${answer.ms} ms`;
  if (answer.status === 404) {
    if (scan.platform === 'nextjs') {
      return {
        id: 'token.route',
        status: 'warn',
        title: `${label}: 404 for a guest, but the page looks headless (Next.js), where 404 only means "no such page"`,
        fix: 'Headless storefronts such as Catalyst have no Current Customer route: the storefront must serve one itself (see BigCommerce\'s notes on headless).',
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
      fix: 'The token route must answer on the page\'s own origin: a redirect usually means a proxy or a second domain in front of the store; serve the storefront from one origin.',
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
      fix: 'The storefront refused the request: check that client-id is your app\'s client ID, exactly as the Developer Portal shows it.',
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

// ---- storefront origins --------------------------------------------------------------------------

async function storefrontOrigins(pageUrl: URL, options: DoctorOptions, add: (check: Check) => void): Promise<string[]> {
  const origins = [pageUrl.origin];
  const twin = (options.twinOf ?? twinOrigin)(pageUrl);
  if ('none' in twin) {
    add({ id: 'origin.twin', status: 'skip', title: `www twin: not checked (${twin.none}; pass --also-origin for another origin)` });
  } else {
    const twinUrl = new URL(pageUrl.pathname + pageUrl.search, twin.origin);
    try {
      const answer = await request(twinUrl, { headers: { Accept: 'text/html' }, timeoutMs: options.timeoutMs, maxBytes: SMALL_BODY });
      if (answer.status >= 200 && answer.status < 300) {
        origins.push(twin.origin);
        add({ id: 'origin.twin', status: 'pass', title: `www twin ${twin.origin} serves the storefront too, so it is checked as a storefront origin` });
      } else if (answer.status >= 300 && answer.status < 400) {
        add({ id: 'origin.twin', status: 'skip', title: `www twin ${twin.origin} redirects (${answer.status}); shoppers never run the page there, not checked` });
      } else {
        add({ id: 'origin.twin', status: 'skip', title: `www twin ${twin.origin} answers ${answer.status}; not checked` });
      }
    } catch (error) {
      const message = error instanceof NetworkFailure ? error.message : 'the request failed';
      add({ id: 'origin.twin', status: 'skip', title: `www twin ${twin.origin}: ${message}; not checked` });
    }
  }
  for (const origin of options.alsoOrigins) if (!origins.includes(origin)) origins.push(origin);
  return origins;
}

// ---- end to end ----------------------------------------------------------------------------------

async function endToEndChecks(endpoint: URL, origin: string, clientId: string, e2e: EndToEnd, options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [
    {
      id: 'e2e.warning',
      status: 'warn',
      title: `End to end: sent ${endpoint.href} a token minted with BC_CLIENT_SECRET for customer ${e2e.customerId} on store ${shown(e2e.storeHash, 40)}`,
      fix: 'Do this only with a development app\'s secret: a token signed with a production secret is a real credential for that customer (this one expires in 60 seconds).',
    },
  ];
  const token = await mintCustomerToken({
    clientId,
    clientSecret: e2e.clientSecret,
    storeHash: e2e.storeHash,
    customer: { id: e2e.customerId, email: `customer-${e2e.customerId}@doctor.invalid` },
    expiresIn: 60,
  });
  const label = `End to end from ${origin}`;
  let answer: Answer;
  try {
    answer = await request(endpoint, { ...exchangeRequest(origin, token), timeoutMs: options.timeoutMs, maxBytes: 1024 * 1024 });
  } catch (error) {
    const failure = error instanceof NetworkFailure ? error : new NetworkFailure('other', 'the request failed');
    checks.push({ id: 'e2e.exchange', status: 'fail', title: `${label}: ${failure.message}`, fix: failureFix(failure, 'endpoint') });
    return checks;
  }
  const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const timing = `${answer.ms} ms`;
  if (answer.status === 200 && type === 'application/json') {
    let shape: string;
    try {
      shape = shapeOf(JSON.parse(answer.body));
    } catch {
      checks.push({ id: 'e2e.exchange', status: 'fail', title: `${label}: 200 with a body that is not JSON`, fix: 'Return data the handler can serialise from authorize.' });
      return checks;
    }
    checks.push({ id: 'e2e.exchange', status: 'pass', title: `${label}: verified, 200 application/json (${timing})`, notes: [`shape: ${shape}`] });
  } else if (answer.status === 200) {
    checks.push({
      id: 'e2e.exchange',
      status: 'pass',
      title: `${label}: verified, 200 ${shown(type || 'no type', 40)} (${timing})`,
      notes: [`body: ${formatBytes(Buffer.byteLength(answer.body))}${answer.truncated ? ' or more' : ''}`],
    });
  } else if (answer.status === 403 && answer.headers.get('access-control-allow-origin') !== null) {
    checks.push({ id: 'e2e.exchange', status: 'pass', title: `${label}: verified, then denied by authorize (403) for this customer (${timing})` });
  } else if (answer.status === 401) {
    let code = '';
    try {
      const body = JSON.parse(answer.body) as { code?: unknown };
      code = typeof body.code === 'string' ? body.code : '';
    } catch {
      // no code
    }
    checks.push({ id: 'e2e.exchange', status: 'fail', title: `${label}: token refused (401, code ${shown(code || 'none', 40)})`, fix: endToEndFix(code, clientId, e2e) });
  } else {
    checks.push({
      id: 'e2e.exchange',
      status: 'fail',
      title: `${label}: answered ${answer.status}${type ? ` ${shown(type, 40)}` : ''} (${timing})`,
      fix: 'Read the app\'s logs (the handler\'s onError) for what failed after verification.',
    });
  }
  return checks;
}

function endToEndFix(code: string, clientId: string, e2e: EndToEnd): string {
  switch (code) {
    case 'audience':
      return `The endpoint verifies tokens for another client ID than ${shown(clientId, 60)}: make the gates' client-id and the handler's clientId the same app.`;
    case 'signature':
      return 'BC_CLIENT_SECRET is not the secret the endpoint verifies with: use the client secret of the app whose client ID the gates use.';
    case 'store':
      return `The endpoint's stores option does not include ${shown(e2e.storeHash, 40)}: add the store hash, or pass the --store the app serves.`;
    case 'expired':
    case 'not_yet_valid':
      return 'The endpoint\'s clock is off by more than its tolerance: sync it with NTP.';
    default:
      return 'Run bc-customer-gate verify on a token from the storefront for a detailed diagnosis.';
  }
}
