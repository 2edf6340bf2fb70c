// The three browser engines the element's suite runs in, and where each comes from: Debian's
// packages in CI (never a browser a test tool downloads), an environment variable on a laptop.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath } from './chromium.mjs';

/** The first WebKitGTK MiniBrowser under /usr/lib (its folder names the architecture and API). */
function findMiniBrowser() {
  for (const arch of safeList('/usr/lib')) {
    for (const api of safeList(join('/usr/lib', arch)).filter((name) => name.startsWith('webkit2gtk-'))) {
      const path = join('/usr/lib', arch, api, 'MiniBrowser');
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function onPath(command) {
  return (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir, command))
    .find((path) => existsSync(path));
}

/**
 * Each engine: the binaries it needs (missing ones are named), the Debian packages that bring them,
 * and the variables that point elsewhere.
 */
export const ENGINES = {
  chromium: {
    label: 'Chromium',
    binaries: () => ({ chromium: chromiumPath }),
    packages: ['chromium'],
    override: 'CHROME_PATH',
  },
  firefox: {
    label: 'Firefox',
    binaries: () => ({ firefox: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr' }),
    packages: ['firefox-esr'],
    override: 'FIREFOX_PATH',
  },
  webkit: {
    label: 'WebKit',
    binaries: () => ({
      WebKitWebDriver: process.env.WEBKIT_WEBDRIVER_PATH || onPath('WebKitWebDriver') || '/usr/bin/WebKitWebDriver',
      MiniBrowser:
        process.env.WEBKIT_BROWSER_PATH || findMiniBrowser() || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      // MiniBrowser (GTK) has no headless mode: it needs a display, Xvfb's when there is none, and
      // xvfb-run needs xauth (only a recommendation of the xvfb package).
      ...(process.env.DISPLAY
        ? {}
        : { 'xvfb-run': onPath('xvfb-run') || '/usr/bin/xvfb-run', xauth: onPath('xauth') || '/usr/bin/xauth' }),
    }),
    packages: ['webkit2gtk-driver', 'xvfb', 'xauth'],
    override: 'WEBKIT_WEBDRIVER_PATH and WEBKIT_BROWSER_PATH',
  },
};

/**
 * Names in BC_TEST_WITHOUT (comma-separated: chromium, firefox, webkit, redis) count as absent even
 * when installed, to try what a machine without them runs.
 */
export const hidden = new Set((process.env.BC_TEST_WITHOUT ?? '').split(/[\s,]+/).filter(Boolean));

/** The binaries an engine lacks on this machine, by name. */
export function missingFor(engine) {
  if (hidden.has(engine)) return [`${engine} (hidden by BC_TEST_WITHOUT)`];
  return Object.entries(ENGINES[engine].binaries())
    .filter(([, path]) => !existsSync(path))
    .map(([name, path]) => `${name} (${path})`);
}
