/**
 * Content-Security-Policy, parsed and matched the way a browser does, for the checks `doctor` makes:
 * may the page connect to the endpoint, run the script that loads the element, and create the
 * Trusted Types policies it needs? Algorithms from CSP Level 3 (https://w3c.github.io/webappsec-csp/):
 * §2.2 parsing, §6.7 matching, §6.8 directive fallback. Only what these checks need is here.
 */
import { createHash } from 'node:crypto';

export type Disposition = 'enforce' | 'report';
export type PolicySource = 'header' | 'meta';

export interface Policy {
  /** Directive name (lowercase) → its source expressions. The first occurrence of a name wins. */
  directives: Map<string, string[]>;
  disposition: Disposition;
  source: PolicySource;
}

/** §2.2.1 "Parse a serialized CSP". A policy with no directives is returned as null. */
export function parsePolicy(serialized: string, source: PolicySource, disposition: Disposition): Policy | null {
  const directives = new Map<string, string[]>();
  for (const raw of serialized.split(';')) {
    const token = raw.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
    // Non-ASCII tokens are skipped whole, as the spec says.
    if (token === '' || /[^\x00-\x7f]/.test(token)) continue;
    const [name, ...value] = token.split(/[\t\n\f\r ]+/);
    const directiveName = name!.toLowerCase();
    if (directives.has(directiveName)) continue;
    directives.set(directiveName, value);
  }
  return directives.size === 0 ? null : { directives, source, disposition };
}

/** A header value may hold several policies separated by commas (and fetch joins repeated headers with ", "). */
export function parsePolicyList(value: string, source: PolicySource, disposition: Disposition): Policy[] {
  return value
    .split(',')
    .map((serialized) => parsePolicy(serialized, source, disposition))
    .filter((policy): policy is Policy => policy !== null);
}

// ---- §6.7 source expressions -------------------------------------------------------------------

const SCHEME = '[A-Za-z][A-Za-z0-9+.\\-]*';
const SCHEME_SOURCE = new RegExp(`^(${SCHEME}):$`);
const HOST_SOURCE = new RegExp(
  `^(?:(${SCHEME})://)?(\\*|(?:\\*\\.)?[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.?)(?::(\\d+|\\*))?(/[^;,]*)?$`,
);
const NONCE_SOURCE = /^'nonce-([A-Za-z0-9+/\-_]+={0,2})'$/i;
const HASH_SOURCE = /^'(sha256|sha384|sha512)-([A-Za-z0-9+/\-_]+={0,2})'$/i;

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };

/** §6.7.2.9 `scheme-part` matching: `http` also allows `https`, `ws` allows `wss`, `http`, `https`. */
export function schemePartMatches(a: string, b: string): boolean {
  const A = a.toLowerCase();
  const B = b.toLowerCase();
  return (
    A === B ||
    (A === 'http' && B === 'https') ||
    (A === 'ws' && ['wss', 'http', 'https'].includes(B)) ||
    (A === 'wss' && B === 'https')
  );
}

function isIpAddress(host: string): boolean {
  return host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host);
}

/**
 * §6.7.2.10 `host-part` matching. The spec matches domains only; browsers also match an IP literal
 * written out in full (the spec's own note says `127.0.0.1` works), which matters for local
 * development, so an IP host matches only an identical pattern, never a wildcard.
 */
export function hostPartMatches(pattern: string, host: string): boolean {
  const lowerHost = host.toLowerCase();
  if (isIpAddress(lowerHost)) return pattern.toLowerCase() === lowerHost;
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return lowerHost.endsWith(pattern.slice(1).toLowerCase());
  return pattern.toLowerCase() === lowerHost;
}

/**
 * §6.7.2.11 `port-part` matching, plus the secure upgrade of §1.3 item 3 that browsers implement:
 * an explicit `:80` also matches `https:`/`wss:` on their default port.
 */
export function portPartMatches(input: string | null, url: URL): boolean {
  if (input === '*') return true;
  const scheme = url.protocol.slice(0, -1);
  const urlPort = url.port === '' ? null : Number(url.port);
  const normalizedInput = input === null ? null : Number(input);
  if (normalizedInput === urlPort) return true;
  if (urlPort === null) {
    if (normalizedInput === DEFAULT_PORTS[scheme]) return true;
    if (normalizedInput === 80 && (scheme === 'https' || scheme === 'wss')) return true;
  }
  return false;
}

function percentDecode(piece: string): string {
  try {
    return decodeURIComponent(piece);
  } catch {
    return piece;
  }
}

/** §6.7.2.12 `path-part` matching: a trailing `/` matches a whole directory, otherwise the exact path. */
export function pathPartMatches(pathA: string, pathB: string): boolean {
  if (pathA === '') return true;
  if (pathA === '/' && pathB === '') return true;
  const exact = !pathA.endsWith('/');
  const listA = pathA.split('/');
  const listB = pathB.split('/');
  if (listA.length > listB.length) return false;
  if (exact && listA.length !== listB.length) return false;
  if (!exact) listA.pop();
  return listA.every((piece, index) => percentDecode(piece) === percentDecode(listB[index]!));
}

/** §6.7.2.8 "Does url match expression in origin with redirect count?" (redirect count 0). */
export function urlMatchesExpression(url: URL, expression: string, self: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  const selfScheme = self.protocol.slice(0, -1);
  if (expression === '*') return scheme === 'http' || scheme === 'https' || scheme === selfScheme;

  const schemeOnly = SCHEME_SOURCE.exec(expression);
  if (schemeOnly) return schemePartMatches(schemeOnly[1]!, scheme);

  const host = HOST_SOURCE.exec(expression);
  if (host) {
    const [, schemePart, hostPart, portPart, pathPart] = host;
    if (schemePart !== undefined && !schemePartMatches(schemePart, scheme)) return false;
    if (url.hostname === '') return false;
    if (schemePart === undefined && !schemePartMatches(selfScheme, scheme)) return false;
    if (!hostPartMatches(hostPart!, url.hostname)) return false;
    if (!portPartMatches(portPart ?? null, url)) return false;
    if (pathPart !== undefined && pathPart !== '' && !pathPartMatches(pathPart, url.pathname)) return false;
    return true;
  }

  if (expression.toLowerCase() === "'self'") {
    if (self.origin === url.origin) return true;
    const defaultOrSame = url.port === self.port || (url.port === '' && self.port === '');
    if (self.hostname === url.hostname && defaultOrSame) {
      if (scheme === 'https' || scheme === 'wss') return true;
      if (selfScheme === 'http' && (scheme === 'http' || scheme === 'ws')) return true;
    }
  }
  return false;
}

/** §6.7.2.7 "Does url match source list in origin with redirect count?" */
export function urlMatchesSourceList(url: URL, list: readonly string[], self: URL): boolean {
  if (list.length === 0) return false;
  if (list.length === 1 && list[0]!.toLowerCase() === "'none'") return false;
  return list.some((expression) => urlMatchesExpression(url, expression, self));
}

// ---- §6.8 fallback ------------------------------------------------------------------------------

export const FALLBACKS = {
  'connect-src': ['connect-src', 'default-src'],
  'script-src-elem': ['script-src-elem', 'script-src', 'default-src'],
  'style-src-elem': ['style-src-elem', 'style-src', 'default-src'],
} as const;
export type EffectiveDirective = keyof typeof FALLBACKS;

/** The directive that governs `effective` in this policy (§6.8.4), or null when nothing restricts it. */
export function governingDirective(
  policy: Policy,
  effective: EffectiveDirective,
): { name: string; list: string[] } | null {
  for (const name of FALLBACKS[effective]) {
    const list = policy.directives.get(name);
    if (list) return { name, list };
  }
  return null;
}

// ---- elements (§6.7.3) and requests (§6.7.2) -----------------------------------------------------

/** §6.7.3.2 "Does a source list allow all inline behavior for type?" */
export function allowsAllInline(list: readonly string[], type: 'script' | 'style'): boolean {
  let allow = false;
  for (const expression of list) {
    if (NONCE_SOURCE.test(expression) || HASH_SOURCE.test(expression)) return false;
    const lower = expression.toLowerCase();
    if (type === 'script' && lower === "'strict-dynamic'") return false;
    if (lower === "'unsafe-inline'") allow = true;
  }
  return allow;
}

/** §6.7.2.3 "Does nonce match source list?" Nonces are compared as exact strings. */
export function nonceMatches(nonce: string, list: readonly string[]): boolean {
  if (nonce === '') return false;
  return list.some((expression) => NONCE_SOURCE.exec(expression)?.[1] === nonce);
}

function normaliseBase64(value: string): string {
  return value.replace(/-/g, '+').replace(/_/g, '/');
}

/** §6.7.2.4 "Does integrity metadata match source list?": every SRI hash must be listed. */
export function integrityMatches(integrity: string, list: readonly string[]): boolean {
  const hashes = list.map((e) => HASH_SOURCE.exec(e)).filter((m): m is RegExpExecArray => m !== null);
  if (hashes.length === 0) return false;
  const sources = integrity
    .split(/[\t\n\f\r ]+/)
    .map((item) => /^(sha256|sha384|sha512)-([A-Za-z0-9+/\-_]+={0,2})(?:\?.*)?$/i.exec(item))
    .filter((m): m is RegExpExecArray => m !== null);
  if (sources.length === 0) return false;
  return sources.every(([, alg, value]) =>
    hashes.some(([, a, v]) => a!.toLowerCase() === alg!.toLowerCase() && v === value),
  );
}

/** §6.7.3.3 for an inline `<script>` or `<style>` parsed from the page (so parser-inserted). */
export function inlineElementMatches(
  list: readonly string[],
  type: 'script' | 'style',
  element: { nonce: string | null; text: string },
): boolean {
  if (allowsAllInline(list, type)) return true;
  if (element.nonce !== null && nonceMatches(element.nonce, list)) return true;
  const source = Buffer.from(element.text, 'utf8');
  for (const expression of list) {
    const hash = HASH_SOURCE.exec(expression);
    if (!hash) continue;
    const actual = createHash(hash[1]!.toLowerCase()).update(source).digest('base64');
    if (actual === normaliseBase64(hash[2]!)) return true;
  }
  return false;
}

export interface ExternalScript {
  url: URL;
  nonce: string | null;
  integrity: string | null;
}

export type ScriptVerdict = 'nonce' | 'integrity' | 'url' | 'blocked-strict-dynamic' | 'blocked';

/** §6.7.1.1 script pre-request check for a parser-inserted `<script src>`. */
export function externalScriptVerdict(list: readonly string[], script: ExternalScript, self: URL): ScriptVerdict {
  if (script.nonce !== null && nonceMatches(script.nonce, list)) return 'nonce';
  if (script.integrity !== null && integrityMatches(script.integrity, list)) return 'integrity';
  if (list.some((e) => e.toLowerCase() === "'strict-dynamic'")) return 'blocked-strict-dynamic';
  return urlMatchesSourceList(script.url, list, self) ? 'url' : 'blocked';
}

// ---- Trusted Types (https://w3c.github.io/trusted-types/dist/spec/#should-block-create-policy) ----

/** Whether this policy lets the page create a Trusted Types policy with this name. */
export function allowsTrustedTypesPolicy(policy: Policy, name: string): boolean {
  const list = policy.directives.get('trusted-types');
  if (!list) return true;
  const names = list.filter((e) => !["'none'", "'allow-duplicates'"].includes(e.toLowerCase()));
  return names.includes('*') || names.includes(name);
}

/** `require-trusted-types-for 'script'`: HTML sinks take only Trusted Types. */
export function requiresTrustedTypes(policy: Policy): boolean {
  return (policy.directives.get('require-trusted-types-for') ?? []).some((e) => e.toLowerCase() === "'script'");
}
