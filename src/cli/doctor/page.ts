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

export interface StyleRule {
  line: number;
  nonce: string | null;
  text: string;
}

export interface PageScan {
  gates: GateTag[];
  loaders: LoaderScript[];
  /** `<style>` elements holding the pre-upgrade rule. */
  styleRules: StyleRule[];
  /** `<meta http-equiv="Content-Security-Policy">` contents, in page order. */
  metaPolicies: string[];
  /** Looks like a Stencil (BigCommerce-rendered) page, or a Next.js (headless) one. */
  platform: 'stencil' | 'nextjs' | 'unknown';
}

/** The documented rule (README, "Before the script runs"), matched loosely: any spacing, any case. */
const PRE_UPGRADE_RULE = /bc-customer-gate\s*:not\(\s*:defined\s*\)[^{]*\{[^}]*display\s*:\s*none/i;
const CDN_FILE = /(?:^|\/)bc-customer-gate(?:\.min)?\.js(?:[?#]|$)|\/bc-customer-gate@[^/]*\/|\/npm\/bc-customer-gate\//i;
const PINNED = /bc-customer-gate@([^/?#]+)/i;
const IMPORT = /\bimport\s*(?:\(\s*|[\w*{}\s,]*?\bfrom\s*)?(['"])((?:bc-customer-gate(?:\/[^'"]*)?)|(?:[^'"]*bc-customer-gate[^'"]*\.js))\1/;

export function scanPage(html: string): PageScan {
  const tags = scanTags(html);
  const gates: GateTag[] = [];
  const loaders: LoaderScript[] = [];
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
    } else if (tag.name === 'style' && tag.text !== undefined && PRE_UPGRADE_RULE.test(tag.text)) {
      styleRules.push({ line: tag.line, nonce: tag.attributes.get('nonce') ?? null, text: tag.text });
    } else if (tag.name === 'meta' && tag.attributes.get('http-equiv')?.toLowerCase() === 'content-security-policy') {
      metaPolicies.push(tag.attributes.get('content') ?? '');
    }
  });

  const platform = /__NEXT_DATA__|\/_next\/static\//.test(html) ? 'nextjs' : /stencil/i.test(html) ? 'stencil' : 'unknown';
  return { gates, loaders, styleRules, metaPolicies, platform };
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
  const match = IMPORT.exec(text);
  if (!match) return null;
  return { ...common, kind: 'import', specifier: match[2]!, version: PINNED.exec(match[2]!)?.[1] ?? null, text };
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
