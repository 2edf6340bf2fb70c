// The CDN bundle: one self-contained, minified file that defines <bc-customer-gate> on load, with
// Lit inlined in its production build. Rollup bundles tsc's output (dist/element), not TypeScript.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'dist/element/cdn.js',
  output: {
    file: 'dist/cdn/bc-customer-gate.js',
    // A classic script as well as a module: Script Manager's `kind: src` writes a plain <script src>.
    format: 'iife',
    sourcemap: true,
  },
  plugins: [
    // The `production` condition selects Lit's build without dev-mode checks and warnings.
    nodeResolve({ exportConditions: ['production'], browser: true }),
    // Lit's production build already shortens its internal members to `_$`-prefixed names; inside
    // this one self-contained file they are private to its own copy of ReactiveElement, so they
    // can be shortened further (no other code reads this copy's internals).
    terser({
      ecma: 2022,
      compress: { passes: 2 },
      mangle: { properties: { regex: /^_\$/ } },
      format: { comments: false },
    }),
  ],
};
