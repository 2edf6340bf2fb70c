import { ALGORITHMS, TOKEN_LIFETIME_SECONDS, type Algorithm } from '../protocol.js';
import { mintCustomerToken } from '../testing/mint.js';
import { integer, type ParsedValues, required, UsageError } from './args.js';
import type { Command } from './command.js';
import type { Io } from './io.js';

export const summary = 'Print a development token shaped like /customer/current.jwt returns.';

export const usage = 'bc-customer-gate mint --client-id ID --store HASH --customer-id N [options]';

export const help = `Usage: ${usage}

${summary}

For local development and tests: a token signed with the secret you give, so
your own server accepts it. Sign with a development app's secret, never with a
production app's (anyone holding such a token is that customer until it expires).
Prints the token alone on stdout.

Options:
  --client-id ID          The app's client ID ("aud"). Or set BC_CLIENT_ID.
  --secret SECRET         The app's client secret. Prefer setting BC_CLIENT_SECRET:
                          a secret on the command line lands in shell history.
  --store HASH            The store hash ("store_hash" and "sub").
  --customer-id N         The customer's ID, a positive whole number.
  --email EMAIL           The customer's email. Default: customer<N>@example.com.
  --group ID              The customer group ID. Default: none.
  --expires-in SECONDS    Lifetime. Default: ${TOKEN_LIFETIME_SECONDS}, as BigCommerce issues them.
  --algorithm ALG         HS256 or HS512. Default: HS512, as real tokens are.
  -h, --help              Show this help.

Example:
  TOKEN=$(bc-customer-gate mint --client-id abc123clientid --store abc123 --customer-id 42)
`;

const options = {
  'client-id': { type: 'string' },
  secret: { type: 'string' },
  store: { type: 'string' },
  'customer-id': { type: 'string' },
  email: { type: 'string' },
  group: { type: 'string' },
  'expires-in': { type: 'string' },
  algorithm: { type: 'string' },
} as const;

export const command: Command<typeof options> = { summary, usage, help, options, run: runMint };

async function runMint(values: ParsedValues<typeof options>, _positionals: string[], io: Io): Promise<number> {
  const clientId = required(values['client-id'], '--client-id', io.env['BC_CLIENT_ID'], 'BC_CLIENT_ID');
  const clientSecret = required(values.secret, '--secret', io.env['BC_CLIENT_SECRET'], 'BC_CLIENT_SECRET');
  const storeHash = required(values.store, '--store');
  const id = integer(required(values['customer-id'], '--customer-id'), '--customer-id', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  })!;
  const expiresIn = integer(values['expires-in'], '--expires-in', { min: 1, max: 366 * 86_400 });
  const algorithm = values.algorithm ?? 'HS512';
  if (!(ALGORITHMS as readonly string[]).includes(algorithm))
    throw new UsageError(`--algorithm must be ${ALGORITHMS.join(' or ')}.`);
  if (values.group === '') throw new UsageError('--group must not be empty (omit it for a customer in no group).');
  if (values.secret) {
    io.stderr('note: a secret passed with --secret is saved in your shell history; set BC_CLIENT_SECRET instead.\n');
  }

  const token = await mintCustomerToken({
    clientId,
    clientSecret,
    storeHash,
    customer: { id, email: values.email ?? `customer${id}@example.com`, groupId: values.group ?? null },
    algorithm: algorithm as Algorithm,
    ...(expiresIn === undefined ? {} : { expiresIn }),
  });
  io.stdout(`${token}\n`);
  return 0;
}
