// The app imports the shared conformance app (../app.mjs) and, through it, the package by name from
// the repository root, so the root is Next's root too.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export default {
  turbopack: { root },
  outputFileTracingRoot: root,
};
