// The Page Builder widget template as a shopper's browser gets it: rendered by Stencil Paper
// (Handlebars v3) with a content template that tries to end a <template> early and to leave a
// formatting element open around the theme, served from the demo storefront's origin with theme
// markup after it, and run in Chromium against the demo app and the built CDN bundle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWidgetTemplate } from '../../src/widget/template.js';
import { renderWithPaper } from '../cli/paper.js';
import { ANN, signInWithDemoBar, useHarness, waitForState } from './browser.js';

const h = useHarness();

const HOSTILE =
  '<p class="hello">Hello, <span data-bc-field="customer.email"></span></p></TEMPLATE ><p id="leak">MERCHANT-ONLY-FOR-VERIFIED</p><b id="wrap"><table><td>cell';

async function widgetPage(clientId: string): Promise<string> {
  const { template } = buildWidgetTemplate({
    version: '0.0.0',
    scriptUrl: h.demo.url('/dist/cdn/bc-customer-gate.js'),
  });
  const widget = await renderWithPaper(template, {
    clientId,
    endpoint: h.demo.app.endpoint,
    loadingText: 'Checking…',
    signedOutText: 'Signed out.',
    signInUrl: '/login.php',
    signInLinkText: 'Sign in',
    deniedText: 'Denied.',
    errorText: 'Error.',
    retryText: 'Retry',
    contentTemplate: HOSTILE,
  });
  return `<!doctype html><html><head><title>Widget</title></head><body>${widget}<footer id="theme-footer">Theme</footer></body></html>`;
}

describe('Page Builder widget rendered by Stencil Paper, in Chromium', () => {
  it('a hostile content template shows nothing to a guest, and is stamped only inside the gate for a verified customer', async () => {
    const page = await h.newPage();
    // The demo storefront's own pages carry the demo app's client ID.
    await page.goto(h.demo.url('/account.html'));
    const html = await widgetPage((await page.getAttribute('bc-customer-gate', 'client-id'))!);
    const path = '/paper-widget.html';
    // Served by the storefront itself: the page's origin is the store's, as a widget's is.
    h.demo.storefront.route({
      path,
      handle(_request, response) {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      },
    });

    await page.goto(h.demo.url(path));
    await waitForState(page, 'anonymous');
    assert.equal(await page.$('#leak'), null, 'nothing of the content template is in the guest page');
    assert.equal(await page.$('#wrap'), null);
    assert.equal(await page.$eval('#theme-footer', (el) => el.parentElement?.tagName), 'BODY');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a guest sees.
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes('MERCHANT-ONLY'));

    await page.goto(h.demo.url('/account.html'));
    await signInWithDemoBar(page, ANN.id);
    await page.goto(h.demo.url(path));
    await waitForState(page, 'verified');
    assert.equal(await page.textContent('bc-customer-gate [data-bc-field="customer.email"]'), ANN.email);
    // The stray end tag is dropped by the inert parse; everything the merchant wrote is inside the gate.
    assert.equal(await page.$eval('#leak', (el) => el.parentElement?.tagName), 'BC-CUSTOMER-GATE');
    assert.equal(await page.$eval('#wrap', (el) => !!el.closest('bc-customer-gate')), true);
    assert.equal(await page.$eval('#theme-footer', (el) => el.parentElement?.tagName), 'BODY');
  });
});
