// Prints the CDN bundle's compressed size and fails above the budget. Lit alone is about 6.4 KB
// gzip, so the budget leaves the element's own code about 2.6 KB.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET_GZIP = 9000;
const file = new URL('../dist/cdn/bc-customer-gate.js', import.meta.url);

let source;
try {
  source = readFileSync(file);
} catch {
  console.error(`size: ${file.pathname} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
// A CDN file must stand alone: any import left (a bare `lit`, a chunk) would fail in the browser.
const code = source.toString('utf8');
if (/(?:^|[;}])\s*import\s*[\w{*"']|\bimport\s*\(|\bexport\s*(?:\*|\{[^}]*\})\s*from\b/.test(code)) {
  console.error('size: dist/cdn/bc-customer-gate.js still imports other modules; it must be self-contained.');
  process.exit(1);
}

const gzip = gzipSync(source, { level: 9 }).length;
const brotli = brotliCompressSync(source, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
}).length;

console.log(`dist/cdn/bc-customer-gate.js: ${source.length} B minified, ${gzip} B gzip, ${brotli} B brotli (budget ${BUDGET_GZIP} B gzip)`);
if (gzip > BUDGET_GZIP) {
  console.error(`size: over budget by ${gzip - BUDGET_GZIP} B gzip.`);
  process.exit(1);
}
