/**
 * One shape for every command: its summary, usage, help and options live in the command table
 * (main.ts), and the preamble every command shares (help flag, option parsing, positional
 * arguments) runs here, once.
 */
import { type OptionSpecs, type ParsedValues, parseCommandArgs, UsageError } from './args.js';
import type { Io } from './io.js';

interface Described {
  /** One line, for the command list. */
  summary: string;
  /** The usage line printed under a usage error. */
  usage: string;
  /** Full help, for --help; a function when it reads something (the package version). */
  help: string | (() => string);
}

export interface Command<S extends OptionSpecs = OptionSpecs> extends Described {
  options: S;
  /** Positional arguments taken: none unless set. The messages say what is missing or extra. */
  positionals?: { min: number; max: number; missing: string; extra: string };
  // A method, not a property, so a command with its own options fits the table's wider type.
  run(values: ParsedValues<S>, positionals: string[], io: Io): Promise<number>;
}

/** A command with subcommands (`widget install`): its help lists them. */
export interface CommandGroup extends Described {
  subcommands: Record<string, Command>;
}

export type Entry = Command | CommandGroup;

export function helpText(entry: Described): string {
  return typeof entry.help === 'function' ? entry.help() : entry.help;
}

/** Parses `args` for `entry` and runs it; the usage to show with a UsageError is the one of `entry` reached. */
export async function runEntry(
  entry: Entry,
  args: readonly string[],
  io: Io,
  reached: (entry: Entry) => void = () => {},
): Promise<number> {
  reached(entry);
  if ('subcommands' in entry) {
    const [name, ...rest] = args;
    if (name === '--help' || name === '-h' || name === 'help') {
      io.stdout(helpText(entry));
      return 0;
    }
    const names = Object.keys(entry.subcommands);
    if (name === undefined) throw new UsageError(`Missing subcommand (${names.join(', ')}).`);
    if (!Object.hasOwn(entry.subcommands, name))
      throw new UsageError(`Unknown subcommand ${JSON.stringify(name)} (subcommands: ${names.join(', ')}).`);
    return runEntry(entry.subcommands[name]!, rest, io, reached);
  }
  const { values, positionals, help } = parseCommandArgs(args, entry.options);
  if (help) {
    io.stdout(helpText(entry));
    return 0;
  }
  const taken = entry.positionals ?? { min: 0, max: 0, missing: '', extra: '' };
  if (positionals.length < taken.min) throw new UsageError(taken.missing);
  if (positionals.length > taken.max) {
    throw new UsageError(
      taken.max === 0
        ? `Unexpected argument${positionals.length > 1 ? 's' : ''} (this command takes options only).`
        : taken.extra,
    );
  }
  return entry.run(values, positionals, io);
}
