// Cumulative Layout Shift of the demo's pages for a signed-in shopper, with the Layout rules of
// docs/element.md (as the demo's stylesheet has them) and without them, measured in the same run
// in Chromium. The token route answers after a delay, so the content arrives after the first
// paint, as it does on a real store.
import { chromium } from 'playwright-core';
import { startDemo } from '../demo/start.mjs';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { BenchError } from './common.mjs';

const PAGES = ['/account.html', '/shop.html', '/cart.html', '/members.html'];
const LAYOUT_BLOCK = /\/\* layout:[\s\S]*?\/\* end layout \*\//;

/** Sums layout-shift entries as the CLS metric does (shifts right after input excluded). */
const CLS_OBSERVER = `(() => {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
})()`;

async function measure(browser, demo, path, withRules) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(CLS_OBSERVER);
    if (!withRules) {
      await page.route('**/store.css', async (route) => {
        const response = await route.fetch();
        const css = await response.text();
        if (!LAYOUT_BLOCK.test(css)) throw new BenchError('demo/site/store.css has no layout block to take out');
        await route.fulfill({ response, body: css.replace(LAYOUT_BLOCK, '') });
      });
    }
    // Sign in (Ann, customer 1), landing on the page under test.
    await page.goto(demo.url(`/login?customer=1&return=${encodeURIComponent(path)}`));
    await page.waitForFunction(
      () => {
        const gates = [...document.querySelectorAll('bc-customer-gate')];
        return (
          gates.length > 0 && gates.every((gate) => !['idle', 'loading', null].includes(gate.getAttribute('state')))
        );
      },
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForTimeout(300);
    const states = await page.$$eval('bc-customer-gate', (gates) => gates.map((gate) => gate.getAttribute('state')));
    if (!states.includes('verified')) throw new BenchError(`${path}: no gate verified (${states.join(', ')})`);
    return await page.evaluate(() => window.__cls);
  } finally {
    await context.close();
  }
}

export async function benchLayout({ loads = 3, delayMs = 150, log = () => {} }) {
  const demo = await startDemo({ storefrontPort: 0, appPort: 0, quiet: true });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    demo.storefront.behave({ delayMs });
    const results = [];
    for (const path of PAGES) {
      const runs = { with: [], without: [] };
      for (let i = 0; i < loads; i++) {
        runs.without.push(await measure(browser, demo, path, false));
        runs.with.push(await measure(browser, demo, path, true));
      }
      const worst = (list) => Math.round(Math.max(...list) * 1000) / 1000;
      results.push({ page: path, without: worst(runs.without), with: worst(runs.with) });
      log(`  ${path}: CLS ${worst(runs.without)} without the layout rules, ${worst(runs.with)} with them`);
    }
    return { delayMs, loads, chromium: browser.version(), results };
  } finally {
    await browser?.close();
    await demo.close();
  }
}
