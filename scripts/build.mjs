// Build pipeline: tsc emits ESM + declarations to dist/ (TypeScript 7's native compiler has no
// JavaScript API for Rollup plugins), then Rollup bundles the emitted JavaScript for the CDN.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (existsSync(new URL('../rollup.config.mjs', import.meta.url))) {
  run(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', 'rollup.config.mjs', '--silent']);
}
