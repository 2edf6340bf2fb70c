// Runs every Node-side test file (everything under test/ except the browser suite) with Node's own
// test runner, loading TypeScript through tsx. Node 20's --test takes no globs, so list them here.
//
// The whole run (no file filter, as `npm test` calls it) first installs the Debian packages the
// suites need where it can (scripts/requirements.mjs). The end-to-end files that drive Chromium are
// skipped, with one warning, when there is none; with CI=true a missing Chromium fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { inCI, installMissing, requirement, warning } from './requirements.mjs';

const root = new URL('..', import.meta.url).pathname;
const browserOnly = new Set(['element']);
const only = process.argv.slice(2);

function collect(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return browserOnly.has(entry.name) ? [] : collect(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/** A file that starts Chromium through the end-to-end harness (test/e2e/browser.ts). */
const drivesChromium = (file) => /\b(useHarness|startHarness)\(/.test(readFileSync(join(root, file), 'utf8'));

let files = collect(join(root, 'test'))
  .filter((file) => only.length === 0 || only.some((part) => file.includes(part)))
  .sort();
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

if (only.length === 0) installMissing();
const chromium = requirement('chromium');
const needChromium = files.filter(drivesChromium);
const chromiumMissing = needChromium.length > 0 && chromium.missing().length > 0;
if (chromiumMissing) {
  const count = `${needChromium.length} file${needChromium.length === 1 ? '' : 's'}`;
  console.log(`${warning(chromium)}\n  (${count}: ${needChromium.join(', ')})`);
  if (!inCI) files = files.filter((file) => !needChromium.includes(file));
}

const result = files.length
  ? spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
      cwd: root,
      stdio: 'inherit',
    })
  : { status: 0 };
// In CI a missing Chromium fails the run even if the files it would drive happened to pass.
process.exit((result.status ?? 1) || (inCI && chromiumMissing ? 1 : 0));
