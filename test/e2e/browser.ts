/**
 * Shared set-up for the end-to-end tests: the demo (both servers, on free ports), Debian's Chromium
 * driven by playwright-core (never a downloaded browser), and a recorder of what the browser really
 * sent, read from its own network events.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { after, before, beforeEach } from 'node:test';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { startDemo, type DemoHandle } from '../../demo/start.mjs';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.mjs';

export const root = new URL('../../', import.meta.url).pathname;
export const SCREENSHOTS = join(root, 'out', 'screenshots');

interface StoreData {
  stores: Record<
    string,
    {
      orders: Array<{
        customer_id: number;
        status_id: number;
        date_created: string;
        products: Array<{ product_id: number; name: string }>;
      }>;
    }
  >;
}

/** The demo store's data, in BigCommerce's shapes, as the mock store API serves it. */
const storeData = JSON.parse(readFileSync(join(root, 'demo', 'data', 'store.json'), 'utf8')) as StoreData;

/** Orders with these statuses bought nothing: Incomplete, Cancelled, Declined. */
const NOT_PURCHASED = new Set([0, 5, 6]);

/**
 * What recently purchased should list for a customer, worked out from the data independently of
 * the code under test: each product once, from its latest order, newest order first.
 */
export function productNames(storeHash: string, customerId: number): string[] {
  const orders = (storeData.stores[storeHash]?.orders ?? [])
    .filter((order) => order.customer_id === customerId && !NOT_PURCHASED.has(order.status_id))
    .sort((a, b) => Date.parse(b.date_created) - Date.parse(a.date_created));
  const seen = new Map<number, string>();
  for (const order of orders)
    for (const line of order.products) if (!seen.has(line.product_id)) seen.set(line.product_id, line.name);
  return [...seen.values()];
}

/** Everything the app could ever release: every product of every order of every store. */
export const ALL_PRODUCT_NAMES = Object.values(storeData.stores).flatMap((store) =>
  store.orders.flatMap((order) => order.products.map((line) => line.name)),
);

export const STORE = 'demo42';
export const ANN = { id: 1, email: 'ann.carter@example.com' };
export const BEN = { id: 2, email: 'ben.okafor@example.com' };
export const CLEO = { id: 3, email: 'cleo.ruiz@example.com' };
export const ALL_EMAILS = [ANN.email, BEN.email, CLEO.email];

export interface Harness {
  demo: DemoHandle;
  browser: Browser;
  /** A fresh context (no cookies) with a page; closed by `close()`. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts the demo on free ports and one Chromium. `launch` gives the browser a fresh temporary
 * user-data dir of its own and deletes it on close; each test then takes a fresh context (no cookies).
 */
export async function startHarness({ backForwardCache = false } = {}): Promise<Harness> {
  // One clear line rather than a launch stack per test (`npm test` skips these files without it).
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}: install the Debian package chromium, or set CHROME_PATH.`);
  const demo = await startDemo({ storefrontPort: 0, appPort: 0, quiet: true });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumArgs,
      // Playwright turns the back/forward cache off by default; a shopper's browser has it on.
      ...(backForwardCache && { ignoreDefaultArgs: ['--disable-back-forward-cache'] }),
    });
  } catch (error) {
    await demo.close();
    throw error;
  }
  const contexts = new Set<BrowserContext>();
  return {
    demo,
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
      await context.addInitScript(VISIBILITY_CONTROL);
      contexts.add(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close().catch(() => {});
      await demo.close();
    },
  };
}

/**
 * The file's harness: started once before its tests, closed after them, and the demo's faults,
 * sessions and counters reset before each test. Read it inside tests and hooks, not at load time.
 */
export function useHarness(options?: { backForwardCache?: boolean }): Harness {
  let harness: Harness | undefined;
  before(async () => {
    harness = await startHarness(options);
  });
  after(async () => {
    await harness?.close();
  });
  beforeEach(() => {
    harness!.demo.storefront.reset();
    harness!.demo.app.resetStats();
  });
  return new Proxy({} as Harness, {
    get: (_, key) => {
      if (!harness) throw new Error('the end-to-end harness is not started yet: use it inside a test or hook');
      return Reflect.get(harness, key);
    },
  });
}

export interface RecordedRequest {
  method: string;
  url: string;
}

/**
 * What a page sent, from the browser's own network events. Playwright's `request` event does not
 * report CORS preflights (Chromium's network service sends them itself), so the DevTools protocol's
 * `Network.requestWillBeSent` is read as well: it does.
 */
export interface RequestLog {
  /** Every request Playwright reported. */
  readonly requests: RecordedRequest[];
  /** Every request the DevTools protocol reported, preflights included. */
  readonly network: RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  exchanges(): RecordedRequest[];
  /** OPTIONS requests to the app's origin (CORS preflights). */
  preflights(): RecordedRequest[];
  clear(): void;
}

export async function recordRequests(page: Page, appOrigin: string): Promise<RequestLog> {
  const requests: RecordedRequest[] = [];
  const network: RecordedRequest[] = [];
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  const cdp: CDPSession = await page.context().newCDPSession(page);
  cdp.on('Network.requestWillBeSent', (event) =>
    network.push({ method: event.request.method, url: event.request.url }),
  );
  await cdp.send('Network.enable');
  const toApp = (list: RecordedRequest[]) => list.filter((r) => new URL(r.url).origin === appOrigin);
  return {
    requests,
    network,
    tokenRequests: () => requests.filter((r) => new URL(r.url).pathname === '/customer/current.jwt'),
    exchanges: () => toApp(requests).filter((r) => r.method === 'POST'),
    preflights: () => toApp(network).filter((r) => r.method === 'OPTIONS'),
    clear() {
      requests.length = 0;
      network.length = 0;
    },
  };
}

/** Waits until every gate on the page (or those matching `selector`) shows `state`. */
export async function waitForState(page: Page, state: string, selector = 'bc-customer-gate'): Promise<void> {
  await page.waitForFunction(
    ({ selector, state }) => {
      const gates = [...document.querySelectorAll(selector)];
      return gates.length > 0 && gates.every((gate) => gate.getAttribute('state') === state);
    },
    { selector, state },
  );
}

export async function gateStates(page: Page, selector = 'bc-customer-gate'): Promise<string[]> {
  return page.$$eval(selector, (gates) => gates.map((gate) => gate.getAttribute('state') ?? ''));
}

/** The names of the slots each matching gate renders now (what the shopper sees). */
export async function shownSlots(page: Page, selector = 'bc-customer-gate'): Promise<string[]> {
  return page.$$eval(selector, (gates) =>
    gates.map((gate) => {
      const slot = gate.shadowRoot?.querySelector('slot');
      return slot ? slot.getAttribute('name') || 'default' : '';
    }),
  );
}

/** Signs in through the demo bar, as a shopper would, and waits for the page it returns to. */
export async function signInWithDemoBar(page: Page, customerId: number): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(`.demo-switch button[data-customer="${customerId}"]`)]);
}

/** The page's whole serialised DOM and its visible text, for checks that something is absent. */
export async function everythingOnPage(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a shopper sees
  const [html, text] = await Promise.all([page.content(), page.evaluate(() => document.body.innerText)]);
  return `${html}\n${text}`;
}

export function assertAbsent(haystack: string, needles: readonly string[], where: string): void {
  const found = needles.filter((needle) => haystack.includes(needle));
  if (found.length > 0) throw new Error(`${where} contains ${found.map((f) => JSON.stringify(f)).join(', ')}`);
}

/**
 * Saves a full-page screenshot to out/screenshots/NAME.png. With `docs` and
 * UPDATE_DOCS_SCREENSHOTS=1 in the environment, also writes the top of the page to docs/, the
 * small images the README shows.
 */
export async function screenshot(page: Page, name: string, docs?: { file: string; height?: number }): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  if (docs && process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    await page.screenshot({
      path: join(root, 'docs', docs.file),
      clip: { x: 0, y: 0, width: 1000, height: docs.height ?? 470 },
    });
  }
}

/**
 * Makes the page report `state` as its visibility and fires `visibilitychange`, as a tab switch
 * does. Sent as source text: the test's TypeScript loader would wrap a function's inner arrows in
 * helpers that do not exist in the page.
 */
/**
 * Headless Chromium keeps every page visible. The element reads visibility through the getter on
 * Document.prototype it captured when it loaded (a named element cannot shadow it), so the test
 * replaces that getter before any page script runs: it answers the real state until a test sets one.
 */
const VISIBILITY_CONTROL = `(() => {
  const real = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState').get;
  Object.defineProperty(Document.prototype, 'visibilityState', {
    configurable: true,
    get() { return window.__bcTestVisibility ?? real.call(this); },
  });
  Object.defineProperty(Document.prototype, 'hidden', {
    configurable: true,
    get() { return this.visibilityState === 'hidden'; },
  });
})()`;

export async function setVisibility(page: Page, state: 'hidden' | 'visible'): Promise<void> {
  await page.evaluate(`(() => {
    window.__bcTestVisibility = ${JSON.stringify(state)};
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  })()`);
}
