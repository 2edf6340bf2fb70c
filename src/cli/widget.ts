import {
  DEFAULT_API_BASE,
  installWidgetTemplate,
  WidgetsApiError,
  type InstallResult,
  type WidgetsRequest,
} from '../widget/client.js';
import { buildWidgetTemplate, cdnScriptUrl, DEFAULT_WIDGET_NAME } from '../widget/template.js';
import { packageVersion } from '../version.js';
import { type ParsedValues, secureUrl, UsageError } from './args.js';
import type { Command, CommandGroup } from './command.js';
import { terminalSafe } from '../terminal.js';
import { indent } from './format.js';
import type { Io } from './io.js';

export const summary = 'Register the Page Builder widget template through the Widgets API.';

export const usage = 'bc-customer-gate widget install --store-hash HASH [options]';

export const help = `Usage: bc-customer-gate widget <subcommand>

Subcommands:
  install   ${summary}

Run 'bc-customer-gate widget install --help' for its options.
`;

const installHelp = () => `Usage: ${usage}

${summary}

Creates the widget template "${DEFAULT_WIDGET_NAME}", or updates the one with the
same name; when it is already identical nothing is sent, so running it twice is
safe. Merchants then drag the widget onto pages in Page Builder and set the
client ID, endpoint and texts there. The template loads the element from
${cdnScriptUrl(packageVersion())}
(the installed version of this package), or from --script-url.

Options:
  --store-hash HASH     The store's hash (from its API path: stores/<hash>/v3).
  --access-token TOKEN  A store-level API account's token with the Content scope
                        set to "modify". Prefer setting BC_ACCESS_TOKEN: a token on
                        the command line lands in shell history.
  --client-id ID        Pre-fill the widget's app client ID.
  --endpoint URL        Pre-fill the widget's exchange endpoint (https).
  --channel-id N        The channel (storefront) whose Page Builder gets the widget;
                        the existing template is looked up in that channel only.
                        Without it, BigCommerce puts the template on the store's
                        first channel only: other storefronts of a multi-storefront
                        store do not see it. Channel IDs are in Channel Manager.
  --name NAME           Template name. Default: "${DEFAULT_WIDGET_NAME}".
  --script-url URL      Load the element from this https URL instead of jsDelivr.
  --api-base URL        Default: ${DEFAULT_API_BASE}.
  --dry-run             Print the write it would send (token masked); send none.
                        Still reads the store's templates when a token is given.
  -h, --help            Show this help.

Example:
  export BC_ACCESS_TOKEN=...
  bc-customer-gate widget install --store-hash abc123 --client-id abc123clientid \\
    --endpoint https://app.example.com/customer-gate
`;

const options = {
  'store-hash': { type: 'string' },
  'access-token': { type: 'string' },
  'client-id': { type: 'string' },
  endpoint: { type: 'string' },
  name: { type: 'string' },
  'channel-id': { type: 'string' },
  'script-url': { type: 'string' },
  'api-base': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

const install: Command<typeof options> = { summary, usage, help: installHelp, options, run: runInstall };

export const command: CommandGroup = {
  summary,
  usage: 'bc-customer-gate widget <subcommand> [options]',
  help,
  subcommands: { install },
};

async function runInstall(values: ParsedValues<typeof options>, _positionals: string[], io: Io): Promise<number> {
  const storeHash = values['store-hash'];
  if (!storeHash) throw new UsageError('Missing --store-hash.');
  if (!/^[A-Za-z0-9_-]+$/.test(storeHash))
    throw new UsageError('--store-hash is letters and digits only (the part after stores/ in the API path).');
  const dryRun = values['dry-run'] === true;
  const accessToken = values['access-token'] ?? io.env['BC_ACCESS_TOKEN'] ?? '';
  if (accessToken === '' && !dryRun)
    throw new UsageError('Missing the access token: set BC_ACCESS_TOKEN (or pass --access-token).');
  const apiBase = values['api-base'] ?? DEFAULT_API_BASE;
  secureUrl(apiBase, '--api-base');
  if (values.endpoint !== undefined) secureUrl(values.endpoint, '--endpoint');
  if (values['script-url'] !== undefined) secureUrl(values['script-url'], '--script-url');
  if (values['client-id'] === '') throw new UsageError('--client-id must not be empty.');
  if (values.name !== undefined && values.name.trim() === '') throw new UsageError('--name must not be empty.');
  const channelId = values['channel-id'] === undefined ? undefined : parseChannelId(values['channel-id']);
  if (values['access-token']) {
    io.stderr(
      'note: a token passed with --access-token is saved in your shell history; set BC_ACCESS_TOKEN instead.\n',
    );
  }

  const definition = buildWidgetTemplate({
    version: packageVersion(),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['script-url'] === undefined ? {} : { scriptUrl: values['script-url'] }),
    ...(values['client-id'] === undefined ? {} : { clientId: values['client-id'] }),
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
  });

  let result: InstallResult;
  try {
    result = await installWidgetTemplate(definition, {
      storeHash,
      apiBase,
      dryRun,
      ...(accessToken ? { accessToken } : {}),
      ...(channelId === undefined ? {} : { channelId }),
    });
  } catch (error) {
    if (!(error instanceof WidgetsApiError)) throw error;
    // The message and the field errors quote the API's answer as sent: escaped here, where they print.
    const fields = error.fieldErrors.map(([field, problem]) => `\n  ${terminalSafe(field)}: ${terminalSafe(problem)}`);
    io.stderr(`error: ${terminalSafe(error.message)}${fields.join('')}\n`);
    return 1;
  }

  const label = `"${terminalSafe(definition.name)}"`;
  // The UUID comes from the API's answer.
  const uuid = result.uuid === undefined ? undefined : terminalSafe(result.uuid);
  if (result.duplicates > 0) {
    io.stderr(
      `warning: ${result.duplicates + 1} widget templates are named ${label}; kept the first (${uuid}) up to date.\n`,
    );
  }
  if (result.dryRun) {
    let text = 'Dry run: nothing was changed.\n';
    if (!result.lookedUp)
      text +=
        'No access token, so the store was not checked for an existing template; a real run updates one in place.\n';
    if (!result.write) text += `Widget template ${label} (${uuid}) is already up to date; no write would be sent.\n`;
    else
      text += `Would ${result.action === 'created' ? 'create' : `update ${uuid}`}:\n\n${describeRequest(result.write, accessToken !== '')}`;
    io.stdout(text);
    return 0;
  }
  const where = channelId === undefined ? '' : ` in channel ${channelId}`;
  if (result.action === 'unchanged')
    io.stdout(`Widget template ${label} (${uuid})${where} is already up to date; nothing sent.\n`);
  else
    io.stdout(
      `${result.action === 'created' ? 'Created' : 'Updated'} widget template ${label} (${uuid ?? 'no uuid returned'})${where}.\n`,
    );
  return 0;
}

function describeRequest(request: WidgetsRequest, hasToken: boolean): string {
  const headers = [
    `X-Auth-Token: ${hasToken ? '******** (masked)' : '(your access token)'}`,
    'Accept: application/json',
    'Content-Type: application/json',
  ];
  // The URL holds the UUID from the API (percent-encoded) and the body the --name and URLs given.
  const text = `${request.method} ${request.url}\n${indent(headers.join('\n'))}\n\n${JSON.stringify(request.body, null, 2)}\n`;
  return terminalSafe(text, { keepNewlines: true });
}

function parseChannelId(value: string): number {
  const id = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(
      `--channel-id must be a positive whole number, such as 1 for the store's first storefront (got "${terminalSafe(value)}").`,
    );
  }
  return id;
}
