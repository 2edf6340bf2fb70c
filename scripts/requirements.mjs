// What the test suites need from the machine beyond npm: browsers and binaries from Debian packages.
// `npm test` installs the missing ones itself where it can (apt-get, as root or with passwordless
// sudo), runs every suite it can without the rest (one warning each, and a summary at the end), and
// treats any missing one as a failure when CI=true.
//
//   node scripts/requirements.mjs            what is there and what is missing
//   node scripts/requirements.mjs install    install the missing packages where possible (.ci/run)
//   node scripts/requirements.mjs summary    only the closing line (what a whole run skipped)
//
//   BC_TEST_NO_INSTALL=1   never install, as on a machine without root (only warn and skip)
//   BC_TEST_WITHOUT=chromium,firefox,webkit,redis   count those as missing, to try a bare machine
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENGINES, hidden, missingFor, onPath } from './browsers.mjs';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Each requirement: the Debian packages that bring it, what runs only with it, and what it lacks now. */
export const REQUIREMENTS = [
  {
    id: 'chromium',
    packages: ENGINES.chromium.packages,
    override: ENGINES.chromium.override,
    needed: 'the end-to-end tests (test/e2e) and the browser suite in Chromium',
    missing: () => missingFor('chromium'),
  },
  {
    id: 'firefox',
    packages: ENGINES.firefox.packages,
    override: ENGINES.firefox.override,
    needed: 'the browser suite in Firefox',
    missing: () => missingFor('firefox'),
  },
  {
    id: 'webkit',
    packages: ENGINES.webkit.packages,
    override: ENGINES.webkit.override,
    needed: 'the browser suite in WebKit',
    missing: () => missingFor('webkit'),
  },
  {
    id: 'redis',
    packages: ['redis-server'],
    needed: 'the Redis cache adapter test',
    missing: () =>
      hidden.has('redis')
        ? ['redis-server (hidden by BC_TEST_WITHOUT)']
        : onPath('redis-server')
          ? []
          : ['redis-server (not on PATH)'],
  },
];

export function requirement(id) {
  return REQUIREMENTS.find((item) => item.id === id);
}

/** The requirements this machine lacks. */
export function lacking() {
  return REQUIREMENTS.filter((item) => item.missing().length > 0);
}

/** One line: what is missing, what does not run without it, and the package that brings it. */
export function warning(item) {
  const override = item.override ? ` (or set ${item.override})` : '';
  const packages =
    item.packages.length > 1 ? `Debian packages ${item.packages.join(' ')}` : `Debian package ${item.packages[0]}`;
  const head = inCI ? '✖ required in CI:' : '⚠ skipped:';
  return `${head} ${item.needed}. Missing ${item.missing().join(', ')}; install the ${packages}${override}.`;
}

/** How this process could run apt-get: as root, through passwordless sudo, or not at all (why). */
function installer() {
  if (process.env.BC_TEST_NO_INSTALL === '1') return { reason: 'BC_TEST_NO_INSTALL=1' };
  if (!onPath('apt-get')) return { reason: 'no apt-get on this machine' };
  if (process.getuid?.() === 0) return { prefix: [] };
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)
    return { prefix: ['sudo', '-n'] };
  return { reason: 'not root, and sudo asks for a password' };
}

/**
 * Installs the Debian packages behind every missing requirement, when this machine lets us: one
 * update and one install, saying so. A requirement pointed elsewhere by its variable (CHROME_PATH...)
 * is left alone: a package would not put it there. Returns the packages it installed.
 */
export function installMissing(log = (line) => console.log(line)) {
  const packages = [
    ...new Set(
      lacking()
        .filter((item) => !item.override?.split(' and ').some((name) => process.env[name]))
        .flatMap((item) => item.packages),
    ),
  ];
  if (!packages.length) return [];
  const how = installer();
  if (!how.prefix) {
    log(`Not installing ${packages.join(' ')} (${how.reason}): the suites that need them are skipped.`);
    return [];
  }
  const sudo = how.prefix.length ? ' through sudo' : '';
  log(
    `Installing the Debian packages the tests need: ${packages.join(' ')} (apt-get${sudo}; BC_TEST_NO_INSTALL=1 skips this)`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const [command, ...rest] = [...how.prefix, 'apt-get', ...args];
    return spawnSync(command, rest, { env, stdio: ['ignore', 'ignore', 'inherit'] }).status;
  };
  const status = apt(['update', '-qq']) || apt(['install', '-y', '-qq', ...packages]);
  if (status !== 0) {
    log(`apt-get failed (exit ${status}): the suites that need ${packages.join(' ')} are skipped.`);
    return [];
  }
  return packages;
}

/**
 * The closing line of a whole run: what was skipped for want of what, or that nothing was.
 * Missing anything in CI is a failure, said as such.
 */
export function summary() {
  const missing = lacking();
  if (!missing.length) return 'requirements: every suite ran (nothing skipped for a missing browser or binary)';
  const packages = [...new Set(missing.flatMap((item) => item.packages))].join(' ');
  const what = missing.map((item) => `${item.needed} (no ${item.id})`).join('; ');
  return inCI
    ? `requirements: FAILED in CI, missing ${packages}: ${what}`
    : `requirements: SKIPPED ${what}. To run them too: sudo apt-get install ${packages}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2] ?? '';
  if (!['', 'install', 'summary'].includes(mode)) {
    console.error(`Unknown argument "${mode}". Usage: node scripts/requirements.mjs [install | summary]`);
    process.exit(2);
  }
  if (mode === 'install') installMissing();
  if (mode !== 'summary') for (const item of lacking()) console.log(warning(item));
  console.log(summary());
  process.exit(inCI && lacking().length ? 1 : 0);
}
