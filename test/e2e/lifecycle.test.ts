// The gate over a page's whole life, in Chromium with its back/forward cache on (as a shopper's
// browser has it): Back after sign-out, a customer switch in another tab, a tab that returns, and
// what the accessibility tree holds at each state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ANN,
  BEN,
  STORE,
  productNames,
  recordRequests,
  setVisibility,
  signInWithDemoBar,
  useHarness,
  waitForState,
} from './browser.js';

const GATE = '#recently-purchased';
const h = useHarness({ backForwardCache: true });

/**
 * Before any page script: records every `pageshow` and, from a restore on, each animation frame's
 * rendered text inside the gate, so a test can tell what the first frames after Back painted.
 */
const FRAME_RECORDER = `(() => {
  window.__shows = [];
  window.__frames = [];
  addEventListener('pageshow', (event) => {
    const gate = document.querySelector('${GATE}');
    window.__shows.push({ persisted: event.persisted, text: gate ? gate.innerText : '' });
    if (!event.persisted) return;
    const started = performance.now();
    const frame = () => {
      window.__frames.push(gate ? gate.innerText : '');
      if (performance.now() - started < 1500) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
})()`;

async function signedInAccount(customerId: number, page?: Page): Promise<Page> {
  page ??= await h.newPage();
  await page.addInitScript(FRAME_RECORDER);
  await page.goto(h.demo.url('/account.html'));
  await signInWithDemoBar(page, customerId);
  await waitForState(page, 'verified', GATE);
  return page;
}

// biome-ignore lint/performance/useDomNodeTextContent: what the shopper sees, so rendered text, not the DOM's.
const gateText = (page: Page) => page.$eval(GATE, (gate) => (gate as HTMLElement).innerText);

describe('page lifecycle', () => {
  it('Back after sign-out: restored from the cache, and no frame shows the previous customer', async () => {
    const page = await signedInAccount(ANN.id);
    const names = productNames(STORE, ANN.id);
    assert.ok(names.length > 0);
    assert.match(await gateText(page), new RegExp(names[0]!));
    // Sign out through Stencil's sign-out link, which lands on the home page; Back from there is the
    // next person's way to Ann's page.
    await page.evaluate(() => {
      const link = Object.assign(document.createElement('a'), { href: '/login.php?action=logout&return=/' });
      document.body.append(link);
      link.click();
    });
    await page.waitForURL(h.demo.url('/'));
    // Counted at the servers: a restored page's requests do not reach Playwright's request events.
    const [tokensBefore, appBefore] = [h.demo.storefront.stats.tokenRequests, h.demo.app.stats.requests.length];
    // A page restored from the cache fires no load event: wait for the commit only.
    await page.goBack({ waitUntil: 'commit' });
    await waitForState(page, 'anonymous', GATE);
    const { shows, frames } = await page.evaluate(() => ({
      shows: (window as unknown as { __shows: Array<{ persisted: boolean; text: string }> }).__shows,
      frames: (window as unknown as { __frames: string[] }).__frames,
    }));
    // The page really came back from the back/forward cache (the element kept it eligible)...
    assert.equal(shows.at(-1)!.persisted, true, 'Back did not restore the page from the back/forward cache');
    // ...and neither at pageshow nor in any frame after it did Ann's data render.
    for (const text of [shows.at(-1)!.text, ...frames]) {
      for (const name of names) assert.ok(!text.includes(name), `painted ${name} after Back: ${JSON.stringify(text)}`);
      assert.ok(!text.includes(ANN.email));
    }
    assert.ok(frames.length > 0, 'no frame was recorded after the restore');
    // The restored page asked again: one token request (404), no exchange.
    assert.equal(h.demo.storefront.stats.tokenRequests - tokensBefore, 1);
    assert.equal(h.demo.app.stats.requests.length - appBefore, 0);
  });

  it('Back as the same customer: restored from the cache, asked again, shown again', async () => {
    const page = await signedInAccount(ANN.id);
    await page.goto(h.demo.url('/'));
    const [tokensBefore, appBefore] = [h.demo.storefront.stats.tokenRequests, h.demo.app.stats.requests.length];
    // A page restored from the cache fires no load event: wait for the commit only.
    await page.goBack({ waitUntil: 'commit' });
    await waitForState(page, 'verified', GATE);
    const shows = await page.evaluate(() => (window as unknown as { __shows: Array<{ persisted: boolean }> }).__shows);
    assert.equal(shows.at(-1)!.persisted, true);
    assert.match(await gateText(page), new RegExp(productNames(STORE, ANN.id)[0]!));
    assert.equal(h.demo.storefront.stats.tokenRequests - tokensBefore, 1);
    assert.deepEqual(
      h.demo.app.stats.requests.slice(appBefore).map((r) => r.method),
      ['POST'],
    );
  });

  it('a customer switch in another tab: the first tab shows the new customer at once, never the old one again', async () => {
    const first = await signedInAccount(ANN.id);
    const second = await first.context().newPage();
    await second.goto(h.demo.url('/account.html'));
    await waitForState(second, 'verified', GATE);
    // Watch the first tab's gate from now on.
    await first.evaluate(`(() => {
      const gate = document.querySelector('${GATE}');
      window.__after = [];
      const frame = () => { window.__after.push(gate.innerText); requestAnimationFrame(frame); };
      requestAnimationFrame(frame);
    })()`);
    // In the second tab, Ann signs out and Ben signs in; its page tells the other tabs.
    await Promise.all([second.waitForNavigation(), second.click('[data-sign-out]')]);
    await signInWithDemoBar(second, BEN.id);
    await second.goto(h.demo.url('/account.html'));
    await waitForState(second, 'verified', GATE);
    await first.waitForFunction(
      (email) => document.querySelector('#recently-purchased')!.textContent!.includes(email),
      BEN.email,
    );
    const after = await first.evaluate(() => (window as unknown as { __after: string[] }).__after);
    const lastAnn = after.map((text) => text.includes(ANN.email)).lastIndexOf(true);
    const firstBen = after.findIndex((text) => text.includes(BEN.email));
    assert.ok(firstBen >= 0);
    assert.ok(lastAnn < firstBen, 'Ann was shown again after Ben');
    assert.equal(await first.$eval(GATE, (gate) => gate.getAttribute('state')), 'verified');
  });

  it('a tab back after more than 5 s asks again (one token request, one exchange) and keeps the same nodes', async () => {
    const page = await signedInAccount(ANN.id);
    const log = await recordRequests(page, h.demo.app.origin);
    await page.evaluate(`(() => {
      const gate = document.querySelector('${GATE}');
      window.__removed = 0;
      window.__states = [];
      new MutationObserver((records) => { for (const r of records) window.__removed += r.removedNodes.length; })
        .observe(gate, { childList: true, subtree: true });
      new MutationObserver(() => window.__states.push(gate.getAttribute('state')))
        .observe(gate, { attributes: true, attributeFilter: ['state'] });
    })()`);
    await setVisibility(page, 'hidden');
    await new Promise((resolve) => setTimeout(resolve, 5200));
    await setVisibility(page, 'visible');
    await page.waitForFunction(() => (window as unknown as { __states: string[] }).__states.includes('verified'));
    // Hidden (loading) from the moment of return until the answer.
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __states: string[] }).__states), [
      'loading',
      'verified',
    ]);
    assert.equal(log.tokenRequests().length, 1);
    assert.equal(log.exchanges().length, 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __removed: number }).__removed), 0);
  });

  it('the accessibility tree at each state holds the shown slot and a short status, nothing else', async () => {
    const page = await h.newPage();
    await page.goto(h.demo.url('/account.html'));
    await waitForState(page, 'anonymous', GATE);
    const cdp = await page.context().newCDPSession(page);
    const names = async () => {
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: Array<{ ignored?: boolean; role?: { value?: string }; name?: { value?: string } }>;
      };
      return nodes.filter((node) => !node.ignored).map((node) => `${node.role?.value}:${node.name?.value ?? ''}`);
    };
    const guest = (await names()).join('\n');
    assert.match(guest, /Sign in/);
    assert.doesNotMatch(guest, /Checking your account/);
    assert.doesNotMatch(guest, /could not load/);
    await signInWithDemoBar(page, ANN.id);
    await waitForState(page, 'verified', GATE);
    const verified = await names();
    assert.ok(verified.includes('status:') || verified.some((n) => n.startsWith('status')), 'no status region');
    assert.ok(verified.join('\n').includes(productNames(STORE, ANN.id)[0]!));
    assert.doesNotMatch(verified.join('\n'), /Sign in to see|Checking your account/);
    const status = await page.$eval(GATE, (gate) => gate.shadowRoot!.querySelector('[part=status]')!.textContent);
    assert.ok(status === 'Loaded' || status === '', `status said ${JSON.stringify(status)}`);
  });
});
