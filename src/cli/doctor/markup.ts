/**
 * What the page's markup says: its gates and their attributes, the script that loads the element,
 * the pre-upgrade style rule. No network: these read the scanned page only.
 */
import { packageVersion } from '../../version.js';
import { PRE_UPGRADE_STYLE } from '../../widget/template.js';
import { type GateTag, type PageScan, RUNNABLE_TYPE } from './page.js';
import { shown, type Check } from './report.js';
import type { DoctorOptions } from './options.js';
import type { ScriptSearch } from './scripts.js';
import { transportOf } from './transport.js';

/** The public CDNs the docs name: what they serve is the package as published, so it is not fetched. */
const PUBLIC_CDN = /^(?:https:)?\/\/(?:cdn\.jsdelivr\.net|unpkg\.com)\//i;

/**
 * Whether the page's scripts must be read to know that the element loads: no tag imports the package
 * or loads it from a public CDN (a self-hosted copy or a theme bundle is read to be sure, and for CORS).
 */
export function needsScriptSearch(scan: PageScan): boolean {
  if (scan.gates.length === 0) return false;
  return !scan.loaders.some((loader) => loader.kind === 'import' || PUBLIC_CDN.test(loader.specifier));
}

/** A page can name any number of endpoints; probing is bounded all the same. */
export const MAX_ENDPOINTS = 5;

/** The first `max` items joined, then `more` for the rest (", …" unless told). */
export function firstFew(items: readonly string[], max: number, more = (_rest: number) => ', …'): string {
  return items.slice(0, max).join(', ') + (items.length > max ? more(items.length - max) : '');
}

function lines(gates: readonly GateTag[]): string {
  return `line${gates.length === 1 ? '' : 's'} ${firstFew(
    gates.map((gate) => String(gate.line)),
    8,
  )}`;
}

const unrendered = (value: string | null) => value !== null && /\{\{|\}\}/.test(value);

/** A URL attribute as the browser resolves it against the page; null when it does not parse. */
function resolved(value: string, page: URL): URL | null {
  try {
    return new URL(value, page);
  } catch {
    return null;
  }
}

interface GateRule {
  id: string;
  /** Default `fail`. */
  status?: 'fail' | 'warn';
  /** The gates this rule finds at fault. */
  faulty(gate: GateTag, pageUrl: URL): boolean;
  /** The title, given the first faulty gate; the lines are added after it. */
  what(first: GateTag): string;
  fix: string;
  /** Said instead of `fix` when every faulty gate came from the Page Builder widget. */
  widgetFix?: string;
}

/** One rule per way a gate's own attributes can be wrong, in the order a person fixes them. */
const GATE_RULES: readonly GateRule[] = [
  {
    id: 'gate.rendered',
    faulty: (gate) => [gate.clientId, gate.endpoint, gate.loggedIn, gate.tokenUrl].some(unrendered),
    what: () => 'A gate\'s attributes still hold Handlebars "{{...}}"',
    // BigCommerce documents a script_tag's html as exactly one <script> tag: no place for page markup.
    fix: "Put the markup in a theme template, where Handlebars is rendered, or write the values out (a Script Manager script_tag holds exactly one <script> tag, not the gate's markup).",
    widgetFix: 'Place the widget through Page Builder: its settings are filled in only when Page Builder renders it.',
  },
  {
    id: 'gate.client-id',
    faulty: (gate) => !gate.clientId || gate.clientId.trim() === '',
    what: () => 'A gate has no client-id',
    fix: "Set client-id to your app's client ID (Developer Portal, the app's credentials).",
    widgetFix: 'Fill in the widget\'s "App client ID" setting in Page Builder.',
  },
  {
    id: 'gate.endpoint',
    faulty: (gate) => !gate.endpoint || gate.endpoint.trim() === '',
    what: () => 'A gate has no endpoint',
    fix: "Set endpoint to your app's exchange endpoint URL (https).",
    widgetFix: 'Fill in the widget\'s "App\'s exchange endpoint" setting in Page Builder.',
  },
  {
    id: 'gate.endpoint-url',
    faulty: (gate, pageUrl) => {
      if (!gate.endpoint || unrendered(gate.endpoint)) return false;
      const url = resolved(gate.endpoint, pageUrl);
      return url === null || transportOf(url) === 'insecure';
    },
    what: (first) => `A gate's endpoint is not an https URL (${shown(first.endpoint ?? '')})`,
    fix: "Use the endpoint's https URL: browsers block plain http from an https page.",
  },
  {
    id: 'gate.logged-in',
    faulty: (gate) =>
      gate.loggedIn !== null && !unrendered(gate.loggedIn) && !['true', 'false'].includes(gate.loggedIn.trim()),
    what: () => 'A gate\'s logged-in is neither "true" nor "false"',
    fix: 'Render logged-in="{{#if customer}}true{{else}}false{{/if}}", or leave the attribute out.',
  },
  {
    id: 'gate.logged-in',
    status: 'warn',
    faulty: (gate) => gate.loggedIn?.trim() === 'true',
    what: () => 'A guest\'s page says logged-in="true"',
    fix: 'Render logged-in from {{#if customer}} and make sure the page is not cached across shoppers.',
  },
  {
    id: 'gate.token-url',
    faulty: (gate, pageUrl) => {
      if (!gate.tokenUrl || unrendered(gate.tokenUrl)) return false;
      return resolved(gate.tokenUrl, pageUrl)?.origin !== pageUrl.origin;
    },
    what: (first) => `A gate's token-url is on another origin (${shown(first.tokenUrl ?? '')})`,
    fix: 'Remove token-url (or make it a path on this storefront): a token request to another origin carries no shopper cookie and always answers "signed out".',
  },
];

export function gateChecks(
  scan: PageScan,
  page: { url: URL; truncated: boolean },
  options: Pick<DoctorOptions, 'clientId' | 'endpoint'>,
): Check[] {
  const { gates } = scan;
  if (gates.length === 0) {
    return [
      {
        id: 'gate.found',
        status: 'fail',
        title: `No <bc-customer-gate> on the page${page.truncated ? ' (in the part that was read)' : ''}`,
        fix: "Add the element to this page's template (or place the Page Builder widget), or pass --storefront the URL of a page that has it.",
      },
    ];
  }
  const widgets = gates.filter((gate) => gate.widget).length;
  const checks: Check[] = [
    {
      id: 'gate.found',
      status: 'pass',
      title: `${gates.length} <bc-customer-gate> tag${gates.length === 1 ? '' : 's'} (${lines(gates)})${widgets ? `, ${widgets} from the Page Builder widget` : ''}`,
    },
  ];
  for (const rule of GATE_RULES) {
    const faulty = gates.filter((gate) => rule.faulty(gate, page.url));
    if (faulty.length === 0) continue;
    const fromWidget = rule.widgetFix !== undefined && faulty.every((gate) => gate.widget);
    checks.push({
      id: rule.id,
      status: rule.status ?? 'fail',
      title: `${rule.what(faulty[0]!)} (${lines(faulty)})`,
      fix: fromWidget ? rule.widgetFix! : rule.fix,
    });
  }
  const clientIdCheck = agreementCheck(gates, options);
  if (clientIdCheck) checks.push(clientIdCheck);
  const endpointCheck = endpointAgreementCheck(gates, page.url, options);
  if (endpointCheck) checks.push(endpointCheck);
  return checks;
}

function distinct(values: ReadonlyArray<string | null>): string[] {
  return [...new Set(values.filter((value): value is string => !!value && !unrendered(value)))];
}

/** Every gate uses --client-id, or (without it) one client ID. */
function agreementCheck(gates: readonly GateTag[], options: Pick<DoctorOptions, 'clientId'>): Check | null {
  const clientIds = distinct(gates.map((gate) => gate.clientId));
  const list = (ids: string[]) =>
    firstFew(
      ids.map((id) => shown(id, 60)),
      5,
    );
  if (options.clientId !== undefined) {
    const wrong = clientIds.filter((id) => id !== options.clientId);
    if (wrong.length === 0) return null;
    return {
      id: 'gate.client-id-match',
      status: 'fail',
      title: `Gates use client ID ${list(wrong)}, not --client-id ${shown(options.clientId, 60)}`,
      fix: "Set every gate's client-id to your app's client ID: the token is issued for that app, and its endpoint refuses tokens for another.",
    };
  }
  if (clientIds.length <= 1) return null;
  return {
    id: 'gate.client-id-match',
    status: 'warn',
    title: `${clientIds.length} different client IDs on one page: ${list(clientIds)}`,
    fix: "Use one app's client ID on every gate unless you really run several apps; pass --client-id to check the right one.",
  };
}

/** Every gate points at --endpoint, or (without it) one endpoint. */
function endpointAgreementCheck(
  gates: readonly GateTag[],
  pageUrl: URL,
  options: Pick<DoctorOptions, 'endpoint'>,
): Check | null {
  const endpoints = distinct(gates.map((gate) => gate.endpoint));
  if (options.endpoint !== undefined) {
    const wanted = options.endpoint.href;
    const wrong = endpoints.filter((endpoint) => resolved(endpoint, pageUrl)?.href !== wanted);
    if (wrong.length === 0) return null;
    return {
      id: 'gate.endpoint-match',
      status: 'fail',
      title: `Gates point at ${firstFew(
        wrong.map((e) => shown(e)),
        5,
      )}, not --endpoint ${shown(wanted)}`,
      fix: "Set every gate's endpoint to your app's exchange endpoint URL.",
    };
  }
  if (endpoints.length <= 1) return null;
  const more = (rest: number) => ` and ${rest} more (only these ${MAX_ENDPOINTS} are checked)`;
  return {
    id: 'gate.endpoint-match',
    status: 'warn',
    title: `${endpoints.length} different endpoints on one page: ${firstFew(
      endpoints.map((e) => shown(e)),
      MAX_ENDPOINTS,
      more,
    )}`,
    fix: 'Each endpoint costs its own exchange; if one is a leftover, point every gate at the same endpoint (each is checked below).',
  };
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

/**
 * The script that loads the element: named in the markup (a CDN URL, an inline import), or else
 * found by reading the page's scripts (`search`, from scripts.ts).
 */
export function loaderChecks(scan: PageScan, search?: ScriptSearch): Check[] {
  const checks: Check[] = [];
  if (scan.gates.length === 0) return checks;
  if (search?.loader) {
    checks.push(...search.checks);
  } else if (search) {
    checks.push({
      id: 'script.found',
      status: search?.unsure ? 'warn' : 'fail',
      title: search?.unsure
        ? 'No script the doctor could read defines the element; if none of the others does, every gate stays plain HTML'
        : 'No script on the page loads the element, so every gate stays plain HTML',
      notes: search?.notes ?? [],
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
    const cdn = scan.loaders.find((l) => l.kind === 'src' && PUBLIC_CDN.test(l.specifier));
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
