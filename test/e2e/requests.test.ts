// Request accounting in real Chromium, from the browser's own network events and checked against
// what the servers received: ten gates cost one token request and one exchange, with no CORS
// preflight; the theme's logged-in hint costs nothing; a tab switch before expiry costs nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANN, recordRequests, setVisibility, signInWithDemoBar, useHarness, waitForState } from './browser.js';

const h = useHarness();

describe('request accounting', () => {
  it('a page with ten gates makes one token request, one exchange and no preflight', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/shop.html'));
    await signInWithDemoBar(page, ANN.id);
    await waitForState(page, 'verified');
    assert.equal(await page.locator('bc-customer-gate').count(), 10);
    // Let anything late arrive before counting.
    await page.waitForTimeout(300);

    assert.equal(log.tokenRequests().length, 1, 'token requests seen by the browser');
    assert.equal(log.exchanges().length, 1, 'exchanges seen by the browser');
    assert.equal(log.preflights().length, 0, 'preflights seen by the browser');
    const app = h.demo.app.stats;
    assert.equal(app.count('POST', '/customer-gate'), 1);
    assert.equal(app.count('OPTIONS'), 0);
    assert.equal(app.requests.length, 1);
    assert.equal(h.demo.storefront.stats.tokenRequests, 1);
  });

  it('the preflight count above can fail: a request with a custom header is seen preflighted', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/shop.html'));
    // What a careless client would send: a custom header makes the POST non-simple.
    const status = await page.evaluate(async (endpoint) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        body: 'x',
        headers: { 'X-Requested-With': 'fetch' },
      }).catch(() => null);
      return response?.status ?? 'blocked';
    }, h.demo.app.endpoint);
    assert.equal(status, 'blocked', 'the endpoint allows only Content-Type, so the browser refuses');
    await page.waitForTimeout(100);
    assert.equal(log.preflights().length, 1);
    assert.equal(h.demo.app.stats.count('OPTIONS'), 1);
    assert.equal(h.demo.app.stats.count('POST'), 0);
  });

  it('logged-in="false" makes no request at all, for ten gates', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/shop.html'));
    await waitForState(page, 'anonymous');
    assert.equal(
      await page.$$eval(
        'bc-customer-gate',
        (gates) => gates.filter((g) => g.getAttribute('logged-in') === 'false').length,
      ),
      10,
    );
    await page.waitForTimeout(300);
    assert.equal(log.tokenRequests().length, 0);
    assert.equal(log.exchanges().length, 0);
    assert.equal(log.preflights().length, 0);
    assert.equal(h.demo.storefront.stats.tokenRequests, 0);
    assert.equal(h.demo.app.stats.requests.length, 0);
  });

  it('a tab hidden and shown again before the token nears expiry makes no request', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/shop.html'));
    await signInWithDemoBar(page, ANN.id);
    await waitForState(page, 'verified');
    log.clear();
    for (const state of ['hidden', 'visible', 'hidden', 'visible'] as const) await setVisibility(page, state);
    await page.waitForTimeout(300);
    assert.equal(log.tokenRequests().length, 0);
    assert.equal(log.exchanges().length, 0);
  });
});
