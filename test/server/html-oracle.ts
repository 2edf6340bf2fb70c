// What a browser makes of a fragment's markup, for tests of the `html` tag: parsed by parse5 (the
// HTML standard's parser, as browsers implement it), URLs resolved by the WHATWG URL parser.
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export const BASE_URL = 'https://shop.example/account/';

/** Attributes a browser loads or navigates to; listed here independently of the implementation. */
export const URL_ATTRIBUTES = [
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'xlink:href',
  'poster',
  'data',
  'background',
  'cite',
  'ping',
  'to',
  'values',
  'from',
  'longdesc',
  'usemap',
  'imagesrcset',
  'manifest',
  'codebase',
  'icon',
];
const LISTS: Record<string, RegExp> = { srcset: /[\s,]+/, imagesrcset: /[\s,]+/, ping: /\s+/, values: /;/ };

export interface FoundAttribute {
  element: string;
  name: string;
  /** Decoded, as the DOM holds it. */
  value: string;
}

/** Every attribute of every element (template contents included), in document order. */
export function attributesOf(markup: string): FoundAttribute[] {
  const found: FoundAttribute[] = [];
  const visit = (node: Node) => {
    if ('attrs' in node) {
      const element = node as Element;
      for (const attr of element.attrs)
        found.push({
          element: element.tagName,
          name: attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name,
          value: attr.value,
        });
      if (element.tagName === 'template' && 'content' in element) visit(element.content as unknown as Node);
    }
    if ('childNodes' in node) for (const child of node.childNodes) visit(child as Node);
  };
  visit(parseFragment(markup) as unknown as Node);
  return found;
}

/** The element names in document order: a value that adds an element changes this list. */
export function elementsOf(markup: string): string[] {
  const names: string[] = [];
  const visit = (node: Node) => {
    if ('tagName' in node) names.push((node as Element).tagName);
    if ('childNodes' in node) for (const child of node.childNodes) visit(child as Node);
    if ('content' in node && (node as Element).tagName === 'template')
      visit((node as unknown as { content: Node }).content);
  };
  visit(parseFragment(markup) as unknown as Node);
  return names;
}

/** The scheme a browser would give this URL attribute value, or undefined when it is not a URL. */
export function protocolOf(value: string): string | undefined {
  try {
    return new URL(value, BASE_URL).protocol;
  } catch {
    return undefined;
  }
}

/** Whether one URL can run script or render a document from its own text when followed or loaded. */
export function isScriptCapable(url: string): boolean {
  const protocol = protocolOf(url);
  if (protocol === 'javascript:' || protocol === 'vbscript:' || protocol === 'livescript:') return true;
  if (protocol !== 'data:') return false;
  // A data: URL is harmless only as a raster image.
  return !/^\s*data:image\/(png|gif|jpe?g|webp|avif|bmp)[;,]/i.test(url.replace(/[\t\n\r]/g, ''));
}

/** URL attributes in the markup whose value (or one of whose listed URLs) is script-capable. */
export function scriptUrlsIn(markup: string): FoundAttribute[] {
  return attributesOf(markup).filter(({ name, value }) => {
    if (!URL_ATTRIBUTES.includes(name)) return false;
    const parts = LISTS[name] ? value.split(LISTS[name]!) : [value];
    return parts.some(isScriptCapable);
  });
}
