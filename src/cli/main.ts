#!/usr/bin/env node
import { UsageError } from './args.js';
import { type Entry, runEntry } from './command.js';
import * as dev from './dev.js';
import * as doctor from './doctor/command.js';
import { terminalSafe } from '../terminal.js';
import { processIo, type Io } from './io.js';
import * as mint from './mint.js';
import * as verify from './verify.js';
import * as widget from './widget.js';
import { packageVersion } from '../version.js';

/** Every command with its options and help (command.ts runs the shared preamble). */
const COMMANDS: Record<string, Entry> = {
  verify: verify.command,
  mint: mint.command,
  widget: widget.command,
  dev: dev.command,
  doctor: doctor.command,
};

const USAGE = 'bc-customer-gate <command> [options]';

const HELP = `Usage: ${USAGE}

Tools for bc-customer-gate: check customer tokens, mint development ones,
install the Page Builder widget, run the demo, check a live deployment.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)}${command.summary}`)
  .join('\n')}

Options:
  -h, --help     Show help (also after any command: bc-customer-gate verify --help).
  -v, --version  Print the version.

Secrets are read from the environment: BC_CLIENT_SECRET (client secret),
BC_ACCESS_TOKEN (API account token), BC_CLIENT_ID (client ID).
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  let name: string | undefined;
  let usage = USAGE;
  const reached = (entry: Entry) => {
    usage = entry.usage;
  };
  try {
    if (first === undefined) throw new UsageError('Missing command.');
    if (first === '-h' || first === '--help') {
      io.stdout(HELP);
      return 0;
    }
    if (first === '-v' || first === '--version') {
      io.stdout(`${packageVersion()}\n`);
      return 0;
    }
    if (first === 'help') {
      const topic = rest[0];
      if (topic === undefined) {
        io.stdout(HELP);
        return 0;
      }
      name = commandName(topic);
      return await runEntry(COMMANDS[name]!, ['--help'], io, reached);
    }
    if (first.startsWith('-')) throw new UsageError('Options go after the command.');
    name = commandName(first);
    return await runEntry(COMMANDS[name]!, rest, io, reached);
  } catch (error) {
    if (error instanceof UsageError) {
      const prefix = name ? `bc-customer-gate ${name}` : 'bc-customer-gate';
      // Usage errors may name an unknown option or command as typed.
      io.stderr(`${prefix}: ${terminalSafe(error.message)}\nUsage: ${usage}\nRun '${prefix} --help' for details.\n`);
      return 2;
    }
    io.stderr(`bc-customer-gate: unexpected error: ${oneLine(error)}\n`);
    return 1;
  }
}

/** `name` when it is a command; otherwise a usage error that names what was typed, clipped. */
function commandName(name: string): string {
  if (Object.hasOwn(COMMANDS, name)) return name;
  const typed = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  throw new UsageError(`Unknown command ${JSON.stringify(typed)} (commands: ${Object.keys(COMMANDS).join(', ')}).`);
}

/** One line, never a stack trace: the message of an error nobody anticipated, escaped (it may quote input). */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]!.trim() || (error instanceof Error ? error.name : 'unknown error');
  return terminalSafe(line.length > 300 ? `${line.slice(0, 300)}…` : line);
}

const io = processIo();
const fail = (error: unknown) => {
  process.stderr.write(`bc-customer-gate: unexpected error: ${oneLine(error)}\n`);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
// A closed pipe (`| head`) is not an error worth reporting.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2), io);
