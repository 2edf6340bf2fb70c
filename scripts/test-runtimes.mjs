// The server half's conformance suite on every server runtime we support: each serves the same app
// (test/runtimes/app.mjs, from the built package) with its own HTTP server on 127.0.0.1, and the host
// Node sends the same cases (test/runtimes/cases.mjs) to each. One line per runtime, then a total.
//
//   npm run test:runtimes                  all of them (installs the pinned runtimes on first use)
//   npm run test:runtimes -- bun deno      only those (names: node, node-22, node-24, bun, deno, workerd, next,
//                                          recipe-node-22, recipe-node-24)
//
// The recipe-* entries run the complete-app recipe (examples/complete-app/, node:sqlite) through its
// own end-to-end suite (test/runtimes/complete-app.mjs) on that Node line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installRuntime, ROOT } from './runtimes.mjs';
import { WORKER_BUILD } from './worker-bundle.mjs';
import { runCases } from '../test/runtimes/client.mjs';
import { SERVER_ENV } from '../test/runtimes/fixture.mjs';
import { seedStoreApi } from '../test/runtimes/store-fixture.mjs';

const SERVERS = join(ROOT, 'test/runtimes/servers');

/** How each runtime starts its entry: [binary, ...arguments]. */
const RUNTIMES = {
  node: () => ({ command: [process.execPath, join(SERVERS, 'node.mjs')] }),
  'node-22': () => ({ command: [installRuntime('node-22'), join(SERVERS, 'node.mjs')] }),
  'node-24': () => ({ command: [installRuntime('node-24'), join(SERVERS, 'node.mjs')] }),
  bun: () => ({ command: [installRuntime('bun'), join(SERVERS, 'bun.mjs')], env: { DO_NOT_TRACK: '1' } }),
  deno: () => ({
    command: [
      installRuntime('deno'),
      'run',
      '--allow-net=127.0.0.1',
      '--allow-env',
      '--allow-read',
      join(SERVERS, 'deno.mjs'),
    ],
    env: { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
  }),
  workerd: () => ({ inProcess: startWorkerd }),
  next: () => ({ inProcess: async () => (await import('./next-app.mjs')).startNext() }),
  'recipe-node-22': () => ({ suite: () => runRecipe('node-22') }),
  'recipe-node-24': () => ({ suite: () => runRecipe('node-24') }),
};

async function runRecipe(line) {
  const { runCompleteApp } = await import('../test/runtimes/complete-app.mjs');
  return runCompleteApp(installRuntime(line));
}

/** Starts an entry that prints `{"port","runtime","version"}` once it listens. */
function startProcess({ command: [binary, ...args], env = {} }) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: ROOT,
      env: { ...process.env, ...SERVER_ENV, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('did not start listening within 30 s')), 30_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${binary.slice(ROOT.length)}: ${error.message}\n${stderr}`));
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`exited with ${code} before listening`)));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const hello = JSON.parse(line);
      resolve({
        base: `http://127.0.0.1:${hello.port}`,
        runtime: hello.runtime,
        version: hello.version,
        output: () => stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill();
          }),
      });
    });
  });
}

/** workerd through Miniflare: the Worker entry bundled as wrangler would (no Node built-ins). */
async function startWorkerd() {
  const { build } = await import('esbuild');
  const { Miniflare, supportedCompatibilityDate } = await import('miniflare');
  const entry = join(SERVERS, 'worker.mjs');
  const result = await build({ ...WORKER_BUILD, entryPoints: [entry], absWorkingDir: ROOT });
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    modules: true,
    script: result.outputFiles[0].text,
    scriptPath: entry,
    compatibilityDate: supportedCompatibilityDate,
    bindings: SERVER_ENV,
  });
  const base = (await mf.ready).origin;
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve('miniflare'));
  return {
    base,
    runtime: 'workerd',
    version: fromMiniflare('workerd/package.json').version,
    output: () => '',
    stop: () => mf.dispose(),
  };
}

if (!existsSync(join(ROOT, 'dist/server/index.js'))) {
  console.error('dist/ is missing: the runtimes serve the built package. Run `npm run build` first (`npm test` does).');
  process.exit(1);
}

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in RUNTIMES));
if (unknown.length) {
  console.error(`Unknown runtime ${unknown.join(', ')}. Known: ${Object.keys(RUNTIMES).join(', ')}.`);
  process.exit(1);
}
const names = asked.length ? asked : Object.keys(RUNTIMES);
const inCI = process.env.CI === 'true' || process.env.CI === '1';
// The store API every runtime's app reads recently purchased from (a quota no run can spend).
const { createMockStoreApi } = await import('bc-customer-gate/testing');
const storeApi = createMockStoreApi({ seed: false, quota: { requests: 1_000_000, windowMs: 30_000 } });
seedStoreApi(storeApi);
SERVER_ENV.STORE_API_URL = await storeApi.listen();
let passed = 0;
let failed = 0;
const skipped = [];
for (const name of names) {
  const started = performance.now();
  let server;
  let how;
  try {
    how = RUNTIMES[name]();
  } catch (error) {
    // The runtime's npm package could not be installed (offline, say): outside CI, run the others.
    console.log(`${inCI ? '✖ required in CI' : '⚠ skipped'}: ${name}: ${error.message}`);
    if (inCI) failed += 1;
    else skipped.push(name);
    continue;
  }
  try {
    let result;
    if (how.suite) {
      result = await how.suite();
      server = { runtime: result.runtime, version: result.version, output: result.output, stop: async () => {} };
    } else {
      server = how.inProcess ? await how.inProcess() : await startProcess(how);
      result = await runCases(server.base, { runtime: server.runtime });
    }
    passed += result.passed;
    failed += result.failed;
    for (const { name: caseName, error } of result.failures)
      console.log(`  ✖ ${caseName}\n      ${String(error.message).split('\n').join('\n      ')}`);
    if (result.failed && server.output()) console.log(`  server output:\n${server.output()}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${server.runtime} ${server.version}: ${result.passed} passed, ${result.failed} failed (${seconds} s)`);
  } catch (error) {
    failed += 1;
    console.log(`${name}: could not start: ${error.message}`);
  } finally {
    await server?.stop();
  }
}
await storeApi.close();
const notRun = skipped.length ? `, ${skipped.length} skipped (${skipped.join(', ')}: not installed)` : '';
console.log(`runtimes: ${passed} passed, ${failed} failed${notRun}`);
process.exit(failed ? 1 : 0);
