/**
 * What a storefront page says about its gates: the `<bc-customer-gate>` tags, the script that loads
 * the element, the pre-upgrade CSS rule, Page Builder widget markup and `<meta>` policies.
 */
import { scanTags, type Tag } from './html.js';

export const GATE_TAG = 'bc-customer-gate';

export interface GateTag {
  line: number;
  clientId: string | null;
  endpoint: string | null;
  loggedIn: string | null;
  tokenUrl: string | null;
  /** Rendered from the Page Builder widget template (src/widget/template.ts). */
  widget: boolean;
}

export interface LoaderScript {
  line: number;
  /** `src`: a `<script src>`; `import`: an inline module that imports the package by name or URL. */
  kind: 'src' | 'import';
  /** The `src` or imported specifier as written. */
  specifier: string;
  type: string | null;
  nonce: string | null;
  integrity: string | null;
  /** The version a CDN URL pins (`bc-customer-gate@1.2.3`), or null when it pins none. */
  version: string | null;
  /** An inline script's text, for hash checks. */
  text: string | null;
}

/** Any `<script src>`: where the element may be defined when no tag names the package. */
export interface ScriptTag {
  line: number;
  src: string;
  type: string | null;
  nonce: string | null;
  integrity: string | null;
  crossOrigin: string | null;
}

export interface StyleRule {
  line: number;
  nonce: string | null;
  text: string;
}

export interface PageScan {
  gates: GateTag[];
  loaders: LoaderScript[];
  /** Every `<script src>` with a runnable type, in page order (at most {@link MAX_SCRIPT_TAGS}). */
  scripts: ScriptTag[];
  /** `<style>` elements holding the pre-upgrade rule. */
  styleRules: StyleRule[];
  /** `<meta http-equiv="Content-Security-Policy">` contents, in page order. */
  metaPolicies: string[];
  /** Looks like a Stencil (BigCommerce-rendered) page, or a Next.js (headless) one. */
  platform: 'stencil' | 'nextjs' | 'unknown';
}

/** The documented rule (README, "Before the script runs"), matched loosely: any spacing, any case. */
// Every open-ended span is bounded, so a hostile page of near-misses costs linear time, not quadratic.
const PRE_UPGRADE_RULE = /bc-customer-gate\s*:not\(\s*:defined\s*\)[^{]{0,200}\{[^}]{0,500}display\s*:\s*none/i;
const CDN_FILE =
  /(?:^|\/)bc-customer-gate(?:\.min)?\.js(?:[?#]|$)|\/bc-customer-gate@[^/]*\/|\/npm\/bc-customer-gate\//i;
/** `<script src>` tags kept: the doctor reads a few of them anyway. */
export const MAX_SCRIPT_TAGS = 100;
/** `module`, no type, or a JavaScript MIME type (https://html.spec.whatwg.org/#javascript-mime-type). */
export const RUNNABLE_TYPE =
  /^(?:module|(?:text|application)\/(?:x-)?(?:javascript|ecmascript)|text\/javascript1\.[0-5]|text\/(?:jscript|livescript)|)$/i;
const PINNED = /bc-customer-gate@([^/?#]+)/i;
/** What may stand between `import` and the quoted specifier: `import '…'`, `import('…')`, `import { X } from '…'`. */
const IMPORT_HEAD = /^import\s*(?:\(\s*|[\w*{}\s,$]*\bfrom\s*)?$/;
const SPECIFIER = /^(?:bc-customer-gate(?:\/.*)?|.*bc-customer-gate.*\.js)$/;

export function scanPage(html: string): PageScan {
  const tags = scanTags(html);
  const gates: GateTag[] = [];
  const loaders: LoaderScript[] = [];
  const scripts: ScriptTag[] = [];
  const styleRules: StyleRule[] = [];
  const metaPolicies: string[] = [];

  tags.forEach((tag, index) => {
    if (tag.name === GATE_TAG) {
      gates.push({
        line: tag.line,
        clientId: tag.attributes.get('client-id') ?? null,
        endpoint: tag.attributes.get('endpoint') ?? null,
        loggedIn: tag.attributes.get('logged-in') ?? null,
        tokenUrl: tag.attributes.get('token-url') ?? null,
        widget: isWidgetMarkup(tags, index),
      });
    } else if (tag.name === 'script') {
      const loader = loaderOf(tag);
      if (loader) loaders.push(loader);
      const script = scriptOf(tag);
      if (script && scripts.length < MAX_SCRIPT_TAGS) scripts.push(script);
    } else if (tag.name === 'style' && tag.text !== undefined && PRE_UPGRADE_RULE.test(tag.text)) {
      styleRules.push({ line: tag.line, nonce: tag.attributes.get('nonce') ?? null, text: tag.text });
    } else if (tag.name === 'meta' && tag.attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy') {
      metaPolicies.push(tag.attributes.get('content') ?? '');
    }
  });

  const platform = /__NEXT_DATA__|\/_next\/static\//.test(html)
    ? 'nextjs'
    : /stencil/i.test(html)
      ? 'stencil'
      : 'unknown';
  return { gates, loaders, scripts, styleRules, metaPolicies, platform };
}

function scriptOf(tag: Tag): ScriptTag | null {
  const src = tag.attributes.get('src');
  const type = tag.attributes.get('type') ?? null;
  if (src === undefined || src.trim() === '' || (type !== null && !RUNNABLE_TYPE.test(type.trim()))) return null;
  return {
    line: tag.line,
    src,
    type,
    nonce: tag.attributes.get('nonce') ?? null,
    integrity: tag.attributes.get('integrity') ?? null,
    crossOrigin: tag.attributes.get('crossorigin') ?? null,
  };
}

function loaderOf(tag: Tag): LoaderScript | null {
  const common = {
    line: tag.line,
    type: tag.attributes.get('type') ?? null,
    nonce: tag.attributes.get('nonce') ?? null,
    integrity: tag.attributes.get('integrity') ?? null,
  };
  const src = tag.attributes.get('src');
  if (src !== undefined) {
    if (!CDN_FILE.test(src)) return null;
    return { ...common, kind: 'src', specifier: src, version: PINNED.exec(src)?.[1] ?? null, text: null };
  }
  const text = tag.text ?? '';
  const specifier = importedSpecifier(text);
  if (specifier === null) return null;
  return { ...common, kind: 'import', specifier, version: PINNED.exec(specifier)?.[1] ?? null, text };
}

/**
 * The first quoted module specifier naming the package that an `import` takes. Found from each
 * occurrence of the name outward, within 300 characters, so a huge or hostile script costs linear time.
 */
export function importedSpecifier(text: string): string | null {
  for (let at = text.indexOf(GATE_TAG); at !== -1; at = text.indexOf(GATE_TAG, at + GATE_TAG.length)) {
    const before = text.slice(Math.max(0, at - 300), at);
    const open = Math.max(before.lastIndexOf("'"), before.lastIndexOf('"'));
    if (open === -1) continue;
    const quote = before[open]!;
    const close = text.indexOf(quote, at);
    if (close === -1 || close - at > 300) continue;
    const specifier = before.slice(open + 1) + text.slice(at, close);
    if (/[\n'"]/.test(specifier) || !SPECIFIER.test(specifier)) continue;
    const head = before.slice(0, open);
    const start = head.lastIndexOf('import');
    if (start !== -1 && (start === 0 || !/[\w$.]/.test(head[start - 1]!)) && IMPORT_HEAD.test(head.slice(start)))
      return specifier;
  }
  return null;
}

/**
 * The widget template renders a loader script, then the style rule, then the gate, in that order and
 * nothing between (src/widget/template.ts `widgetHtml`).
 */
function isWidgetMarkup(tags: readonly Tag[], index: number): boolean {
  const style = tags[index - 1];
  const script = tags[index - 2];
  return (
    style?.name === 'style' &&
    PRE_UPGRADE_RULE.test(style.text ?? '') &&
    script?.name === 'script' &&
    CDN_FILE.test(script.attributes.get('src') ?? '')
  );
}
