/**
 * What the page's markup says: its gates and their attributes, the script that loads the element,
 * the pre-upgrade style rule. No network: these read the scanned page only.
 */
import { packageVersion } from '../../version.js';
import { PRE_UPGRADE_STYLE } from '../../widget/template.js';
import type { GateTag, PageScan } from './page.js';
import { shown, type Check } from './report.js';
import type { DoctorOptions } from './options.js';
import { transportOf } from './transport.js';

/** `module`, no type, or a JavaScript MIME type (https://html.spec.whatwg.org/#javascript-mime-type). */
const RUNNABLE_TYPE =
  /^(?:module|(?:text|application)\/(?:x-)?(?:javascript|ecmascript)|text\/javascript1\.[0-5]|text\/(?:jscript|livescript)|)$/i;

/** A page can name any number of endpoints; probing is bounded all the same. */
export const MAX_ENDPOINTS = 5;

function lines(gates: readonly GateTag[]): string {
  const shownLines = gates.slice(0, 8).map((gate) => gate.line);
  return `line${gates.length === 1 ? '' : 's'} ${shownLines.join(', ')}${gates.length > 8 ? ', …' : ''}`;
}

export function gateChecks(
  scan: PageScan,
  page: { url: URL; truncated: boolean },
  options: Pick<DoctorOptions, 'clientId' | 'endpoint'>,
): Check[] {
  const checks: Check[] = [];
  const { gates } = scan;
  if (gates.length === 0) {
    checks.push({
      id: 'gate.found',
      status: 'fail',
      title: `No <bc-customer-gate> on the page${page.truncated ? ' (in the part that was read)' : ''}`,
      fix: "Add the element to this page's template (or place the Page Builder widget), or pass --storefront the URL of a page that has it.",
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
    "Set client-id to your app's client ID (Developer Portal, the app's credentials).",
    'Fill in the widget\'s "App client ID" setting in Page Builder.',
  );
  problem(
    'gate.endpoint',
    gates.filter((gate) => !gate.endpoint || gate.endpoint.trim() === ''),
    'A gate has no endpoint',
    "Set endpoint to your app's exchange endpoint URL (https).",
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
  problem(
    'gate.endpoint-url',
    insecure,
    `A gate's endpoint is not an https URL (${shown(insecure[0]?.endpoint ?? '')})`,
    "Use the endpoint's https URL: browsers block plain http from an https page.",
  );
  problem(
    'gate.logged-in',
    gates.filter(
      (gate) =>
        gate.loggedIn !== null && !unrendered(gate.loggedIn) && !['true', 'false'].includes(gate.loggedIn.trim()),
    ),
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

  const clientIds = [
    ...new Set(gates.map((gate) => gate.clientId).filter((id): id is string => !!id && !unrendered(id))),
  ];
  if (options.clientId !== undefined) {
    const wrong = clientIds.filter((id) => id !== options.clientId);
    if (wrong.length > 0) {
      checks.push({
        id: 'gate.client-id-match',
        status: 'fail',
        title: `Gates use client ID ${wrong
          .slice(0, 5)
          .map((id) => shown(id, 60))
          .join(', ')}${wrong.length > 5 ? ', …' : ''}, not --client-id ${shown(options.clientId, 60)}`,
        fix: "Set every gate's client-id to your app's client ID: the token is issued for that app, and its endpoint refuses tokens for another.",
      });
    }
  } else if (clientIds.length > 1) {
    checks.push({
      id: 'gate.client-id-match',
      status: 'warn',
      title: `${clientIds.length} different client IDs on one page: ${clientIds
        .slice(0, 5)
        .map((id) => shown(id, 60))
        .join(', ')}${clientIds.length > 5 ? ', …' : ''}`,
      fix: "Use one app's client ID on every gate unless you really run several apps; pass --client-id to check the right one.",
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
        title: `Gates point at ${wrong
          .slice(0, 5)
          .map((e) => shown(e))
          .join(', ')}${wrong.length > 5 ? ', …' : ''}, not --endpoint ${options.endpoint.href}`,
        fix: "Set every gate's endpoint to your app's exchange endpoint URL.",
      });
    }
  } else if (endpoints.length > 1) {
    checks.push({
      id: 'gate.endpoint-match',
      status: 'warn',
      title: `${endpoints.length} different endpoints on one page: ${endpoints
        .slice(0, MAX_ENDPOINTS)
        .map((e) => shown(e))
        .join(', ')}${
        endpoints.length > MAX_ENDPOINTS
          ? ` and ${endpoints.length - MAX_ENDPOINTS} more (only these ${MAX_ENDPOINTS} are checked)`
          : ''
      }`,
      fix: 'Each endpoint costs its own exchange; if one is a leftover, point every gate at the same endpoint (each is checked below).',
    });
  }
  return checks;
}

export function endpointTargets(scan: PageScan, pageUrl: URL, options: Pick<DoctorOptions, 'endpoint'>): URL[] {
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

export function loaderChecks(scan: PageScan): Check[] {
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
    if (scan.loaders.length > 1)
      notes.push(`${scan.loaders.length} scripts load it (harmless: the element is defined once).`);
    const attributes = [
      `type ${loader.type === null ? '(classic)' : shown(loader.type, 40)}`,
      `nonce ${loader.nonce === null ? 'none' : 'present'}`,
    ];
    if (loader.integrity !== null) attributes.push('integrity present');
    const title =
      loader.kind === 'src'
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
      checks[checks.length - 1]!.notes!.push(
        `It pins version ${cdn.version}; this doctor is version ${packageVersion()}.`,
      );
    }
    const badType = scan.loaders.find((l) => l.type !== null && !RUNNABLE_TYPE.test(l.type.trim()));
    if (badType) {
      const held = /^text\/plain$/i.test(badType.type!.trim());
      checks.push({
        id: 'script.type',
        status: 'fail',
        title: `The script's type ${shown(badType.type ?? '', 40)} is not one browsers run (line ${badType.line})`,
        fix: held
          ? 'A consent manager holds it back until the shopper consents: put the Script Manager script in the "essential" or "functional" consent category.'
          : 'Use type="module" (or no type).',
      });
    }
  }
  if (scan.styleRules.length > 0) {
    checks.push({
      id: 'style.rule',
      status: 'pass',
      title: `Pre-upgrade CSS rule present (line ${scan.styleRules[0]!.line})`,
    });
  } else {
    checks.push({
      id: 'style.rule',
      status: 'warn',
      title:
        "Pre-upgrade CSS rule not found in the page's <style> tags: until the script runs, every state's text shows at once",
      fix: `Add <style>${PRE_UPGRADE_STYLE}</style> (skip this if your theme's stylesheet has it).`,
    });
  }
  return checks;
}
