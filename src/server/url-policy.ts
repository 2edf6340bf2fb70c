/**
 * Which URLs the `html` tag lets through into a URL-valued attribute (`href`, `src`, `action`…)
 * that holds an interpolated value: http(s), mailto, tel and sms URLs, relative URLs, and raster
 * image `data:` URLs. Anything else (`javascript:`, `vbscript:`, `data:text/html`, `file:`…) is
 * replaced by {@link BLOCKED_URL}. An allow-list, so a scheme nobody thought of fails closed.
 *
 * The check reads the value the way a browser does: character references decoded first (as the
 * HTML parser does for attribute values), then the URL parser's rules: leading and trailing C0
 * controls and spaces stripped, tabs and newlines removed anywhere, the scheme case-insensitive.
 * https://url.spec.whatwg.org/#concept-basic-url-parser
 */

/** What an unsafe URL attribute value becomes: a harmless URL that goes nowhere. */
export const BLOCKED_URL = 'about:blank#blocked';

/** Attributes whose value is one URL (or, for some, a list of them: see MULTI_URL). */
const URL_ATTRIBUTES = new Set([
  'action',
  'archive',
  'background',
  'cite',
  'classid',
  'codebase',
  'data',
  'dynsrc',
  'formaction',
  'href',
  'icon',
  'imagesrcset',
  'longdesc',
  'lowsrc',
  'manifest',
  'ping',
  'poster',
  'profile',
  'src',
  'srcset',
  'usemap',
  'xlink:href',
  // SVG <set>/<animate attributeName="href"> write these into an href.
  'from',
  'to',
  'values',
]);

/** How list-valued URL attributes separate their URLs (descriptors such as `2x` are harmless). */
const MULTI_URL: Record<string, RegExp> = {
  srcset: /[\s,]+/,
  imagesrcset: /[\s,]+/,
  archive: /[\s,]+/,
  ping: /\s+/,
  values: /;/,
};

const SAFE_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'sms']);
const SAFE_DATA = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp)[;,]/i;

export function isUrlAttribute(name: string): boolean {
  return URL_ATTRIBUTES.has(name);
}

/** Whether an attribute value (as written in the markup, references not yet decoded) is safe. */
export function isSafeUrlAttributeValue(name: string, rawValue: string): boolean {
  const value = decodeCharacterReferences(rawValue);
  const separator = MULTI_URL[name];
  if (!separator) return isSafeUrl(value);
  return value.split(separator).every((part) => isSafeUrl(part));
}

/** One URL, already decoded from HTML: safe when relative or of an allowed scheme. */
export function isSafeUrl(url: string): boolean {
  // The URL parser strips leading and trailing C0 controls and spaces, and drops tabs and newlines.
  const normalised = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(normalised)?.[1]?.toLowerCase();
  if (scheme === undefined) return true; // relative: resolved against the page, never script
  if (SAFE_SCHEMES.has(scheme)) return true;
  return scheme === 'data' && SAFE_DATA.test(normalised);
}

// The named references that decode to ASCII: the only ones that can spell a scheme, a colon or
// the whitespace the URL parser drops. Names are case-sensitive.
const ASCII_NAMED: Record<string, string> = {
  Tab: '\t',
  NewLine: '\n',
  excl: '!',
  quot: '"',
  QUOT: '"',
  num: '#',
  dollar: '$',
  percnt: '%',
  amp: '&',
  AMP: '&',
  apos: "'",
  lpar: '(',
  rpar: ')',
  ast: '*',
  midast: '*',
  plus: '+',
  comma: ',',
  period: '.',
  sol: '/',
  colon: ':',
  semi: ';',
  lt: '<',
  LT: '<',
  equals: '=',
  gt: '>',
  GT: '>',
  quest: '?',
  commat: '@',
  lsqb: '[',
  lbrack: '[',
  bsol: '\\',
  rsqb: ']',
  rbrack: ']',
  Hat: '^',
  lowbar: '_',
  UnderBar: '_',
  grave: '`',
  DiacriticalGrave: '`',
  lcub: '{',
  lbrace: '{',
  verbar: '|',
  vert: '|',
  VerticalLine: '|',
  rcub: '}',
  rbrace: '}',
  fjlig: 'fj',
};

/**
 * Decodes numeric references (with or without the semicolon, as browsers do) and the named ones
 * that yield ASCII. Others are left alone: they cannot produce a scheme character.
 */
export function decodeCharacterReferences(text: string): string {
  return text.replace(
    /&(?:#([0-9]+);?|#[xX]([0-9a-fA-F]+);?|([A-Za-z][A-Za-z0-9]*);)/g,
    (match, dec?: string, hex?: string, name?: string) => {
      if (name !== undefined) return ASCII_NAMED[name] ?? match;
      const code = parseInt((dec ?? hex)!, dec !== undefined ? 10 : 16);
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(code);
    },
  );
}
