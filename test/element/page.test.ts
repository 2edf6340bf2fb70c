// The page before and without the script: the documented CSS rule, <template> inertness, and the
// CDN bundle as a page would load it.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import { scenario, sleep } from './helpers.js';

/** A separate document, so the element is not defined there unless the frame loads it. */
async function frame(markup: string): Promise<HTMLIFrameElement> {
  const iframe = await fixture<HTMLIFrameElement>(html`<iframe style="width: 600px; height: 400px"></iframe>`);
  const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
  iframe.srcdoc = `<!doctype html><body>${markup}</body>`;
  await loaded;
  return iframe;
}

const GATE = `<bc-customer-gate client-id="c" endpoint="https://app.example/x">
  <p slot="loading" id="loading">Checking…</p>
  <p slot="anonymous" id="anonymous">Sign in</p>
  <p slot="error" id="error">Error</p>
  <p id="plain">Plain child</p>
  <template><p id="secret">template content</p></template>
</bc-customer-gate>`;

const visible = (doc: Document, id: string) => {
  const el = doc.getElementById(id);
  return !!el && el.checkVisibility() && el.getClientRects().length > 0;
};

async function documentedRule(): Promise<string> {
  const readme = await (await fetch('/README.md')).text();
  const section = readme.slice(readme.indexOf('### Before the script runs'));
  const rule = /```css\n([^`]*:not\(:defined\)[^`]*)```/.exec(section)?.[1];
  if (!rule)
    throw new Error('README.md has no ```css block with the :not(:defined) rule under "Before the script runs"');
  return rule;
}

/**
 * The rules as a browser without media range syntax reads them (older than Safari 16.4, which
 * cannot run the element either): the range query never matches there.
 */
const asAnOlderBrowser = (rule: string) => {
  if (!rule.includes('@media (width >= 0px)')) throw new Error('the documented rules no longer test range syntax');
  return rule.replace('@media (width >= 0px)', '@media not all');
};

describe('before the element is defined', () => {
  it("with README's rule, only the loading slot's content shows; template content never renders", async () => {
    const rule = await documentedRule();
    const doc = (await frame(`<style>${rule}</style>${GATE}`)).contentDocument!;
    expect(doc.defaultView!.customElements.get('bc-customer-gate')).to.equal(undefined);
    expect(visible(doc, 'loading')).to.equal(true);
    for (const id of ['anonymous', 'error', 'plain']) expect(visible(doc, id), id).to.equal(false);
    expect(doc.getElementById('secret')).to.equal(null);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not every text node
    expect(doc.body.innerText).to.not.include('template content');
  });

  it("in a browser too old to define it, README's rules show the signed-out text instead of checking forever", async () => {
    const rule = asAnOlderBrowser(await documentedRule());
    const doc = (await frame(`<style>${rule}</style>${GATE}`)).contentDocument!;
    expect(visible(doc, 'anonymous')).to.equal(true);
    for (const id of ['loading', 'error', 'plain']) expect(visible(doc, id), id).to.equal(false);
    expect(doc.getElementById('secret')).to.equal(null);
  });

  it("the widget's one-line rules behave as README's", async () => {
    const { PRE_UPGRADE_STYLE } = await import('../../src/widget/template.js');
    for (const [rule, shows] of [
      [PRE_UPGRADE_STYLE, 'loading'],
      [asAnOlderBrowser(PRE_UPGRADE_STYLE), 'anonymous'],
    ]) {
      const doc = (await frame(`<style>${rule}</style>${GATE}`)).contentDocument!;
      for (const id of ['loading', 'anonymous', 'error', 'plain'])
        expect(visible(doc, id), `${id} with ${rule}`).to.equal(id === shows);
    }
  });

  it('without the rule every state would show at once (what the rule is for); templates still never render', async () => {
    const doc = (await frame(GATE)).contentDocument!;
    for (const id of ['loading', 'anonymous', 'error', 'plain']) expect(visible(doc, id), id).to.equal(true);
    expect(doc.getElementById('secret')).to.equal(null);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not every text node
    expect(doc.body.innerText).to.not.include('template content');
  });
});

// That the file imports nothing is checked on the file itself by scripts/size.mjs: the test server
// would resolve a bare import here and hide the problem.
describe('the CDN bundle', () => {
  const BUNDLE = '/dist/cdn/bc-customer-gate.js';

  // Script Manager's `kind: script_tag` can say type="module"; its `kind: src` writes a classic tag.
  for (const type of ['module', 'text/javascript']) {
    it(`defines the element on load as a ${type} script, in production mode, and verifies a customer`, async () => {
      const s = await scenario();
      const iframe = await frame(`
      <script>
        window.messages = [];
        for (const level of ['warn', 'error']) {
          const original = console[level];
          console[level] = (...args) => { window.messages.push(args.join(' ')); original.apply(console, args); };
        }
        addEventListener('error', (event) => window.messages.push(String(event.message)));
      </script>
      <script type="${type}" src="${BUNDLE}"></script>
      <bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.tokenUrl}">
        <template><p id="hello">Hi <span data-bc-field="customer.email"></span></p></template>
      </bc-customer-gate>`);
      const win = iframe.contentWindow as Window & typeof globalThis & { messages: string[] };
      const started = Date.now();
      while (!win.document.getElementById('hello')) {
        if (Date.now() - started > 4000)
          throw new Error(`never verified; is ${BUNDLE} built? messages: ${win.messages}`);
        await sleep(20);
      }
      expect(win.document.getElementById('hello')!.textContent).to.equal('Hi shopper@example.com');
      expect(win.document.querySelector('bc-customer-gate')!.getAttribute('state')).to.equal('verified');
      expect(win.messages).to.deep.equal([]);
    });
  }

  it('the development file verifies a customer too, and prints the hints the production file leaves out', async () => {
    const s = await scenario();
    const iframe = await frame(`
      <script>
        window.messages = [];
        const original = console.error;
        console.error = (...args) => { window.messages.push(args.join(' ')); original.apply(console, args); };
      </script>
      <script type="module" src="/dist/cdn/bc-customer-gate.dev.js"></script>
      <bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.tokenUrl}">
        <template><p id="hello">Hi <span data-bc-field="customer.email"></span></p></template>
      </bc-customer-gate>
      <bc-customer-gate id="unconfigured" client-id="c"></bc-customer-gate>`);
    const win = iframe.contentWindow as Window & typeof globalThis & { messages: string[] };
    const started = Date.now();
    while (!win.document.getElementById('hello') || win.messages.length === 0) {
      if (Date.now() - started > 4000) throw new Error(`never verified or hinted; messages: ${win.messages}`);
      await sleep(20);
    }
    expect(win.document.getElementById('hello')!.textContent).to.equal('Hi shopper@example.com');
    expect(win.document.getElementById('unconfigured')!.getAttribute('state')).to.equal('error');
    expect(win.messages).to.deep.equal([
      "<bc-customer-gate>: client-id and endpoint (the app's exchange URL) are required.",
    ]);
  });

  it('leaves an element already defined under the name alone', async () => {
    const iframe = await frame(`
      <script>
        window.messages = [];
        addEventListener('error', (event) => window.messages.push(String(event.message)));
        customElements.define('bc-customer-gate', class extends HTMLElement {});
      </script>
      <script type="module" src="${BUNDLE}"></script>
      <script type="module">window.loaded = true;</script>`);
    const win = iframe.contentWindow as Window & typeof globalThis & { messages: string[]; loaded?: boolean };
    const started = Date.now();
    while (!win.loaded) {
      if (Date.now() - started > 4000) throw new Error('the frame never finished loading');
      await sleep(20);
    }
    expect(win.messages).to.deep.equal([]);
    expect(win.customElements.get('bc-customer-gate')!.name).to.equal('');
  });
});
