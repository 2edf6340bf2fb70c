import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { integer, noPositionals, parseCommandArgs, UsageError } from './args.js';
import type { Io } from './io.js';

export const summary = 'Run the local demo: a mock storefront and an app server (same as npm start).';

export const usage = 'bc-customer-gate dev [--port N] [--app-port N]';

export const help = `Usage: ${usage}

${summary}

Starts a storefront that serves /customer/current.jwt with sign-in and
sign-out, and an app backend with the exchange endpoint, then prints their
URLs. Stop it with Ctrl-C.

Options:
  --port N       Storefront port. Default: the demo's own choice.
  --app-port N   App backend port. Default: the demo's own choice.
  -h, --help     Show this help.
`;

const options = {
  port: { type: 'string' },
  'app-port': { type: 'string' },
} as const;

interface DemoHandle {
  close(): unknown;
  [key: string]: unknown;
}

type StartDemo = (options: { storefrontPort?: number; appPort?: number }) => Promise<DemoHandle>;

export async function runDev(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals, help: wantsHelp } = parseCommandArgs(args, options);
  if (wantsHelp) {
    io.stdout(help);
    return 0;
  }
  noPositionals(positionals);
  const storefrontPort = integer(values.port, '--port', { min: 0, max: 65_535 });
  const appPort = integer(values['app-port'], '--app-port', { min: 0, max: 65_535 });
  if (storefrontPort !== undefined && storefrontPort !== 0 && storefrontPort === appPort) {
    throw new UsageError('--port and --app-port must differ.');
  }

  // The demo ships beside dist/ in the package: dist/cli/dev.js -> demo/start.mjs.
  const demoUrl = new URL('../../demo/start.mjs', import.meta.url);
  if (!existsSync(fileURLToPath(demoUrl))) {
    io.stderr(
      `error: the demo is not part of this installation (${fileURLToPath(demoUrl)} is missing). ` +
        'Run it from a checkout of the bc-customer-gate repository with npm start.\n',
    );
    return 1;
  }
  const demo = (await import(pathToFileURL(fileURLToPath(demoUrl)).href)) as { startDemo?: unknown };
  if (typeof demo.startDemo !== 'function') {
    io.stderr('error: demo/start.mjs does not export startDemo(options); the installation looks damaged.\n');
    return 1;
  }

  const handle = await (demo.startDemo as StartDemo)({
    ...(storefrontPort === undefined ? {} : { storefrontPort }),
    ...(appPort === undefined ? {} : { appPort }),
  });
  // Listen before saying "Press Ctrl-C": until a listener exists, SIGINT kills the process outright.
  const interrupted = io.untilInterrupted();
  const urls = findUrls(handle);
  io.stdout(
    (urls.length > 0 ? `Demo running:\n${urls.map(([name, url]) => `  ${name}: ${url}`).join('\n')}\n` : 'Demo running.\n') +
      'Press Ctrl-C to stop.\n',
  );
  await interrupted;
  await handle.close();
  io.stdout('Demo stopped.\n');
  return 0;
}

/** The demo's URLs, whether it returns them flat ({ storefrontUrl }) or grouped ({ urls: { storefront } }). */
function findUrls(value: unknown, prefix = '', depth = 0): Array<[string, string]> {
  if (!value || typeof value !== 'object' || depth > 1) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]): Array<[string, string]> => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof item === 'string') return /^https?:\/\//.test(item) ? [[name, item]] : [];
    if (item instanceof URL) return [[name, item.href]];
    return findUrls(item, name, depth + 1);
  });
}
