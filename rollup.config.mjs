// The CDN bundle: one self-contained, minified file that defines <bc-customer-gate> on load, with
// Lit inlined in its production build. Rollup bundles tsc's output (dist/element), not TypeScript.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'dist/element/index.js',
  output: {
    file: 'dist/cdn/bc-customer-gate.js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    // The `production` condition selects Lit's build without dev-mode checks and warnings.
    nodeResolve({ exportConditions: ['production'], browser: true }),
    terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
};
