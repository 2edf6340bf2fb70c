// The widget template as Page Builder runs it: its schema checked against the documented widget
// schema, its Handlebars rendered with Handlebars v3's built-in helpers alone (and by Stencil Paper,
// which adds `{{nonce}}`), and the HTML parsed by a standards-conforming parser with a theme's markup
// after it, so what a browser would render live is what is asserted.
//
// BigCommerce checks widget schemas with a JSON schema in its widget-builder tool, which is not
// published to npm (the npm package named widget-builder is an unrelated desktop-widget compiler).
// widget-schema.schema.json states the same documented rules for ajv: root tabs, arrays and hidden
// groups; settings with an id and one of the documented types; each type's default and typeMeta.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { buildWidgetTemplate, widgetSchema, type WidgetSchemaTab } from '../../src/widget/template.js';
import { runProperty } from '../fuzz/run-property.js';
import { BARRIERS, FORMATTING, HOSTILE, MARK, SWALLOWERS } from './widget-hostile.js';
import {
  attribute,
  compileWithBuiltIns,
  elements,
  liveNodes,
  parseDocument,
  renderWithPaper,
  serializeDocument,
  templateContents,
  textOf,
  type Element,
} from './paper.js';

const definition = buildWidgetTemplate({ version: '1.2.3', clientId: 'cid', endpoint: 'https://app.example.com/gate' });
const settings = definition.schema.flatMap((tab) => tab.sections.flatMap((section) => section.settings));
/** The settings a freshly placed widget has: every default. */
const defaults = Object.fromEntries(settings.map((s) => [s.id, s.default]));

const validateSchema = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(new URL('./widget-schema.schema.json', import.meta.url), 'utf8')) as object,
);

/** The theme's markup around the widget, as a store page has it. */
const THEME_BEFORE =
  '<!doctype html><html><head><title>Store</title></head><body><header id="theme-header">Store</header><main>';
const THEME_AFTER =
  '</main><footer id="theme-footer"><a href="/contact">Contact</a></footer><script id="theme-script">1</script></body></html>';

const renderWidget = compileWithBuiltIns(definition.template);

/** The widget rendered with Handlebars' built-ins, on a store page, parsed as a browser parses it. */
function render(context: Record<string, unknown>) {
  const html = THEME_BEFORE + renderWidget(context) + THEME_AFTER;
  const document = parseDocument(html);
  const live = elements(liveNodes(document));
  return { html, document, live, inert: [...templateContents(document)] };
}

const gateOf = (live: Element[]) => live.find((el) => el.tagName === 'bc-customer-gate')!;

const shape = (list: Element[]) => list.map((el) => `${el.tagName}[${el.attrs.map((a) => a.name).join(',')}]`);

describe('the widget schema against the documented widget schema', () => {
  it('is valid', () => {
    assert.ok(validateSchema(definition.schema), JSON.stringify(validateSchema.errors, null, 2));
  });

  it('the check fails for what Page Builder does not take', () => {
    const broken = (change: (tab: WidgetSchemaTab) => void) => {
      const schema = widgetSchema() as WidgetSchemaTab[];
      change(schema[0]!);
      return validateSchema(schema);
    };
    const content = (tab: WidgetSchemaTab) =>
      tab.sections.flatMap((s) => s.settings).find((s) => s.id === 'contentTemplate')!;
    const cases: Array<[string, (tab: WidgetSchemaTab) => void]> = [
      [
        'an unknown setting type',
        (tab) => {
          content(tab).type = 'html';
        },
      ],
      [
        'a code language other than html',
        (tab) => {
          content(tab).typeMeta = { language: 'javascript' };
        },
      ],
      [
        'a text setting with new lines',
        (tab) => {
          content(tab).type = 'text';
          content(tab).default = '<p>a</p>\n<p>b</p>';
        },
      ],
      [
        'a setting without id',
        (tab) => {
          (tab.sections[0]!.settings[0] as { id?: string }).id = undefined;
        },
      ],
      [
        'a tab without label',
        (tab) => {
          (tab as { label?: string }).label = undefined;
        },
      ],
    ];
    for (const [what, change] of cases) assert.equal(broken(change), false, what);
  });
});

describe('the widget rendered with Handlebars v3 built-ins, on a theme page', () => {
  it('renders the gate with its settings, four state slots, and the content template as its `template` attribute', () => {
    const { live, inert } = render(defaults);
    const gate = gateOf(live);
    assert.equal(attribute(gate, 'client-id'), 'cid');
    assert.equal(attribute(gate, 'endpoint'), 'https://app.example.com/gate');
    assert.deepEqual(
      live.filter((el) => attribute(el, 'slot')).map((el) => attribute(el, 'slot')),
      ['loading', 'anonymous', 'denied', 'error'],
    );
    assert.equal(attribute(live.find((el) => el.tagName === 'a')!, 'href'), '/login.php');
    assert.equal(attribute(gate, 'template'), defaults['contentTemplate']);
    assert.ok(!live.some((el) => attribute(el, 'data-bc-field')), 'nothing of it is an element');
    assert.ok(!live.some((el) => el.tagName === 'template'), 'and there is no <template> in the page');
    assert.deepEqual(inert, []);
  });

  it('renders a multi-line content template exactly into the attribute', () => {
    const content =
      '<h2>Your plan</h2>\n<ul data-bc-list="data.items">\n  <li data-bc-field="name"></li>\n</ul>\n<table><tr><td>a &amp; b</td></tr></table>';
    assert.equal(attribute(gateOf(render({ ...defaults, contentTemplate: content }).live), 'template'), content);
  });

  it('leaves the attribute out when the content template is empty (an endpoint that answers HTML)', () => {
    const { live, html } = render({ ...defaults, contentTemplate: '' });
    assert.equal(attribute(gateOf(live), 'template'), undefined);
    assert.doesNotMatch(html, /template=/);
  });

  it('calls no helper but the built-ins: Handlebars refuses any other at compile time', () => {
    // The check itself: a Stencil Paper helper does not compile here.
    assert.throws(() => compileWithBuiltIns('{{#each (split x "</")}}{{this}}{{/each}}'), /unknown helper split/);
    assert.doesNotThrow(() => compileWithBuiltIns(definition.template));
  });

  it('renders the same with Stencil Paper, which gives the script the page nonce, and nonce="" where there is none', async () => {
    const script = (html: string) => elements(liveNodes(parseDocument(html))).find((el) => el.tagName === 'script')!;
    const withNonce = await renderWithPaper(definition.template, defaults, { nonce: 'r4nd0mN0nce' });
    assert.equal(attribute(script(withNonce), 'nonce'), 'r4nd0mN0nce');
    const without = await renderWithPaper(definition.template, defaults);
    assert.equal(attribute(script(without), 'nonce'), '');
    assert.match(
      without,
      /<script type="module" nonce="" src="https:\/\/cdn\.jsdelivr\.net\/npm\/bc-customer-gate@1\.2\.3\/dist\/cdn\/bc-customer-gate\.js"><\/script>/,
    );
    assert.equal(without, renderWidget(defaults), 'Paper and plain Handlebars agree');
  });

  it('escapes every other setting: markup in a text or an attribute stays text', () => {
    const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
    const context = Object.fromEntries(settings.map((s) => [s.id, s.id === 'contentTemplate' ? '' : hostile]));
    const { live, document } = render(context);
    assert.deepEqual(shape(live), shape(render({ ...defaults, contentTemplate: '' }).live));
    assert.equal(attribute(gateOf(live), 'client-id'), hostile);
    assert.ok(textOf(liveNodes(document)).includes('<img src=x onerror=alert(1)>'), 'shown as text');
  });
});

/** The page with the gate's `template` attribute taken out, serialized, and the attribute's value. */
function pageAround(contentTemplate: string): { page: string; template: string | undefined } {
  const { document, live } = render({ ...defaults, contentTemplate });
  const gate = gateOf(live);
  const template = attribute(gate, 'template');
  gate.attrs = gate.attrs.filter((attr) => attr.name !== 'template');
  return { page: serializeDocument(document), template };
}

const BASELINE = pageAround('<p>Welcome</p>').page;

/**
 * Nothing of `contentTemplate` is parsed with the page: the page around the widget, the theme
 * after it included, is exactly the page with a harmless content template, and the gate's attribute
 * carries the merchant's text unchanged (newlines normalised and NUL replaced, as the HTML parser
 * does for any input).
 */
function assertInert(contentTemplate: string): void {
  const { page, template } = pageAround(contentTemplate);
  if (page !== BASELINE) {
    const { live, document } = render({ ...defaults, contentTemplate });
    const leaked = live.filter((el) => attribute(el, 'id') === MARK).length;
    const footer = live.find((el) => attribute(el, 'id') === 'theme-footer');
    assert.fail(
      `the page changed around the widget (${leaked} merchant element(s) live, theme footer inside ` +
        `<${footer?.parentNode && 'tagName' in footer.parentNode ? footer.parentNode.tagName : 'nothing'}>, ` +
        `merchant text live: ${textOf(liveNodes(document)).includes(MARK)}) for:\n${contentTemplate}`,
    );
  }
  const expected =
    contentTemplate === '' ? undefined : contentTemplate.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  assert.equal(template, expected, 'the attribute carries the content template unchanged');
}

describe('no content template is parsed as part of the page', () => {
  it('the check sees live markup: the same templates written inline into a <template> leak', () => {
    // The oracle against what an inline <template> does with them, so it can fail.
    let leaked = 0;
    for (const content of HOSTILE) {
      const html = `${THEME_BEFORE}<bc-customer-gate><template>${content}</template></bc-customer-gate>${THEME_AFTER}`;
      const document = parseDocument(html);
      const live = elements(liveNodes(document));
      const footer = live.find((el) => attribute(el, 'id') === 'theme-footer');
      const footerIntact = footer?.parentNode && 'tagName' in footer.parentNode && footer.parentNode.tagName === 'body';
      if (live.some((el) => attribute(el, 'id') === MARK) || !footerIntact) leaked += 1;
    }
    assert.ok(leaked >= HOSTILE.length / 2, `only ${leaked} of ${HOSTILE.length} leak inline`);
  });

  it(`none of ${HOSTILE.length} hostile content templates leaves markup live or swallows the theme`, () => {
    for (const content of HOSTILE) assertInert(content);
  });

  it('a verified customer gets the markup back from the attribute, intact', () => {
    const content = `<h2 class="x">Hi &amp; welcome</h2><table><tr><td data-bc-field="customer.email"></td></tr></table>`;
    const { live } = render({ ...defaults, contentTemplate: content });
    const inTemplate = parseDocument(`<template>${attribute(gateOf(live), 'template')}</template>`);
    assert.deepEqual(
      elements(templateContents(inTemplate)).map((el) => el.tagName),
      ['h2', 'table', 'tbody', 'tr', 'td'],
    );
  });

  it('for any content built from tag fragments (property)', async (t) => {
    const piece = fc.oneof(
      fc.constantFrom(
        '</',
        '<',
        '>',
        '/',
        '"',
        "'",
        '=',
        '&',
        '&quot;',
        '&amp;',
        '&#34;',
        ' ',
        '\n',
        '\r\n',
        '\t',
        '\0',
        'template',
        'TEMPLATE',
        '<template>',
        '</template>',
        '<!--',
        '-->',
        '<![CDATA[',
        '<p>',
        '</p>',
        '<table>',
        '<tr>',
        '<td>',
        '<th>',
        '<caption>',
        '</table>',
        '<svg>',
        '</svg>',
        '<math>',
        '<mglyph>',
        '<script>',
        '</script>',
        '<style>',
        '<textarea>',
        '<title>',
        '<select>',
        '<frameset>',
        '<body onload=alert(1)>',
        '<html id=x>',
        '</body>',
        '</html>',
        '</bc-customer-gate>',
        `id="${MARK}"`,
        MARK,
        '{{',
        '}}',
        '{{{contentTemplate}}}',
      ),
      fc.constantFrom(...FORMATTING.map((open) => `${open} id="${MARK}">`), ...BARRIERS, ...SWALLOWERS),
    );
    await runProperty(
      t,
      fc.property(
        fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')),
        (content) => assertInert(content),
      ),
      { numRuns: 300 },
    );
  });
});
