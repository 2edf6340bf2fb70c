import type { BuildOptions } from 'esbuild';
/** esbuild options for a Worker entry, as wrangler bundles one without nodejs_compat. */
export const WORKER_BUILD: Readonly<BuildOptions & { write: false }>;
