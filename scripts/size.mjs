// Prints both CDN bundles' sizes (production and development) and what each module adds to the
// production one, and fails when the production bundle is above the budget. The breakdown minifies each module alone (no mangling across modules) and counts what it
// adds to the gzip of everything before it, so its rows add up to more than the real bundle; it
// says where the bytes are, not exactly how many each costs.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { minify } from 'terser';

// The production bundle's budget (gzip). The development bundle has no budget: it carries Lit's
// development build and the element's console hints, for debugging.
const BUDGET_GZIP = 6500;
const root = new URL('..', import.meta.url);
const FILES = { production: 'dist/cdn/bc-customer-gate.js', development: 'dist/cdn/bc-customer-gate.dev.js' };

function read(path) {
  try {
    return readFileSync(new URL(path, root));
  } catch {
    console.error(`size: ${path} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}
const sources = Object.fromEntries(Object.entries(FILES).map(([build, path]) => [build, read(path)]));
// A CDN file must stand alone: any import left (a bare module name, a chunk) would fail in the browser.
for (const [build, source] of Object.entries(sources)) {
  const code = source.toString('utf8');
  if (/(?:^|[;}])\s*import\s*[\w{*"']|\bimport\s*\(|\bexport\s*(?:\*|\{[^}]*\})\s*from\b/.test(code)) {
    console.error(`size: ${FILES[build]} still imports other modules; it must be self-contained.`);
    process.exit(1);
  }
}

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
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
console.log('What each module adds to the production bundle (gzip, unmangled; see the note in scripts/size.mjs):');
for (const [name, bytes] of rows) console.log(`  ${name.padEnd(48)} ${String(bytes).padStart(6)} B`);

for (const [build, source] of Object.entries(sources)) {
  const budget = build === 'production' ? ` (budget ${BUDGET_GZIP} B gzip)` : '';
  console.log(
    `${FILES[build]}: ${source.length} B ${build === 'production' ? 'minified' : 'unminified'}, ${gzip(source)} B gzip, ${brotli(source)} B brotli${budget}`,
  );
}
const size = gzip(sources.production);
if (size > BUDGET_GZIP) {
  console.error(`size: ${FILES.production} is over budget by ${size - BUDGET_GZIP} B gzip.`);
  process.exit(1);
}
