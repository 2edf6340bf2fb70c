/**
 * A small, forgiving HTML tag scanner: start tags with their attributes (decoded), and the raw text of
 * `<script>` and `<style>`. It skips comments and never builds a tree. Enough to find what `doctor`
 * looks for on a storefront page; a page it cannot read fully only yields fewer tags.
 */

export interface Tag {
  name: string;
  /** Attribute names lowercased; the first of duplicate attributes wins, as in HTML. */
  attributes: Map<string, string>;
  /** Offset of the `<` in the source. */
  start: number;
  /** Offset just after the tag's `>`. */
  end: number;
  line: number;
  /** The raw text of a `<script>` or `<style>` element; undefined for other tags. */
  text?: string;
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noembed', 'noframes']);
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references a theme writes in attribute values. Unknown names stay as written. */
export function decodeEntities(value: string): string {
  return value.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);?/g, (match, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : '\ufffd';
    }
    return Object.hasOwn(NAMED, body.toLowerCase()) ? NAMED[body.toLowerCase()]! : match;
  });
}

export function scanTags(html: string): Tag[] {
  const tags: Tag[] = [];
  const length = html.length;
  let i = 0;
  let line = 1;
  let lineCountedTo = 0;
  const lineAt = (offset: number) => {
    for (; lineCountedTo < offset; lineCountedTo++) if (html.charCodeAt(lineCountedTo) === 10) line++;
    return line;
  };

  while (i < length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close === -1 ? length : close + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?' || next === '/') {
      const close = html.indexOf('>', lt + 2);
      i = close === -1 ? length : close + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(next)) {
      i = lt + 1;
      continue;
    }
    const parsed = parseStartTag(html, lt);
    const tag: Tag = { name: parsed.name, attributes: parsed.attributes, start: lt, end: parsed.end, line: lineAt(lt) };
    i = parsed.end;
    if (RAW_TEXT.has(tag.name) && !parsed.selfClosing) {
      const close = findClosing(html, tag.name, i);
      if (tag.name === 'script' || tag.name === 'style') tag.text = html.slice(i, close === -1 ? length : close);
      i = close === -1 ? length : html.indexOf('>', close) + 1 || length;
    }
    tags.push(tag);
  }
  return tags;
}

function findClosing(html: string, name: string, from: number): number {
  const pattern = new RegExp(`</${name}[\\s/>]`, 'ig');
  pattern.lastIndex = from;
  const match = pattern.exec(html);
  return match ? match.index : -1;
}

function parseStartTag(
  html: string,
  lt: number,
): { name: string; attributes: Map<string, string>; end: number; selfClosing: boolean } {
  let i = lt + 1;
  const nameMatch = /^[A-Za-z][^\s/>]*/.exec(html.slice(i, i + 100))!;
  const name = nameMatch[0].toLowerCase();
  i += nameMatch[0].length;
  const attributes = new Map<string, string>();
  let selfClosing = false;
  const length = html.length;
  while (i < length) {
    while (i < length && /[\s/]/.test(html[i]!)) {
      selfClosing = html[i] === '/';
      i++;
    }
    if (i >= length) break;
    if (html[i] === '>') return { name, attributes, end: i + 1, selfClosing };
    selfClosing = false;
    let nameEnd = i + 1;
    while (nameEnd < length && !/[\s/>=]/.test(html[nameEnd]!)) nameEnd++;
    const attributeName = html.slice(i, nameEnd).toLowerCase();
    i = nameEnd;
    while (i < length && /\s/.test(html[i]!)) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < length && /\s/.test(html[i]!)) i++;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        const valueEnd = close === -1 ? length : close;
        value = html.slice(i + 1, valueEnd);
        i = valueEnd + 1;
      } else {
        let valueEnd = i;
        while (valueEnd < length && !/[\s>]/.test(html[valueEnd]!)) valueEnd++;
        value = html.slice(i, valueEnd);
        i = valueEnd;
      }
    }
    if (!attributes.has(attributeName)) attributes.set(attributeName, decodeEntities(value));
  }
  return { name, attributes, end: length, selfClosing };
}
