// The element's browser suite (test/element/**) in each engine, one after another: Chromium, Firefox
// ESR and WebKitGTK (through WebKitWebDriver, under Xvfb when there is no display). One line per
// engine, then a total.
//
//   npm run test:browser                     all three
//   npm run test:browser -- chromium         only the named engines (chromium, firefox, webkit)
//   BC_BROWSERS=chromium npm run test:browser    the same, from the environment
//
// An engine that is not installed is skipped with one warning naming its Debian packages on a
// developer's machine, and fails the run in CI (CI=true), where all three must run. The whole run
// (no engine named, as `npm test` calls it) ends with what the machine lacked for any suite.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, missingFor } from './browsers.mjs';
import { inCI, requirement, summary, warning } from './requirements.mjs';
import { freePort } from './free-port.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const asked = process.argv.slice(2).length
  ? process.argv.slice(2)
  : (process.env.BC_BROWSERS ?? '').split(/[\s,]+/).filter(Boolean);
const unknown = asked.filter((name) => !(name in ENGINES));
if (unknown.length) {
  console.error(`Unknown engine ${unknown.join(', ')}. Known: ${Object.keys(ENGINES).join(', ')}.`);
  process.exit(2);
}
const engines = asked.length ? asked : Object.keys(ENGINES);

/** The first line a binary prints for --version (under Xvfb if it needs a display). */
function versionOf(command, args = ['--version']) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  const line = `${result.stdout ?? ''}`.split('\n').find((text) => /\d+\.\d+/.test(text)) ?? '';
  return /\d+(\.\d+)+\S*/.exec(line)?.[0] ?? 'unknown version';
}

/** WebKitWebDriver on a free loopback port (under xvfb-run when there is no display), ready to use. */
async function startWebKitDriver() {
  const { WebKitWebDriver, 'xvfb-run': xvfbRun } = ENGINES.webkit.binaries();
  const port = await freePort();
  const command = xvfbRun ? [xvfbRun, '-a', WebKitWebDriver] : [WebKitWebDriver];
  // Its own process group, so stopping it stops Xvfb and the browser with it, and nothing else.
  const child = spawn(command[0], [...command.slice(1), `--port=${port}`, '--host=127.0.0.1'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return { port, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  stop();
  throw new Error(`WebKitWebDriver did not answer on port ${port} within 30 s.\n${stderr}`);
}

function browserVersion(engine) {
  const binaries = ENGINES[engine].binaries();
  if (engine === 'chromium') return versionOf(binaries.chromium);
  if (engine === 'firefox') return versionOf(binaries.firefox);
  // MiniBrowser needs a display even to print its version.
  return binaries['xvfb-run']
    ? versionOf(binaries['xvfb-run'], ['-a', binaries.MiniBrowser, '--version'])
    : versionOf(binaries.MiniBrowser);
}

function runSuite(engine, env) {
  return new Promise((resolve) => {
    const wtr = join(ROOT, 'node_modules/@web/test-runner/dist/bin.js');
    const child = spawn(process.execPath, [wtr, '--config', join(ROOT, 'web-test-runner.config.mjs')], {
      cwd: ROOT,
      env: { ...process.env, ...env, BC_BROWSER: engine },
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const lines = [];
let failed = 0;
let passed = 0;
const skipped = [];
for (const engine of engines) {
  const { label } = ENGINES[engine];
  if (missingFor(engine).length) {
    console.log(warning(requirement(engine)));
    lines.push(`${engine}: NOT RUN (${inCI ? 'required in CI' : 'not installed'})`);
    if (inCI) failed += 1;
    else skipped.push(engine);
    continue;
  }
  const version = browserVersion(engine);
  console.log(`\n=== ${label} ${version} ===`);
  const scratch = mkdtempSync(join(tmpdir(), 'bc-browser-'));
  const summaryFile = join(scratch, 'summary.json');
  let driver;
  const started = performance.now();
  try {
    const env = { BC_BROWSER_SUMMARY: summaryFile };
    if (engine === 'webkit') {
      driver = await startWebKitDriver();
      env.WEBKIT_WEBDRIVER_PORT = String(driver.port);
    }
    const code = await runSuite(engine, env);
    let totals;
    try {
      totals = JSON.parse(readFileSync(summaryFile, 'utf8'));
    } catch {
      totals = { passed: 0, failed: 1, skipped: 0 }; // the runner stopped before it finished
    }
    if (code !== 0 && totals.failed === 0) totals.failed = 1;
    passed += totals.passed;
    failed += totals.failed;
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const extra = totals.skipped ? `, ${totals.skipped} skipped` : '';
    lines.push(`${engine} ${version}: ${totals.passed} passed, ${totals.failed} failed${extra} (${seconds} s)`);
  } catch (error) {
    failed += 1;
    lines.push(`${engine}: could not run: ${error.message}`);
  } finally {
    driver?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

console.log('');
for (const line of lines) console.log(line);
if (skipped.length) {
  const ran = engines.filter((engine) => !skipped.includes(engine));
  console.log(`NOT TESTED in ${skipped.join(', ')}: CI runs all three.`);
  if (ran.length) console.log(`To run only the installed ones: npm run test:browser -- ${ran.join(' ')}`);
}
console.log(
  `browsers: ${passed} passed, ${failed} failed${skipped.length ? `, ${skipped.length} engines skipped` : ''}`,
);
if (!asked.length) console.log(summary());
process.exit(failed ? 1 : 0);
