// How wrangler bundles a Worker without `nodejs_compat`: one ESM file, no Node built-ins, no
// polyfills, the packages' worker builds. The Workers test, the runtime suite and the documented
// Worker recipe all bundle this way, so they test what a deployment runs.

/** esbuild options for a Worker entry; add `entryPoints`, `absWorkingDir` and anything else. */
export const WORKER_BUILD = Object.freeze({
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  target: 'es2022',
  logLevel: 'silent',
});
