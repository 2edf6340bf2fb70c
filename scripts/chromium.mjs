// The one place that says how this project starts Chromium: the browser tests, the end-to-end tests
// and the page benchmark all launch Debian's build (never a downloaded browser) with these flags.

/** `CHROME_PATH` overrides Debian's location, for a developer laptop. */
export const chromiumPath = process.env.CHROME_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox', // required as root, as in CI
  '--headless=new',
  '--disable-gpu',
  // Keep Chromium from calling home: this machine reaches no host but loopback and the registries.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
