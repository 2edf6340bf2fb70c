// The other embedding surfaces of the demo in real Chromium: the Script Manager page (CDN bundle
// only), the Page Builder widget (an HTML fragment from the app), a category page with ten gates,
// and what a page shows before the element is defined.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_EMAILS,
  ALL_PRODUCT_NAMES,
  ANN,
  assertAbsent,
  BEN,
  everythingOnPage,
  productNames,
  recordRequests,
  screenshot,
  shownSlots,
  signInWithDemoBar,
  useHarness,
  STORE,
  waitForState,
} from './browser.js';

const h = useHarness();

describe('cart page: added with Script Manager', () => {
  it('loads only the CDN bundle, through one module script, and shows the products to buy again', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/cart.html'));
    await signInWithDemoBar(page, ANN.id);
    await waitForState(page, 'verified', '#buy-again');

    const names = await page.$$eval('#buy-again .again [data-bc-field="name"]', (nodes) =>
      nodes.map((n) => n.textContent),
    );
    assert.deepEqual(names, productNames(STORE, ANN.id));
    const scripts = await page.$$eval('script', (nodes) =>
      nodes.map((n) => ({ type: n.getAttribute('type'), src: n.getAttribute('src') })),
    );
    assert.deepEqual(scripts, [{ type: 'module', src: '/dist/cdn/bc-customer-gate.js' }]);
    const scriptsLoaded = log.requests
      .map((r) => new URL(r.url).pathname)
      .filter((path) => path.startsWith('/dist/') || path.startsWith('/vendor/'));
    assert.deepEqual([...new Set(scriptsLoaded)], ['/dist/cdn/bc-customer-gate.js']);
    await screenshot(page, 'cart-verified');
  });
});

describe('members page: the Page Builder widget', () => {
  it('shows the HTML fragment the app rendered for this customer', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/members.html'));
    await signInWithDemoBar(page, BEN.id);
    await waitForState(page, 'verified');

    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('bc-customer-gate img')].every((img) => img.complete),
    );
    const items = await page.$$eval('bc-customer-gate .members-recent .recent-item', (lis) =>
      lis.map((li) => ({
        name: li.querySelector('.recent-name')?.textContent?.trim(),
        href: li.querySelector('a.recent-name')?.getAttribute('href'),
        meta: li.querySelector('.recent-meta')?.textContent?.trim(),
        image: (li.querySelector('img.recent-image') as HTMLImageElement | null)?.naturalWidth ?? 0,
      })),
    );
    const storefront = new URL(h.demo.storefrontUrl).origin;
    // From the mock store's orders: newest first, the cancelled order's kettle left out; each image
    // served by the storefront and loaded, each link the product's custom_url on the storefront.
    assert.deepEqual(items, [
      {
        name: 'Harbor Espresso Blend, 1 kg',
        href: `${storefront}/harbor-espresso-blend-1-kg/`,
        meta: 'Ordered Nov 12, 2026 · Quantity 6',
        image: 160,
      },
      {
        name: 'Swiss Water Decaf, 250 g',
        href: `${storefront}/swiss-water-decaf-250-g/`,
        meta: 'Ordered Nov 12, 2026 · Quantity 4',
        image: 160,
      },
      {
        name: '58 mm Tamper',
        href: `${storefront}/58-mm-tamper/`,
        meta: 'Ordered Sep 20, 2026 · Quantity 1',
        image: 160,
      },
    ]);
    assert.deepEqual(
      items.map((item) => item.name),
      productNames(STORE, BEN.id),
    );
    assert.match(
      (await page.textContent('bc-customer-gate .members-who')) ?? '',
      new RegExp(`Signed in as ${BEN.email} · Wholesale: 20% off every reorder`),
    );
    assert.deepEqual(
      log.exchanges().map((r) => new URL(r.url).pathname),
      ['/customer-gate/fragment'],
    );
    assertAbsent(await everythingOnPage(page), [...productNames(STORE, ANN.id), ANN.email], "Ben's members page");
    await screenshot(page, 'members-verified');
    // A product link goes to the product's page (in the demo, its card on the shop page).
    await Promise.all([page.waitForURL(/\/shop\.html#HH-TMP-58$/), page.click('a.recent-name >> text=58 mm Tamper')]);
  });

  it('a guest costs one token request (no logged-in hint in a widget) and no exchange', async () => {
    const page = await h.newPage();
    const log = await recordRequests(page, h.demo.app.origin);
    await page.goto(h.demo.url('/members.html'));
    await waitForState(page, 'anonymous');
    assert.deepEqual(await shownSlots(page), ['anonymous']);
    assert.equal(log.tokenRequests().length, 1);
    assert.equal(log.exchanges().length, 0);
    assert.equal(h.demo.storefront.stats.tokensIssued, 0);
    assertAbsent(await everythingOnPage(page), [...ALL_PRODUCT_NAMES, ...ALL_EMAILS], 'the guest members page');
  });
});

describe('shop page: ten gates', () => {
  it("marks exactly the products this customer bought, on every card's own gate", async () => {
    const page = await h.newPage();
    await page.goto(h.demo.url('/shop.html'));
    await signInWithDemoBar(page, ANN.id);
    await waitForState(page, 'verified');
    const marked = await page.$$eval('.card', (cards) =>
      cards
        .filter((card) => card.querySelector('.bought')?.textContent?.trim())
        .map((card) => card.querySelector('.card-title')?.textContent),
    );
    assert.deepEqual(marked.sort(), productNames(STORE, ANN.id).sort());
    assert.match(
      (await page.textContent('.card[data-sku="HH-PO-SET"] .bought')) ?? '',
      /You bought this on Oct 2, 2026/,
    );
    await screenshot(page, 'shop-verified', { file: 'demo-ten-gates.png', height: 528 });
  });
});

describe('before the element is defined', () => {
  for (const [path, blocked] of [
    ['/members.html', '**/dist/cdn/**'],
    ['/account.html', '**/dist/element/**'],
  ] as const) {
    it(`${path}: with the script blocked, only the loading text shows, never every state at once`, async () => {
      const page = await h.newPage();
      await page.route(blocked, (route) => route.abort());
      await page.goto(h.demo.url(path));
      assert.equal(await page.evaluate(() => customElements.get('bc-customer-gate') === undefined), true);
      const gate = page.locator('bc-customer-gate').first();
      assert.equal(await gate.locator('[slot="loading"]').isVisible(), true);
      for (const slot of ['anonymous', 'denied', 'error']) {
        assert.equal(await gate.locator(`[slot="${slot}"]`).isVisible(), false, `${slot} slot visible before upgrade`);
      }
    });
  }
});
