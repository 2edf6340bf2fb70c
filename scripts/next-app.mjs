// Next.js for the conformance suite: `next build` then `next start` (Node runtime) on the app in
// test/runtimes/next-app, whose route handler is the README's recipe. Next.js and React come from
// the pinned install in .runtimes/ (linked in as the app's node_modules). The build runs without the
// app's secrets, as a CI build of a real app may; only the server gets them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { installRuntime, folderOf, PINS, ROOT } from './runtimes.mjs';
import { SERVER_ENV } from '../test/runtimes/fixture.mjs';
import { freePort } from './free-port.mjs';

const APP = join(ROOT, 'test/runtimes/next-app');

function linkModules() {
  const link = join(APP, 'node_modules');
  const target = relative(APP, join(folderOf('next'), 'node_modules'));
  if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) unlinkSync(link);
  symlinkSync(target, link);
}

const quiet = { NEXT_TELEMETRY_DISABLED: '1' };

export async function startNext() {
  const next = installRuntime('next');
  linkModules();
  rmSync(join(APP, '.next'), { recursive: true, force: true });
  const started = performance.now();
  const env = { ...process.env, ...quiet };
  for (const name of Object.keys(SERVER_ENV)) delete env[name];
  const build = spawnSync(process.execPath, [next, 'build', APP], { cwd: APP, env, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`next build failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  const buildSeconds = ((performance.now() - started) / 1000).toFixed(1);

  const port = await freePort();
  const child = spawn(process.execPath, [next, 'start', APP, '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: APP,
    env: { ...process.env, ...quiet, ...SERVER_ENV },
    detached: true, // its own process group, stopped as one
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // The build output goes too: it holds generated .ts files that tsc would otherwise find under test/.
  const stop = async () => {
    if (child.exitCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        process.kill(-child.pid, 'SIGTERM');
      });
    }
    rmSync(join(APP, '.next'), { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(`${base}/customer-gate`, { method: 'OPTIONS', signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`next start did not answer within 60 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  // A server-rendered page that imports the element (test/runtimes/next-app/app/gate-page): the
  // import must not throw where there is no DOM, and the gate's markup must reach the HTML.
  const page = await fetch(`${base}/gate-page`);
  const markup = await page.text();
  if (page.status !== 200 || !markup.includes('<bc-customer-gate') || !markup.includes('data-class="function"')) {
    await stop();
    throw new Error(`the server-rendered page with the element failed (${page.status}):\n${output}`);
  }
  return {
    base,
    runtime: 'next',
    version: `${PINS.next.version} (Node ${process.versions.node}, build ${buildSeconds} s)`,
    output: () => output,
    stop,
  };
}
