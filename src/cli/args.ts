import { parseArgs } from 'node:util';
import { isLoopbackHttp } from '../loopback.js';

/** Bad command-line input: printed with the command's usage, exit status 2. Never includes values. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}
export type OptionSpecs = Record<string, OptionSpec>;

export type ParsedValues<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['multiple'] extends true ? string[] : string;
};

export interface Parsed<S extends OptionSpecs> {
  values: ParsedValues<S>;
  positionals: string[];
  help: boolean;
}

/**
 * `node:util` parseArgs in non-strict mode, checked here instead: strict mode's messages quote
 * argument values, and a value may be a client secret or an access token.
 */
export function parseCommandArgs<S extends OptionSpecs>(args: readonly string[], specs: S): Parsed<S> {
  // --help answers even when the rest of the line is wrong.
  const end = args.indexOf('--');
  const head = end === -1 ? args : args.slice(0, end);
  if (head.includes('--help') || head.includes('-h')) return { values: {}, positionals: [], help: true };

  const options = { ...specs, help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpecs;
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });

  const values: Record<string, string | string[] | boolean> = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      help = true;
      continue;
    }
    const spec = specs[token.name];
    if (!spec)
      throw new UsageError(`Unknown option ${token.rawName.startsWith('--') ? `--${token.name}` : token.rawName}.`);
    const flag = `--${token.name}`;
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value.`);
      values[token.name] = true;
      continue;
    }
    if (token.value === undefined) throw new UsageError(`${flag} needs a value.`);
    // Without strict mode, "--secret --store x" would take "--store" as the secret.
    if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-')) {
      throw new UsageError(
        `${flag} needs a value (it was followed by another option; write ${flag}=VALUE for a value that starts with "-").`,
      );
    }
    if (spec.multiple) {
      const list = (values[token.name] as string[] | undefined) ?? [];
      list.push(token.value);
      values[token.name] = list;
    } else {
      if (token.name in values) throw new UsageError(`${flag} was given more than once.`);
      values[token.name] = token.value;
    }
  }
  return { values: values as ParsedValues<S>, positionals, help };
}

/** A required string option, falling back to an environment variable. */
export function required(value: string | undefined, flag: string, envValue?: string, envName?: string): string {
  const chosen = value ?? envValue;
  if (chosen === undefined || chosen === '') {
    throw new UsageError(envName ? `Missing ${flag} (or set ${envName}).` : `Missing ${flag}.`);
  }
  return chosen;
}

export function integer(
  value: string | undefined,
  flag: string,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}.`);
  }
  return n;
}

/** `value` as an absolute https URL, or plain http on this machine (localhost, 127.0.0.0/8, [::1]). */
export function secureUrl(value: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be an absolute URL (https://...).`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new UsageError(`${flag} must use https (plain http is accepted only on localhost, 127.0.0.0/8 and [::1]).`);
  }
  if (url.username || url.password) throw new UsageError(`${flag} must not contain a user name or password.`);
  return url;
}
