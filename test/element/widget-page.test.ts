// The Page Builder widget as a shopper's browser gets it: the widget template rendered with
// Handlebars v3 and its built-in helpers alone (Page Builder's `handlebars_v3`), a hostile content
// template among its settings, on a store page with the theme's markup after the widget. Each page
// is parsed by the engine itself, in a frame of its own, and runs the element from its script tag.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import { buildWidgetTemplate } from '../../src/widget/template.js';
import { ENDERS, FORMATTING, BARRIERS, MARK, SWALLOWERS } from '../cli/widget-hostile.js';
import { type Scenario, scenario, sleep } from './helpers.js';

interface HandlebarsLike {
  compile(template: string, options: { knownHelpersOnly: boolean }): (context: object) => string;
}
type Frame = HTMLIFrameElement & { contentWindow: Window & { __leak?: number } };

/** Handlebars v3 (the copy Stencil Paper renders `handlebars_v3` with), loaded as a classic script. */
async function handlebars(): Promise<HandlebarsLike> {
  const global = window as Window & { Handlebars?: HandlebarsLike };
  if (!global.Handlebars) {
    const script = document.createElement('script');
    script.src = '/node_modules/handlebars/dist/handlebars.min.js';
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('could not load Handlebars v3 from node_modules'));
      document.head.append(script);
    });
  }
  return global.Handlebars!;
}

/** The widget's Handlebars with this test server's copy of the element as its script. */
const { template } = buildWidgetTemplate({
  version: '0.0.0',
  scriptUrl: new URL('/src/element/index.ts', location.href).href,
});

const settings = {
  clientId: 'test-client',
  loadingText: 'Checking…',
  signedOutText: 'Signed out.',
  signInUrl: '/login.php',
  signInLinkText: 'Sign in',
  deniedText: 'Denied.',
  errorText: 'Error.',
  retryText: 'Retry',
};

/**
 * A store page with the rendered widget in it, loaded in a frame. The widget's settings carry the
 * scenario's endpoint; `token-url` is added to the rendered gate (a widget has none) so the token
 * comes from the scenario.
 */
async function widgetPage(s: Scenario, contentTemplate: string): Promise<Frame> {
  const render = (await handlebars()).compile(template, { knownHelpersOnly: true });
  const widget = render({ ...settings, endpoint: s.endpoint, contentTemplate }).replace(
    '<bc-customer-gate ',
    `<bc-customer-gate token-url="${s.tokenUrl}" `,
  );
  const frame = (await fixture(html`<iframe style="width: 600px; height: 400px"></iframe>`)) as Frame;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.srcdoc = `<!doctype html><html><head><title>Store</title></head><body><header id="theme-header">Store</header><main>${widget}</main><footer id="theme-footer"><a href="#contact">Contact</a></footer></body></html>`;
  await loaded;
  return frame;
}

async function settled(frame: Frame, state: string): Promise<Element> {
  const started = Date.now();
  for (;;) {
    const gate = frame.contentDocument!.querySelector('bc-customer-gate') as (Element & { state?: string }) | null;
    if (gate?.state === state) return gate;
    if (Date.now() - started > 4000)
      throw new Error(`the widget's gate never reached "${state}" (is "${gate?.state}")`);
    await sleep(10);
  }
}

/** The theme after the widget renders as the theme's: a child of <body>, on screen, with its text. */
function expectThemeIntact(frame: Frame, content: string): void {
  const doc = frame.contentDocument!;
  const footer = doc.getElementById('theme-footer');
  expect(footer?.parentElement, `theme footer after: ${content}`).to.equal(doc.body);
  expect(footer!.getClientRects().length, `theme footer rendered after: ${content}`).to.be.above(0);
  expect(footer!.textContent).to.equal('Contact');
  expect(doc.body.lastElementChild, content).to.equal(footer);
}

/** Runs every hostile handler into the frame's own flag instead of an alert. */
const flagged = (content: string) => content.replaceAll('alert(1)', 'window.__leak=1');

describe('the Page Builder widget on a store page: hostile content templates', () => {
  const groups: Array<[string, string[]]> = [
    [
      'formatting elements before a table cell, caption or object',
      FORMATTING.flatMap((open) =>
        BARRIERS.map((barrier) => `${open} id="${MARK}" onmouseover="alert(1)">${MARK}${barrier}`),
      ),
    ],
    [
      'elements that swallow the rest of the page',
      SWALLOWERS.map((open) => `<p>ok</p>${open}<b id="${MARK}">${MARK}</b>`),
    ],
    [
      'ways to end the template or the attribute',
      ENDERS.map((end) => `<p>ok</p>${end}<img id="${MARK}" src=x onerror="alert(1)">${MARK}`),
    ],
  ];

  for (const [name, contents] of groups) {
    it(`${name} (${contents.length}): a guest's page has no merchant element and the theme renders`, async function () {
      (this as { timeout(ms: number): void }).timeout(60_000);
      const s = await scenario({ token: [{ status: 404 }] });
      for (const raw of contents) {
        const content = flagged(raw);
        const frame = await widgetPage(s, content);
        const gate = await settled(frame, 'anonymous');
        const doc = frame.contentDocument!;
        expect(doc.querySelectorAll(`[id="${MARK}"]`).length, `live merchant element for: ${content}`).to.equal(0);
        expect(doc.body.textContent, content).to.not.include(MARK);
        expect(doc.querySelector('template'), content).to.equal(null);
        expect(gate.getAttribute('template'), 'the attribute carries the content as text').to.equal(content);
        expectThemeIntact(frame, content);
        expect(frame.contentWindow.__leak, content).to.equal(undefined);
        frame.remove();
      }
    });
  }

  it("a verified customer gets the merchant's content stamped inside the gate, the theme untouched", async () => {
    const s = await scenario();
    const content = flagged(
      `<p id="greet">Hello, <span data-bc-field="customer.email"></span></p><b id="${MARK}">${MARK}<table><td>cell</td></table></b><img src=x onerror="alert(1)"><script>alert(1)</script>`,
    );
    const frame = await widgetPage(s, content);
    const gate = await settled(frame, 'verified');
    const doc = frame.contentDocument!;
    expect(gate.querySelector('[data-bc-field="customer.email"]')!.textContent).to.equal('shopper@example.com');
    const marks = [...doc.querySelectorAll(`[id="${MARK}"]`)];
    expect(marks.length).to.be.above(0);
    for (const mark of marks) expect(gate.contains(mark), 'merchant markup only inside the gate').to.equal(true);
    expect(gate.querySelector('#greet')!.getClientRects().length, 'the content renders').to.be.above(0);
    expectThemeIntact(frame, content);
    // Cleaned as a fragment is: no script, no handler.
    expect(gate.querySelector('script')).to.equal(null);
    expect(gate.querySelector('[onerror]')).to.equal(null);
    await sleep(50);
    expect(frame.contentWindow.__leak).to.equal(undefined);
  });
});
