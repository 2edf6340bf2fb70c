import { readFileSync } from 'node:fs';

/**
 * This package's version, read from its package.json (one level up from both src/ and dist/), so
 * the widget loads the CDN bundle of the version that is installed and the CLI reports its own.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') {
    throw new Error('bc-customer-gate: package.json has no "version".');
  }
  return pkg.version;
}
