// What `npm test` does on a machine that lacks a browser or binary, tried by hiding them
// (BC_TEST_WITHOUT) and forbidding the install (BC_TEST_NO_INSTALL): outside CI each suite that needs
// one is skipped with one warning naming its Debian package and the run passes; with CI=true it fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(script: string, args: string[], env: Record<string, string>) {
  const { CI: _, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...inherited, BC_TEST_NO_INSTALL: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('missing requirements', () => {
  it('scripts/requirements.mjs names the package for each missing one, and says what is skipped', () => {
    const { status, out } = run('scripts/requirements.mjs', [], { BC_TEST_WITHOUT: 'redis,webkit' });
    assert.equal(status, 0, out);
    assert.match(out, /⚠ skipped: the Redis cache adapter test\. .*install the Debian package redis-server/);
    assert.match(out, /⚠ skipped: the browser suite in WebKit\. .*webkit2gtk-driver xvfb xauth/);
    // Whatever else this machine lacks comes first, in the same order.
    assert.match(
      out,
      /^requirements: SKIPPED .*sudo apt-get install (.* )?webkit2gtk-driver xvfb xauth redis-server$/m,
    );
  });

  it('with CI=true a missing one fails', () => {
    const { status, out } = run('scripts/requirements.mjs', [], { BC_TEST_WITHOUT: 'firefox', CI: 'true' });
    assert.equal(status, 1, out);
    assert.match(out, /✖ required in CI: the browser suite in Firefox\. .*firefox-esr/);
    assert.match(out, /^requirements: FAILED in CI, missing (.* )?firefox-esr/m);
  });

  it('refuses the install when told to, saying which packages it would have installed', () => {
    const { status, out } = run('scripts/requirements.mjs', ['install'], { BC_TEST_WITHOUT: 'redis' });
    assert.equal(status, 0, out);
    assert.match(out, /^Not installing (.* )?redis-server \(BC_TEST_NO_INSTALL=1\)/m);
  });

  it('the end-to-end files that drive Chromium are skipped with one warning without it, and fail in CI', () => {
    const skipped = run('scripts/run-node-tests.mjs', ['test/e2e/widget'], { BC_TEST_WITHOUT: 'chromium' });
    assert.equal(skipped.status, 0, skipped.out);
    assert.equal(skipped.out.match(/⚠ skipped:/g)?.length, 1, skipped.out);
    assert.match(skipped.out, /install the Debian package chromium \(or set CHROME_PATH\)/);
    assert.match(skipped.out, /1 file: test\/e2e\/widget\.test\.ts/);
    assert.doesNotMatch(skipped.out, /browserType\.launch|ℹ tests/);

    const inCI = run('scripts/run-node-tests.mjs', ['test/e2e/widget'], {
      BC_TEST_WITHOUT: 'chromium',
      CHROME_PATH: '/nonexistent/chromium',
      CI: 'true',
    });
    assert.equal(inCI.status, 1, inCI.out);
    assert.match(inCI.out, /✖ required in CI: the end-to-end tests/);
  });

  it('the browser suite with no engine at all passes outside CI and ends with what it skipped', () => {
    const { status, out } = run('scripts/test-browsers.mjs', [], { BC_TEST_WITHOUT: 'chromium,firefox,webkit' });
    assert.equal(status, 0, out);
    assert.equal(out.match(/⚠ skipped:/g)?.length, 3, out);
    assert.match(out, /^browsers: 0 passed, 0 failed, 3 engines skipped$/m);
    assert.match(out.trimEnd().split('\n').at(-1)!, /^requirements: SKIPPED .*chromium firefox-esr webkit2gtk-driver/);
  });
});
