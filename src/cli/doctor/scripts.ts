/**
 * The page's own scripts, read to find where `<bc-customer-gate>` is defined when no tag names the
 * package: a self-hosted copy (`<script type="module" src="/assets/bc-customer-gate.js">`) or a
 * theme bundle that imports it. Reading is bounded in count, bytes and time; scripts are fetched the
 * way a browser would (with the page's `Origin` for module and `crossorigin` scripts), so a
 * cross-origin module served without CORS headers is caught too.
 */
import { attempt, type Answer } from './http.js';
import type { LoaderScript, ScriptTag } from './page.js';
import { formatBytes, shown, type Check } from './report.js';
import { transportOf } from './transport.js';

/** Scripts read at most: a theme has a handful; a page with dozens is mostly third-party tags. */
export const MAX_SCRIPTS_READ = 8;
/** Per script: a theme bundle is a few hundred KiB; the element's definition is near its end. */
export const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;
const MAX_SCRIPT_REDIRECTS = 3;

/**
 * The definition as written, and as minifiers leave it: `customElements.define('bc-customer-gate', …)`,
 * or `customElements.define(k, …)` with `k = "bc-customer-gate"` bound elsewhere in the file
 * (https://html.spec.whatwg.org/multipage/custom-elements.html#dom-customelementregistry-define).
 */
const DEFINE_CALL = /customElements\s*\??\.\s*define\s*\(\s*(?:(["'`])bc-customer-gate\1|([A-Za-z_$][\w$]*)\s*,)/g;

export function definesElement(source: string): boolean {
  for (const match of source.matchAll(DEFINE_CALL)) {
    if (match[1]) return true;
    const name = match[2]!.replace(/\$/g, '\\$');
    if (new RegExp(`(?:^|[^\\w$.])${name}\\s*=\\s*(["'\`])bc-customer-gate\\1`).test(source)) return true;
  }
  return false;
}

/** Module scripts, and classic ones with `crossorigin`, are fetched in CORS mode by browsers. */
function corsMode(script: ScriptTag): boolean {
  return script.type?.trim().toLowerCase() === 'module' || script.crossOrigin !== null;
}

export interface ScriptSearch {
  /** The script that defines the element, as a loader for the policy checks. */
  loader: LoaderScript | null;
  checks: Check[];
  /** What was read, for the failure's notes. */
  notes: string[];
  /** Some script could not be read fully, so "not found" is not certain. */
  unsure: boolean;
}

interface Read {
  script: ScriptTag;
  url: URL;
  answer?: Answer;
  problem?: string;
}

/** Same-origin scripts first, and names that mention the element before the rest. */
function candidates(scripts: readonly ScriptTag[], pageUrl: URL): Array<{ script: ScriptTag; url: URL }> {
  const runnable: Array<{ script: ScriptTag; url: URL; rank: number }> = [];
  for (const script of scripts) {
    let url: URL;
    try {
      url = new URL(script.src, pageUrl);
    } catch {
      continue;
    }
    if (transportOf(url) === 'insecure') continue;
    const rank =
      (/bc-customer-gate|customer-gate/i.test(url.pathname) ? 0 : 2) + (url.origin === pageUrl.origin ? 0 : 1);
    runnable.push({ script, url, rank });
  }
  return runnable.sort((a, b) => a.rank - b.rank);
}

async function readScript(script: ScriptTag, url: URL, pageUrl: URL, options: { timeoutMs: number }): Promise<Read> {
  const headers: Record<string, string> = { Accept: '*/*' };
  if (corsMode(script)) headers['Origin'] = pageUrl.origin;
  let at = url;
  for (let hop = 0; ; hop++) {
    const { answer, failure } = await attempt(at, {
      headers,
      timeoutMs: options.timeoutMs,
      maxBytes: MAX_SCRIPT_BYTES,
    });
    if (failure) return { script, url: at, problem: failure.message };
    const location = answer.headers.get('location');
    if (answer.status < 300 || answer.status >= 400 || location === null) return { script, url: at, answer };
    let next: URL | null = null;
    try {
      next = new URL(location, at);
    } catch {
      // reported below
    }
    if (!next || transportOf(next) === 'insecure' || hop === MAX_SCRIPT_REDIRECTS)
      return { script, url: at, problem: `redirects (${answer.status}) where the doctor does not follow` };
    at = next;
  }
}

export async function findDefinition(
  scripts: readonly ScriptTag[],
  pageUrl: URL,
  options: { timeoutMs: number },
): Promise<ScriptSearch> {
  const all = candidates(scripts, pageUrl);
  const chosen = all.slice(0, MAX_SCRIPTS_READ);
  // In parallel: the whole search takes at most one --timeout.
  const reads = await Promise.all(chosen.map(({ script, url }) => readScript(script, url, pageUrl, options)));
  const notes: string[] = [];
  let unsure = all.length > chosen.length;
  if (unsure) notes.push(`Only the first ${MAX_SCRIPTS_READ} of ${all.length} scripts were read.`);
  for (const read of reads) {
    const where = shown(read.script.src);
    if (read.problem) {
      unsure = true;
      notes.push(`${where} (line ${read.script.line}): ${read.problem}.`);
      continue;
    }
    const answer = read.answer!;
    if (answer.status < 200 || answer.status >= 300) {
      notes.push(`${where} (line ${read.script.line}): answered ${answer.status}.`);
      continue;
    }
    if (definesElement(answer.body)) return found(read, answer, pageUrl);
    if (answer.truncated) {
      unsure = true;
      notes.push(
        `${where} (line ${read.script.line}): larger than ${formatBytes(MAX_SCRIPT_BYTES)}; the rest was not read.`,
      );
    } else notes.push(`${where} (line ${read.script.line}): does not define it.`);
  }
  return { loader: null, checks: [], notes, unsure };
}

function found(read: Read, answer: Answer, pageUrl: URL): ScriptSearch {
  const { script } = read;
  const copy = /bc-customer-gate/i.test(read.url.pathname);
  const loader: LoaderScript = {
    line: script.line,
    kind: 'src',
    specifier: script.src,
    type: script.type,
    nonce: script.nonce,
    integrity: script.integrity,
    version: null,
    text: null,
  };
  const attributes = [
    `type ${script.type === null ? '(classic)' : shown(script.type, 40)}`,
    `nonce ${script.nonce === null ? 'none' : 'present'}`,
  ];
  if (script.integrity !== null) attributes.push('integrity present');
  const checks: Check[] = [
    {
      id: 'script.found',
      status: 'pass',
      title: `Script defines the element: ${shown(script.src)} on line ${script.line}, ${copy ? 'a self-hosted copy' : 'a bundle that includes it'} (${attributes.join(', ')})`,
    },
  ];
  const cors = corsCheck(read, answer, pageUrl);
  if (cors) checks.push(cors);
  return { loader, checks, notes: [], unsure: false };
}

/**
 * A module script from another origin runs only when its answer allows the page's origin
 * (https://html.spec.whatwg.org/multipage/webappapis.html#fetch-a-single-module-script: CORS mode).
 */
function corsCheck(read: Read, answer: Answer, pageUrl: URL): Check | null {
  if (!corsMode(read.script) || read.url.origin === pageUrl.origin) return null;
  const allow = answer.headers.get('access-control-allow-origin')?.trim() ?? null;
  const credentials = read.script.crossOrigin?.trim().toLowerCase() === 'use-credentials';
  const ok = credentials
    ? allow === pageUrl.origin && answer.headers.get('access-control-allow-credentials')?.trim() === 'true'
    : allow === '*' || allow === pageUrl.origin;
  if (ok) return null;
  const kind = read.script.type?.trim().toLowerCase() === 'module' ? 'a module script' : 'a crossorigin script';
  return {
    id: 'script.cors',
    status: 'fail',
    title: `The script ${shown(read.script.src)} is ${kind} from ${read.url.origin}, served ${allow === null ? 'without Access-Control-Allow-Origin' : `with Access-Control-Allow-Origin ${shown(allow, 60)}`}: browsers refuse to run it (Chromium reports a CORS error)`,
    fix: `Serve it with Access-Control-Allow-Origin: * (or ${pageUrl.origin}), or host the file on the storefront's own origin.`,
  };
}
