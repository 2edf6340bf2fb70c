// The CDN bundles: self-contained files that define <bc-customer-gate> on load, with Lit inlined.
// Rollup bundles tsc's output (dist/element), not TypeScript. Two builds, as Lit ships its own:
//   dist/cdn/bc-customer-gate.js      production: Lit's production build, no console hints, minified
//   dist/cdn/bc-customer-gate.dev.js  development: Lit's development build and the element's console
//                                     hints (src/element/hints.ts), readable
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

// A classic script as well as a module: Script Manager's `kind: src` writes a plain <script src>.
// The production file's map is published beside it without a `sourceMappingURL` comment (30 B gzip
// of the budget); debug with the development file, which links its map.
const output = (file, sourcemap) => ({ file, format: 'iife', sourcemap });

export default [
  {
    input: 'dist/element/cdn.js',
    output: output('dist/cdn/bc-customer-gate.js', 'hidden'),
    plugins: [
      // The `production` condition selects Lit's build without dev-mode checks and warnings.
      nodeResolve({ exportConditions: ['production'], browser: true }),
      // Lit's production build already shortens its internal members to `_$`-prefixed names; inside
      // this one self-contained file they are private to its own copy of ReactiveElement, so they
      // can be shortened further (no other code reads this copy's internals).
      terser({
        ecma: 2022,
        // keep_fargs: false drops unused trailing parameters; nothing here reads a function's length.
        compress: { passes: 2, keep_fargs: false },
        mangle: { properties: { regex: /^_\$/ } },
        format: { comments: false },
      }),
    ],
  },
  {
    input: 'dist/element/cdn.dev.js',
    output: output('dist/cdn/bc-customer-gate.dev.js', true),
    plugins: [nodeResolve({ exportConditions: ['development'], browser: true })],
  },
];
