import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { integer, type ParsedValues, UsageError } from './args.js';
import type { Command } from './command.js';
import { terminalSafe } from '../terminal.js';
import type { Io } from './io.js';

export const summary = 'Run the local demo: a mock storefront and an app server (same as npm start).';

export const usage = 'bc-customer-gate dev [--port N] [--app-port N]';

export const help = `Usage: ${usage}

${summary}

Starts a storefront that serves /customer/current.jwt with sign-in and
sign-out, and an app backend with the exchange endpoint; the demo prints what
to open. Stop it with Ctrl-C.

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

export const command: Command<typeof options> = { summary, usage, help, options, run: runDev };

async function runDev(values: ParsedValues<typeof options>, _positionals: string[], io: Io): Promise<number> {
  const storefrontPort = integer(values.port, '--port', { min: 0, max: 65_535 });
  const appPort = integer(values['app-port'], '--app-port', { min: 0, max: 65_535 });
  if (storefrontPort !== undefined && storefrontPort !== 0 && storefrontPort === appPort) {
    throw new UsageError('--port and --app-port must differ.');
  }

  // The demo ships beside dist/ in the package: dist/cli/dev.js -> demo/start.mjs.
  const demoUrl = new URL('../../demo/start.mjs', import.meta.url);
  if (!existsSync(fileURLToPath(demoUrl))) {
    io.stderr(
      `error: the demo is not part of this installation (${terminalSafe(fileURLToPath(demoUrl))} is missing). ` +
        'Run it from a checkout of the bc-customer-gate repository with npm start.\n',
    );
    return 1;
  }
  const demo = (await import(demoUrl.href)) as { startDemo?: unknown };
  if (typeof demo.startDemo !== 'function') {
    io.stderr('error: demo/start.mjs does not export startDemo(options); the installation looks damaged.\n');
    return 1;
  }

  // Listen first: until a listener exists, SIGINT kills the process outright, and the demo's banner
  // already tells the user to press Ctrl-C. A Ctrl-C during start-up closes the demo once it is up.
  const watch = io.watchInterrupt();
  let handle: DemoHandle;
  try {
    handle = await (demo.startDemo as StartDemo)({
      ...(storefrontPort === undefined ? {} : { storefrontPort }),
      ...(appPort === undefined ? {} : { appPort }),
    });
  } catch (error) {
    watch.stop();
    io.stderr(`error: ${firstLine(error)}\n`);
    return 1;
  }
  await watch.interrupted;
  await handle.close();
  io.stdout('Demo stopped.\n');
  return 0;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return terminalSafe(message.split('\n')[0]!.trim() || 'the demo failed to start');
}
