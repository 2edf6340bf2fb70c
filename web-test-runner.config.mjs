// Browser tests for <bc-customer-gate> in real Chromium (Debian's, or CHROME_PATH's), against a real
// scripted backend (test/element/backend.mjs) rather than a fake fetch.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { backend } from './test/element/backend.mjs';
import { chromiumArgs, chromiumPath } from './scripts/chromium.mjs';

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
        executablePath: chromiumPath,
        args: chromiumArgs,
      },
    }),
  ],
  // One page at a time: a background tab gets no animation frames, which the fixtures wait for.
  concurrency: 1,
  testFramework: { config: { timeout: 5000 } },
  testsFinishTimeout: Number(process.env.WTR_FINISH_TIMEOUT ?? 120_000),
};
