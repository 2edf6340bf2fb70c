// The widget template as Page Builder runs it: its schema checked against the documented widget
// schema, its Handlebars rendered by Stencil Paper (Handlebars v3, Paper's helpers), and the HTML
// parsed by a standards-conforming parser, so what a browser would render live is what is asserted.
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
import {
  attribute,
  elements,
  liveNodes,
  parseDocument,
  renderWithPaper,
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

async function render(context: Record<string, unknown>, nonce?: string) {
  const html = await renderWithPaper(definition.template, context, nonce === undefined ? {} : { nonce });
  const document = parseDocument(html);
  return { html, document, live: elements(liveNodes(document)), inert: [...templateContents(document)] };
}

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
    assert.equal(
      broken((tab) => void (content(tab).type = 'html')),
      false,
      'an unknown setting type',
    );
    assert.equal(
      broken((tab) => void (content(tab).typeMeta = { language: 'javascript' })),
      false,
      'a code language other than html',
    );
    assert.equal(
      broken((tab) => void ((content(tab).type = 'text'), (content(tab).default = '<p>a</p>\n<p>b</p>'))),
      false,
      'a text setting with new lines',
    );
    assert.equal(
      broken((tab) => void ((tab.sections[0]!.settings[0] as { id?: string }).id = undefined)),
      false,
      'a setting without id',
    );
    assert.equal(
      broken((tab) => void ((tab as { label?: string }).label = undefined)),
      false,
      'a tab without label',
    );
  });
});

describe('the widget rendered by Stencil Paper (Handlebars v3)', () => {
  it('renders the gate with its settings, four state slots and the content template inside <template>', async () => {
    const { live, inert } = await render(defaults);
    const gate = live.find((el) => el.tagName === 'bc-customer-gate')!;
    assert.equal(attribute(gate, 'client-id'), 'cid');
    assert.equal(attribute(gate, 'endpoint'), 'https://app.example.com/gate');
    assert.deepEqual(
      live.filter((el) => attribute(el, 'slot')).map((el) => attribute(el, 'slot')),
      ['loading', 'anonymous', 'denied', 'error'],
    );
    assert.equal(attribute(live.find((el) => el.tagName === 'a')!, 'href'), '/login.php');
    const field = elements(inert).find((el) => attribute(el, 'data-bc-field') === 'customer.email');
    assert.ok(field, 'the default content template is inert, inside the <template>');
    assert.ok(!live.some((el) => attribute(el, 'data-bc-field')), 'nothing of it is live');
  });

  it('renders a multi-line content template intact inside the <template>', async () => {
    const content =
      '<h2>Your plan</h2>\n<ul data-bc-list="data.items">\n  <li data-bc-field="name"></li>\n</ul>\n<table><tr><td>a</td></tr></table>';
    const { html, inert } = await render({ ...defaults, contentTemplate: content });
    assert.ok(html.includes(`<template>${content}</template>`), html);
    assert.deepEqual(shape(elements(inert)), [
      'h2[]',
      'ul[data-bc-list]',
      'li[data-bc-field]',
      'table[]',
      'tbody[]',
      'tr[]',
      'td[]',
    ]);
  });

  it('gives the script the page nonce, and nonce="" where there is none', async () => {
    const script = (live: Element[]) => live.find((el) => el.tagName === 'script')!;
    assert.equal(attribute(script((await render(defaults, 'r4nd0mN0nce')).live), 'nonce'), 'r4nd0mN0nce');
    const without = await render(defaults);
    assert.equal(attribute(script(without.live), 'nonce'), '');
    assert.match(
      without.html,
      /<script type="module" nonce="" src="https:\/\/cdn\.jsdelivr\.net\/npm\/bc-customer-gate@1\.2\.3\/dist\/cdn\/bc-customer-gate\.js"><\/script>/,
    );
  });

  it('escapes every other setting: markup in a text or an attribute stays text', async () => {
    const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
    const context = Object.fromEntries(settings.map((s) => [s.id, s.id === 'contentTemplate' ? '' : hostile]));
    const { live, document } = await render(context);
    assert.deepEqual(
      shape(live.filter((el) => !['html', 'head', 'body'].includes(el.tagName))),
      shape((await render(defaults)).live.filter((el) => !['html', 'head', 'body'].includes(el.tagName))),
    );
    const gate = live.find((el) => el.tagName === 'bc-customer-gate')!;
    assert.equal(attribute(gate, 'client-id'), hostile);
    assert.ok(textOf(liveNodes(document)).includes('<img src=x onerror=alert(1)>'), 'shown as text');
  });

  describe('a content template cannot end the <template> early', () => {
    const MARK = 'LIVE-MARK';
    const benignShape = async () => shape((await render({ ...defaults, contentTemplate: '' })).live);

    async function assertNothingLive(contentTemplate: string): Promise<void> {
      const { live, document, html } = await render({ ...defaults, contentTemplate });
      const leaked = live.filter((el) => attribute(el, 'id') === MARK).length;
      assert.equal(leaked, 0, `an element of the content template is live:\n${html}`);
      assert.ok(!textOf(liveNodes(document)).includes(MARK), `text of the content template is live:\n${html}`);
    }

    it('whatever the spelling of </template>', async () => {
      for (const end of [
        '</template>',
        '</TEMPLATE>',
        '</Template >',
        '</template\n>',
        '</template\t/>',
        '</tEmPlAtE foo="bar">',
        '</template',
        '</template></template></template>',
      ]) {
        await assertNothingLive(
          `<p>ok</p>${end}<img id="${MARK}" src=x onerror="alert(1)"><b id="${MARK}">${MARK}</b>`,
        );
      }
    });

    it('nor by balancing its own <template> first', async () => {
      await assertNothingLive(`<template><p>inner</p></template></template><div id="${MARK}">${MARK}</div>`);
      await assertNothingLive(`<template></template ></TEMPLATE><div id="${MARK}">${MARK}</div>`);
    });

    it('the page around it is unchanged and the stamped content shows the stray end tag as text', async () => {
      const { live, inert } = await render({
        ...defaults,
        contentTemplate: `<p>before</p></template><p id="after">after</p>`,
      });
      assert.deepEqual(shape(live), await benignShape());
      assert.equal(textOf(inert), 'before</template>after');
      assert.deepEqual(
        elements(inert).map((el) => el.tagName),
        ['p', 'p'],
      );
    });

    it('for any content built from tag fragments (property)', async () => {
      const piece = fc.constantFrom(
        '</',
        '<',
        '>',
        '/',
        'template',
        'TEMPLATE',
        'Template',
        '<template>',
        '</template>',
        ' ',
        '\n',
        '\t',
        '"',
        "'",
        '=',
        '<!--',
        '-->',
        '<p>',
        '</p>',
        '<table>',
        '<td>',
        '<svg>',
        '</svg>',
        '<script>',
        '</script>',
        '<textarea>',
        '<title>',
        '<plaintext>',
        `<b id="${MARK}">`,
        MARK,
        '{{',
        '}}',
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')),
          assertNothingLive,
        ),
        { numRuns: 300 },
      );
    });
  });
});
