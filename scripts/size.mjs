// Prints the CDN bundle's compressed size with what each module adds to it, and fails above the
// budget. The breakdown minifies each module alone (no mangling across modules) and counts what it
// adds to the gzip of everything before it, so its rows add up to more than the real bundle; it
// says where the bytes are, not exactly how many each costs.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { minify } from 'terser';

// The bundle with every feature is about 6.7 KB gzip (a minimal ReactiveElement alone is 2.7 KB); the
// budget leaves about 300 B, so a change that adds more than that has to say why.
const BUDGET_GZIP = 7000;
const root = new URL('..', import.meta.url);
const file = new URL('dist/cdn/bc-customer-gate.js', root);

let source;
try {
  source = readFileSync(file);
} catch {
  console.error(`size: ${file.pathname} is missing; run \`npm run build\` first.`);
  process.exit(1);
}
// A CDN file must stand alone: any import left (a bare module name, a chunk) would fail in the browser.
const code = source.toString('utf8');
if (/(?:^|[;}])\s*import\s*[\w{*"']|\bimport\s*\(|\bexport\s*(?:\*|\{[^}]*\})\s*from\b/.test(code)) {
  console.error('size: dist/cdn/bc-customer-gate.js still imports other modules; it must be self-contained.');
  process.exit(1);
}

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = brotliCompressSync(source, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
}).length;

const { default: config } = await import(new URL('rollup.config.mjs', root).href);
const cdn = Array.isArray(config) ? config[0] : config;
const bundle = await rollup({
  input: new URL(cdn.input, root).pathname,
  plugins: cdn.plugins.filter((p) => p.name !== 'terser'),
});
const { output } = await bundle.generate({ format: 'es' });
await bundle.close();
let before = '';
let counted = 0;
const rows = [];
for (const [id, module] of Object.entries(output[0].modules)) {
  if (!module.code) continue;
  const { code: small } = await minify(module.code, {
    ecma: 2022,
    compress: { passes: 2, unused: false },
    mangle: false,
  });
  before += small;
  const total = gzip(before);
  rows.push([id.replace(/^.*node_modules\//, '').replace(new URL('.', root).pathname, ''), total - counted]);
  counted = total;
}
console.log('What each module adds (gzip, unmangled; see the note in scripts/size.mjs):');
for (const [name, bytes] of rows) console.log(`  ${name.padEnd(48)} ${String(bytes).padStart(6)} B`);

const size = gzip(source);
console.log(
  `dist/cdn/bc-customer-gate.js: ${source.length} B minified, ${size} B gzip, ${brotli} B brotli (budget ${BUDGET_GZIP} B gzip)`,
);
if (size > BUDGET_GZIP) {
  console.error(`size: over budget by ${size - BUDGET_GZIP} B gzip.`);
  process.exit(1);
}
