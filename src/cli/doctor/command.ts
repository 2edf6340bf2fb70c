import { integer, type ParsedValues, secureUrl, UsageError } from '../args.js';
import type { Command } from '../command.js';
import type { Io } from '../io.js';
import { exitCode, renderJson, renderText } from './report.js';
import type { DoctorOptions } from './options.js';
import { runChecks } from './run.js';

export const summary = 'Check a live storefront page, its policy and the app endpoint before shoppers do.';

export const usage = 'bc-customer-gate doctor --storefront URL [--endpoint URL] [--client-id ID] [options]';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PAGE_BYTES = 2 * 1024 * 1024;

export const help = `Usage: ${usage}

${summary}

Fetches the page as a guest and checks, in the order you would fix them:
  - the <bc-customer-gate> tags (client-id, endpoint, logged-in, token-url),
    the script that loads the element, the pre-upgrade CSS rule and
    Page Builder widget markup;
  - the page's Content-Security-Policy (header and <meta>): script-src for the
    script, connect-src for the token route and the endpoint, Trusted Types;
  - the token route /customer/current.jwt (a guest gets 404 on Stencil);
  - the endpoint, called as a browser would from the page's origin, its www
    twin and every --also-origin: an unsigned token must get 401 "signature"
    with exact CORS, no-store, Vary: Origin and no redirect.

Options:
  --storefront URL     A storefront page with a gate (https; http on localhost only).
  --endpoint URL       Check this endpoint instead of the ones the page names.
  --client-id ID       Your app's client ID; the page's gates must use it.
                       Or set BC_CLIENT_ID.
  --also-origin URL    Another storefront origin that must be allowed (repeatable).
  --timeout MS         Per request. Default: ${DEFAULT_TIMEOUT_MS}.
  --max-page-bytes N   Read at most this much of the page. Default: ${DEFAULT_MAX_PAGE_BYTES} (2 MiB).
  --customer-id N      End to end: mint a token for customer N with BC_CLIENT_SECRET
  --store HASH         (a development app's secret) for this store, send it to
                       --endpoint (required then) and print the shape of the
                       answer (never its data).
  --json               Print the checklist as JSON, for CI.
  -h, --help           Show this help.

Exit status: 0 every required check passed (warnings allowed), 1 a check failed,
2 usage error. Nothing secret is printed: not the secret, not any token.

Example:
  bc-customer-gate doctor --storefront https://store.example.com/shop/ \\
    --client-id abc123clientid --also-origin https://shop.example.co.uk
`;

const options = {
  storefront: { type: 'string' },
  endpoint: { type: 'string' },
  'client-id': { type: 'string' },
  'also-origin': { type: 'string', multiple: true },
  timeout: { type: 'string' },
  'max-page-bytes': { type: 'string' },
  'customer-id': { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const command: Command<typeof options> = { summary, usage, help, options, run: runDoctor };

async function runDoctor(values: ParsedValues<typeof options>, _positionals: string[], io: Io): Promise<number> {
  if (values.storefront === undefined)
    throw new UsageError('Missing --storefront (the URL of a storefront page with a gate).');
  const storefront = secureUrl(values.storefront, '--storefront');
  const endpoint = values.endpoint === undefined ? undefined : secureUrl(values.endpoint, '--endpoint');
  const alsoOrigins = (values['also-origin'] ?? []).map((value) => secureUrl(value, '--also-origin').origin);
  const clientId = values['client-id'] ?? (io.env['BC_CLIENT_ID'] || undefined);
  if (clientId !== undefined && clientId.trim() === '') throw new UsageError('--client-id must not be empty.');
  const timeoutMs = integer(values.timeout, '--timeout', { min: 1, max: 600_000 }) ?? DEFAULT_TIMEOUT_MS;
  const maxPageBytes =
    integer(values['max-page-bytes'], '--max-page-bytes', { min: 1024, max: 64 * 1024 * 1024 }) ??
    DEFAULT_MAX_PAGE_BYTES;

  const doctorOptions: DoctorOptions = { storefront, alsoOrigins, timeoutMs, maxPageBytes };
  if (endpoint) doctorOptions.endpoint = endpoint;
  if (clientId !== undefined) doctorOptions.clientId = clientId;

  const customerId = integer(values['customer-id'], '--customer-id', { min: 1, max: Number.MAX_SAFE_INTEGER });
  if (customerId !== undefined || values.store !== undefined) {
    if (customerId === undefined) throw new UsageError('--store goes with --customer-id (the end-to-end check).');
    if (!endpoint)
      throw new UsageError(
        '--customer-id needs --endpoint URL: a signed token goes only to an endpoint you name, never to one read from the page.',
      );
    if (!values.store) throw new UsageError('--customer-id needs --store HASH (the store the token is for).');
    if (!/^[A-Za-z0-9_-]+$/.test(values.store))
      throw new UsageError('--store is letters and digits only (the store hash).');
    const secret = io.env['BC_CLIENT_SECRET'];
    if (!secret) throw new UsageError("--customer-id needs BC_CLIENT_SECRET set to a development app's client secret.");
    doctorOptions.endToEnd = { clientSecret: secret, customerId, storeHash: values.store };
  }

  const checks = await runChecks(doctorOptions);
  io.stdout(values.json ? renderJson(checks, storefront.href) : renderText(checks, storefront.href));
  return exitCode(checks);
}
