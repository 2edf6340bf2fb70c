import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultWidgetTemplate } from '../../src/widget/index.js';
import {
  buildWidgetTemplate,
  cdnScriptUrl,
  DEFAULT_WIDGET_NAME,
  PRE_UPGRADE_STYLE,
  widgetHtml,
} from '../../src/widget/template.js';
import { blockUnder } from '../docs/markdown.js';
import { root } from './run-cli.js';

const version = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;
const definition = buildWidgetTemplate({ version: '1.2.3', clientId: 'cid', endpoint: 'https://app.example.com/gate' });
const settings = definition.schema.flatMap((tab) => tab.sections.flatMap((section) => section.settings));

describe('Page Builder widget template', () => {
  it('is the body POST /v3/content/widget-templates takes', () => {
    assert.deepEqual(Object.keys(definition).sort(), ['name', 'schema', 'template']);
    assert.equal(definition.name, DEFAULT_WIDGET_NAME);
    assert.equal(typeof definition.template, 'string');
    // Page Builder wants one root-level tab holding the visible sections.
    assert.equal(definition.schema.length, 1);
    assert.equal(definition.schema[0]!.type, 'tab');
    for (const setting of settings) {
      assert.ok(['input', 'text', 'code'].includes(setting.type), `${setting.id}: ${setting.type}`);
      assert.equal(typeof setting.id, 'string');
      assert.equal(typeof setting.label, 'string');
      assert.equal(typeof setting.default, 'string');
    }
    assert.equal(new Set(settings.map((s) => s.id)).size, settings.length, 'setting ids are unique');
  });

  it('lets the merchant set the client ID, endpoint, texts and content template', () => {
    const ids = settings.map((s) => s.id);
    for (const id of [
      'clientId',
      'endpoint',
      'signedOutText',
      'signInUrl',
      'deniedText',
      'errorText',
      'contentTemplate',
    ]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(settings.find((s) => s.id === 'clientId')!.default, 'cid');
    assert.equal(settings.find((s) => s.id === 'endpoint')!.default, 'https://app.example.com/gate');
    assert.match(String(settings.find((s) => s.id === 'contentTemplate')!.default), /data-bc-field="customer\.email"/);
  });

  it('uses every setting, and only settings, in the Handlebars template', () => {
    // Paths the template reads: `{{name}}`, `{{#if name}}`, and a helper's first argument.
    const helpers = new Set(['nonce', 'if', 'else']);
    const used = new Set(
      [...definition.template.matchAll(/\{\{\{?[#/]?(?:[A-Za-z]+ +\(?)*([A-Za-z@]+)/g)]
        .map((m) => m[1]!)
        .filter((name) => !helpers.has(name) && !name.startsWith('@')),
    );
    assert.deepEqual([...used].sort(), settings.map((s) => s.id).sort());
  });

  it('takes the content template in a code setting (HTML editor): a text setting has no new lines', () => {
    const content = settings.find((s) => s.id === 'contentTemplate')!;
    assert.equal(content.type, 'code');
    assert.deepEqual(content.typeMeta, { language: 'html' });
    for (const setting of settings.filter((s) => s.type === 'text')) {
      assert.doesNotMatch(String(setting.default), /[\r\n]/, setting.id);
    }
  });

  it("escapes every value, the content template included, which travels in the gate's template attribute", () => {
    // No raw output at all: `{{{ }}}` would write a value as markup.
    assert.deepEqual([...definition.template.matchAll(/\{\{\{/g)], []);
    assert.match(
      definition.template,
      /<bc-customer-gate client-id="\{\{clientId\}\}" endpoint="\{\{endpoint\}\}"\{\{#if contentTemplate\}\} template="\{\{contentTemplate\}\}"\{\{\/if\}\}>/,
    );
    assert.doesNotMatch(definition.template, /<template/, 'no <template> for the page to parse merchant markup into');
  });

  it('renders the four state slots, a sign-in link and a retry button', () => {
    for (const slot of ['loading', 'anonymous', 'denied', 'error'])
      assert.match(definition.template, new RegExp(`<p slot="${slot}">`));
    assert.match(definition.template, /<a href="\{\{signInUrl\}\}">\{\{signInLinkText\}\}<\/a>/);
    assert.match(definition.template, /<button type="button" data-bc-retry>/);
  });

  it("has no logged-in hint: a widget's Handlebars context has no reliable customer", () => {
    assert.doesNotMatch(definition.template, /logged-in|\{\{#if customer/);
  });

  it('loads the pinned CDN bundle as a module script', () => {
    assert.equal(
      cdnScriptUrl('1.2.3'),
      'https://cdn.jsdelivr.net/npm/bc-customer-gate@1.2.3/dist/cdn/bc-customer-gate.js',
    );
    assert.ok(
      definition.template.startsWith(
        `<script type="module" nonce="{{nonce}}" src="${cdnScriptUrl('1.2.3')}"></script>\n`,
      ),
    );
    assert.ok(defaultWidgetTemplate().template.includes(`bc-customer-gate@${version}/dist/cdn/bc-customer-gate.js`));
  });

  it('hides the state texts until the element is defined, with the rules docs/element.md documents', () => {
    assert.ok(definition.template.includes(`<style>${PRE_UPGRADE_STYLE}</style>`));
    const documented = blockUnder('docs/element.md', 'Before the script runs', 'css').code;
    const fold = (css: string) => css.replace(/\s+/g, ' ').trim();
    assert.equal(fold(PRE_UPGRADE_STYLE), fold(documented));
    // Paper must not read the rules as a mustache.
    assert.ok(!PRE_UPGRADE_STYLE.includes('{{') && !PRE_UPGRADE_STYLE.includes('}}'));
  });

  it('accepts a self-hosted https script URL, escaped for HTML and Handlebars', () => {
    const custom = buildWidgetTemplate({
      version: '1.0.0',
      scriptUrl: 'https://cdn.example.com/gate.js?v={{x}}&a="b"',
    });
    const src = /<script type="module" nonce="\{\{nonce\}\}" src="([^"]*)">/.exec(custom.template)![1]!;
    assert.ok(!src.includes('{{'), 'no Handlebars expression in the URL');
    assert.ok(src.includes('&amp;'));
    assert.ok(
      custom.template.startsWith('<script type="module" nonce="{{nonce}}" src="https://cdn.example.com/gate.js?v='),
    );
  });

  it('refuses a plain-http or relative script URL and a missing version', () => {
    assert.throws(
      () => buildWidgetTemplate({ version: '1.0.0', scriptUrl: 'http://cdn.example.com/gate.js' }),
      /must use https/,
    );
    assert.throws(() => buildWidgetTemplate({ version: '1.0.0', scriptUrl: '/gate.js' }), /absolute https URL/);
    assert.throws(() => buildWidgetTemplate({ version: '' }), /needs the package "version"/);
    assert.ok(widgetHtml('http://localhost:8000/x.js').includes('http://localhost:8000/x.js'));
  });
});
