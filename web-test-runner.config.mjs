// Browser tests for <bc-customer-gate> in a real engine, against a real scripted backend
// (test/element/backend.mjs) rather than a fake fetch. One engine per run, chosen by BC_BROWSER
// (chromium, the default; firefox; webkit): scripts/test-browsers.mjs runs all three in turn and
// starts WebKit's driver.
import { writeFileSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher, puppeteerCore } from '@web/test-runner-chrome';
import { backend } from './test/element/backend.mjs';
import { ENGINES } from './scripts/browsers.mjs';
import { chromiumArgs } from './scripts/chromium.mjs';

const server = backend();
const engine = process.env.BC_BROWSER || 'chromium';

function launcher() {
  switch (engine) {
    case 'chromium':
      return chromeLauncher({
        launchOptions: { executablePath: ENGINES.chromium.binaries().chromium, args: chromiumArgs },
      });
    case 'firefox':
      // Puppeteer drives Firefox over WebDriver BiDi; handing it puppeteer-core makes the launcher
      // use `browser: 'firefox'` (and name it Firefox) instead of looking for Chrome.
      return chromeLauncher({
        puppeteer: puppeteerCore,
        launchOptions: { browser: 'firefox', executablePath: ENGINES.firefox.binaries().firefox, headless: true },
      });
    case 'webkit': {
      const port = Number(process.env.WEBKIT_WEBDRIVER_PORT);
      if (!port)
        throw new Error('BC_BROWSER=webkit needs WebKitWebDriver running: use `npm run test:browser -- webkit`.');
      return import('@web/test-runner-webdriver').then(({ webdriverLauncher }) =>
        webdriverLauncher({
          hostname: '127.0.0.1',
          port,
          path: '/',
          logLevel: 'error',
          capabilities: {
            browserName: 'MiniBrowser',
            'wdio:enforceWebDriverClassic': true,
            'webkitgtk:browserOptions': { binary: ENGINES.webkit.binaries().MiniBrowser, args: ['--automation'] },
          },
        }),
      );
    }
    default:
      throw new Error(`BC_BROWSER="${engine}": expected one of ${Object.keys(ENGINES).join(', ')}.`);
  }
}

/** Counts every test of every session; a file that failed outside any test counts as one failure. */
function count(sessions) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const walk = (suite) => {
    for (const test of suite.tests) totals[test.skipped ? 'skipped' : test.passed ? 'passed' : 'failed'] += 1;
    suite.suites.forEach(walk);
  };
  for (const session of sessions) {
    const failedBefore = totals.failed;
    if (session.testResults) walk(session.testResults);
    if (session.passed === false && totals.failed === failedBefore) totals.failed += 1;
  }
  return totals;
}

/** For scripts/test-browsers.mjs: the run's totals, written where BC_BROWSER_SUMMARY says. */
const summaryReporter = {
  onTestRunFinished({ sessions }) {
    if (process.env.BC_BROWSER_SUMMARY) writeFileSync(process.env.BC_BROWSER_SUMMARY, JSON.stringify(count(sessions)));
  },
};

export default {
  files: ['test/element/**/*.test.ts'],
  // The production build of Lit, as the CDN bundle ships it (and without its dev-mode warning).
  nodeResolve: { exportConditions: ['production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), server.plugin],
  middleware: [server.middleware],
  browsers: [await launcher()],
  reporters: [defaultReporter(), summaryReporter],
  // One page at a time: a background tab gets no animation frames, which the fixtures wait for.
  concurrency: 1,
  testFramework: { config: { timeout: 5000 } },
  testsFinishTimeout: Number(process.env.WTR_FINISH_TIMEOUT ?? 120_000),
};
