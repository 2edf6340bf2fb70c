// Browser tests for <bc-customer-gate> in real Chromium (Debian's, or CHROME_PATH's), against a real
// scripted backend (test/element/backend.mjs) rather than a fake fetch.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { backend } from './test/element/backend.mjs';

const server = backend();

export default {
  files: ['test/element/**/*.test.ts'],
  // The production build of Lit, as the CDN bundle ships it (and without its dev-mode warning).
  nodeResolve: { exportConditions: ['production'] },
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), server.plugin],
  middleware: [server.middleware],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--headless=new',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
  // One page at a time: a background tab gets no animation frames, which the fixtures wait for.
  concurrency: 1,
  testFramework: { config: { timeout: 5000 } },
  testsFinishTimeout: 120_000,
};
