// Renders Handlebars the way Page Builder renders a widget template, two ways: with Handlebars v3
// and its built-in helpers alone (all a widget template may count on), and with Stencil Paper's
// renderer (`@bigcommerce/stencil-paper-handlebars`: Handlebars v3 plus Paper's helpers, `{{nonce}}`
// among them). The result is parsed with a standards-conforming HTML parser (parse5), as a browser
// would.
import { createRequire } from 'node:module';
import { parse, serialize, type DefaultTreeAdapterMap } from 'parse5';

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

const require = createRequire(import.meta.url);
const Renderer = require('@bigcommerce/stencil-paper-handlebars') as PaperRendererClass;

interface HandlebarsLike {
  VERSION: string;
  helpers: Record<string, unknown>;
  compile(template: string, options?: { knownHelpersOnly?: boolean }): (context: object) => string;
  precompile(template: string, options?: { knownHelpersOnly?: boolean }): string;
}
/** Handlebars v3, the very copy Paper renders `handlebars_v3` templates with. */
const Handlebars = createRequire(require.resolve('@bigcommerce/stencil-paper-handlebars'))(
  'handlebars',
) as HandlebarsLike;

/** The helpers Handlebars itself defines (`if`, `each`, `with`, `unless`, `lookup`, `log`). */
export const BUILT_IN_HELPERS = Object.keys(Handlebars.helpers).filter((name) => !name.endsWith('Missing'));

/**
 * Compiles `template` with Handlebars v3 and nothing but its built-in helpers: a template that calls
 * any other helper fails to compile (`knownHelpersOnly`), so what renders here renders wherever
 * Handlebars v3 runs.
 */
export function compileWithBuiltIns(template: string): (context: Record<string, unknown>) => string {
  // compile() defers compiling to the first call; precompile() refuses an unknown helper now.
  Handlebars.precompile(template, { knownHelpersOnly: true });
  const render = Handlebars.compile(template, { knownHelpersOnly: true });
  return (context) => render(context);
}
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

export function serializeDocument(document: DefaultTreeAdapterMap['document']): string {
  return serialize(document);
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
