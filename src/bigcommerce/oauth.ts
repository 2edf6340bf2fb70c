/**
 * The install callback's code exchange: BigCommerce calls the app's Auth Callback URL with
 * `code`, `scope` and `context`, and the app trades them for the store's access token.
 * https://developer.bigcommerce.com/docs/integrations/apps/guide/auth
 */
import { StoreApiError } from './errors.js';
import { type CallContext, requestJson } from './http.js';
import { invalid, readFetch, readInteger, readSignal, readStoreHash, readUrl } from './options.js';

/** BigCommerce's OAuth token endpoint. */
export const DEFAULT_TOKEN_URL = 'https://login.bigcommerce.com/oauth2/token';

/** Options of {@link exchangeAuthCode}: the callback's three query parameters and the app's credentials. */
export interface ExchangeAuthCodeOptions {
  /** The callback's `code` query parameter. Single use; it expires within minutes. */
  code: string;
  /** The callback's `scope` query parameter (space-separated scopes). */
  scope: string;
  /** The callback's `context` query parameter, `stores/{store_hash}`. */
  context: string;
  /** The app's client ID (Developer Portal). */
  clientId: string;
  /** The app's client secret. Keep it in an environment variable or a secret store. */
  clientSecret: string;
  /** The app's Auth Callback URL, exactly as registered. */
  redirectUri: string;
  /** The token endpoint. Default `https://login.bigcommerce.com/oauth2/token`; http only to localhost. */
  tokenUrl?: string;
  /** Time limit in milliseconds. Default 10000. */
  timeoutMs?: number;
  /** The fetch to call. Default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the exchange; it then rejects with code `aborted`. */
  signal?: AbortSignal;
}

/** A BigCommerce user (the installer, or the store owner). */
export interface StoreUser {
  id: number;
  email: string;
  username?: string;
  locale?: string;
}

/** What an install yields: keep `accessToken` per `storeHash`, encrypted at rest. */
export interface InstalledStore {
  /** The store's API token, for `recentlyPurchased`'s `accessToken`. */
  accessToken: string;
  /** From the answer's `context`, `stores/{hash}`. */
  storeHash: string;
  /** The scopes granted, space-separated. */
  scope: string;
  /** Who installed the app. */
  user: StoreUser;
  /** The store owner, when BigCommerce says. */
  owner?: StoreUser;
  /** The BigCommerce account, when BigCommerce says. */
  accountUuid?: string;
}

const CONTEXT = /^stores\/([^/]+)$/;

/**
 * Trades an install callback's authorization code for the store's access token. Sent once (a
 * code cannot be used twice, so nothing is retried except a 429's wait). Rejects with a
 * {@link StoreApiError}: `code_refused` when BigCommerce refuses the code or the credentials,
 * `bad_response`, `timeout`, `network`, `aborted`, `invalid_options`.
 */
export async function exchangeAuthCode(options: ExchangeAuthCodeOptions): Promise<InstalledStore> {
  if (!options || typeof options !== 'object') {
    throw invalid('pass { code, scope, context, clientId, clientSecret, redirectUri } to exchangeAuthCode.');
  }
  for (const name of ['code', 'scope', 'context', 'clientId', 'clientSecret', 'redirectUri'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '')
      throw invalid(
        `"${name}" must be a non-empty string${name === 'clientSecret' ? '' : ' (from the callback or the app)'}.`,
      );
  }
  const storeHash = readStoreHash(CONTEXT.exec(options.context)?.[1], 'context');
  const tokenUrl = readUrl(options.tokenUrl, 'tokenUrl', DEFAULT_TOKEN_URL);
  const timeoutMs = readInteger(options.timeoutMs, 'timeoutMs', 10_000, 1, 300_000);
  const ctx: CallContext = {
    fetch: readFetch(options.fetch),
    deadline: Date.now() + timeoutMs,
    timeoutMs,
    signal: readSignal(options.signal),
    onEvent: undefined,
  };
  const { body } = await requestJson(ctx, {
    url: tokenUrl,
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code: options.code,
      scope: options.scope,
      grant_type: 'authorization_code',
      redirect_uri: options.redirectUri,
      context: options.context,
    }),
    what: 'OAuth token exchange',
    retries: 0,
    refused: (status) =>
      status >= 400 && status < 500
        ? new StoreApiError(
            'code_refused',
            `OAuth token exchange: BigCommerce refused the code (${status}). A code works once and only for ` +
              "minutes; check also that clientId and clientSecret are the app's and that redirectUri is exactly " +
              'its Auth Callback URL.',
            { status },
          )
        : undefined,
  });
  return readInstall(body, storeHash);
}

function bad(problem: string): StoreApiError {
  return new StoreApiError('bad_response', `OAuth token exchange: the answer ${problem}.`);
}

function readInstall(body: unknown, storeHash: string): InstalledStore {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('is not a JSON object');
  const answer = body as Record<string, unknown>;
  const { access_token: accessToken, scope, context, account_uuid: accountUuid } = answer;
  if (typeof accessToken !== 'string' || accessToken === '') throw bad('has no "access_token"');
  if (typeof scope !== 'string') throw bad('has no "scope"');
  if (context !== `stores/${storeHash}`)
    throw bad(`is for another store than the callback's context "stores/${storeHash}"`);
  const user = readUser(answer['user']);
  if (!user) throw bad('has no "user" with a numeric "id" and an "email"');
  const owner = readUser(answer['owner']);
  return {
    accessToken,
    storeHash,
    scope,
    user,
    ...(owner && { owner }),
    ...(typeof accountUuid === 'string' && { accountUuid }),
  };
}

/** `{ id, email, username?, locale? }`, or `undefined` when it is not that. */
export function readUser(value: unknown): StoreUser | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { id, email, username, locale } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof email !== 'string') return undefined;
  return {
    id,
    email,
    ...(typeof username === 'string' && { username }),
    ...(typeof locale === 'string' && { locale }),
  };
}
