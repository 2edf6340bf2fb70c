// Renders Handlebars the way Page Builder renders a widget template: Stencil Paper's renderer
// (`@bigcommerce/stencil-paper-handlebars`) with Handlebars v3 and Paper's helpers, and parses the
// result with a standards-conforming HTML parser (parse5), as a browser would.
import { createRequire } from 'node:module';
import { parse, type DefaultTreeAdapterMap } from 'parse5';

interface PaperRenderer {
  renderString(template: string, context: Record<string, unknown>): Promise<string>;
}
type PaperRendererClass = new (
  siteSettings: object,
  themeSettings: object,
  hbVersion: 'v3' | 'v4',
  logger: Pick<Console, 'info' | 'warn' | 'error'>,
  logLevel: string,
  requestParams: object,
) => PaperRenderer;

const Renderer = createRequire(import.meta.url)('@bigcommerce/stencil-paper-handlebars') as PaperRendererClass;
const quiet = { info() {}, warn() {}, error() {} };

/** Renders with Handlebars v3; `nonce` is the page's CSP nonce, as BigCommerce passes it to Paper. */
export function renderWithPaper(
  template: string,
  context: Record<string, unknown>,
  options: { nonce?: string } = {},
): Promise<string> {
  const params = options.nonce === undefined ? {} : { security: { nonce: options.nonce } };
  return new Renderer({}, {}, 'v3', quiet, 'error', params).renderString(template, context);
}

export type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];

export function parseDocument(html: string): DefaultTreeAdapterMap['document'] {
  return parse(html);
}

const isElement = (node: Node): node is Element => 'tagName' in node;

/** The nodes a browser renders: the tree without any `<template>`'s contents. */
export function* liveNodes(node: Node): Generator<Node> {
  yield node;
  for (const child of 'childNodes' in node ? node.childNodes : []) yield* liveNodes(child);
}

/** Everything inside `<template>` contents, at any depth. */
export function* templateContents(node: Node): Generator<Node> {
  for (const live of liveNodes(node)) {
    if (isElement(live) && live.tagName === 'template') {
      // An HTML <template> keeps its children in `content`; a <template> in SVG or MathML is an
      // ordinary element whose children are live, and liveNodes already walked them.
      const content = (live as Element & { content?: DefaultTreeAdapterMap['documentFragment'] }).content;
      for (const child of content?.childNodes ?? []) {
        yield* liveNodes(child);
        yield* templateContents(child);
      }
    }
  }
}

export function elements(nodes: Iterable<Node>): Element[] {
  return [...nodes].filter(isElement);
}

export function attribute(element: Element, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name)?.value;
}

export function textOf(nodes: Iterable<Node>): string {
  return [...nodes]
    .map((node) => (node.nodeName === '#text' ? (node as DefaultTreeAdapterMap['textNode']).value : ''))
    .join('');
}
