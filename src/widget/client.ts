/**
 * A small client for the Widgets API calls the installer needs, over `fetch`.
 * https://developer.bigcommerce.com/docs/rest-content/widgets/widget-template
 */
import type { WidgetTemplateDefinition } from './template.js';

export const DEFAULT_API_BASE = 'https://api.bigcommerce.com';

export interface WidgetsApiOptions {
  storeHash: string;
  /** A store-level API account's access token with the Content scope set to "modify". */
  accessToken: string;
  /** Default `https://api.bigcommerce.com`. */
  apiBase?: string;
  /** Per request, in milliseconds. Default 30000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface InstallOptions extends Omit<WidgetsApiOptions, 'accessToken'> {
  /**
   * The channel (storefront) whose Page Builder gets the template, sent as `channel_id`; the
   * existing template is looked up in that channel only. Without it BigCommerce uses the store's
   * first channel, so on a store with several storefronts the others never see the widget.
   */
  channelId?: number;
  /** Optional only in a dry run, which then plans a create without looking for an existing template. */
  accessToken?: string;
  /** Look up (GET) but send no write; the result carries the write that would be sent. */
  dryRun?: boolean;
}

/** A request as it is, or would be, sent; the headers never include the access token. */
export interface WidgetsRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  body?: WidgetTemplateDefinition;
}

export interface InstallResult {
  /** In a dry run, what a real run would do. */
  action: 'created' | 'updated' | 'unchanged';
  /** The template's UUID; undefined in a dry run that would create one. */
  uuid: string | undefined;
  dryRun: boolean;
  /** The write that was (or in a dry run would be) sent; undefined when nothing changes. */
  write: WidgetsRequest | undefined;
  /** Whether the existing template was looked up (false only in a dry run without a token). */
  lookedUp: boolean;
  /** More templates share the name; the first one found is the one kept up to date. */
  duplicates: number;
}

export type WidgetsApiErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'rate_limited'
  | 'http'
  | 'network'
  | 'response';

export class WidgetsApiError extends Error {
  override readonly name = 'WidgetsApiError';
  constructor(
    readonly kind: WidgetsApiErrorKind,
    message: string,
    readonly status?: number,
    /** For 422: field name and what is wrong with it, as the API reported them. */
    readonly fieldErrors: ReadonlyArray<readonly [field: string, problem: string]> = [],
  ) {
    super(message);
  }
}

interface ListedTemplate {
  uuid?: unknown;
  channel_id?: unknown;
  name?: unknown;
  template?: unknown;
  schema?: unknown;
}

const PAGE_SIZE = 50;
// 1,000 custom templates per channel and 5,000 per store fit in 100 pages; the cap only stops a
// misbehaving server looping us.
const MAX_PAGES = 100;

/**
 * Creates the widget template, or updates the one with the same name, so running it again changes
 * nothing: when the stored template and schema already match, no write is sent at all.
 */
export async function installWidgetTemplate(
  template: WidgetTemplateDefinition,
  options: InstallOptions,
): Promise<InstallResult> {
  const collection = `${templatesUrl(options)}`;
  const dryRun = options.dryRun === true;
  const channelId = checkChannelId(options.channelId ?? template.channel_id);
  const definition: WidgetTemplateDefinition =
    channelId === undefined ? template : { ...template, channel_id: channelId };
  if (!options.accessToken) {
    if (!dryRun) throw new TypeError('bc-customer-gate: installWidgetTemplate needs an "accessToken".');
    return {
      action: 'created',
      uuid: undefined,
      dryRun,
      write: { method: 'POST', url: collection, body: definition },
      lookedUp: false,
      duplicates: 0,
    };
  }
  const api = { ...options, accessToken: options.accessToken };

  const listed = await listWidgetTemplates({ ...api, ...(channelId === undefined ? {} : { channelId }) });
  const matches = listed.filter((t) => t.name === definition.name);
  const existing = matches[0];
  const duplicates = Math.max(0, matches.length - 1);

  if (!existing) {
    const write: WidgetsRequest = { method: 'POST', url: collection, body: definition };
    if (dryRun) return { action: 'created', uuid: undefined, dryRun, write, lookedUp: true, duplicates };
    const created = await send(api, write);
    return { action: 'created', uuid: uuidOf(created), dryRun, write, lookedUp: true, duplicates };
  }

  const uuid = String(existing.uuid);
  if (
    existing.template === definition.template &&
    canonicalJson(existing.schema) === canonicalJson(definition.schema)
  ) {
    return { action: 'unchanged', uuid, dryRun, write: undefined, lookedUp: true, duplicates };
  }
  const write: WidgetsRequest = { method: 'PUT', url: `${collection}/${pathSegment(uuid)}`, body: definition };
  if (!dryRun) await send(api, write);
  return { action: 'updated', uuid, dryRun, write, lookedUp: true, duplicates };
}

/**
 * Every widget template in the store, or in one channel (`channel_id:in`), following
 * `meta.pagination` page by page.
 */
export async function listWidgetTemplates(
  options: WidgetsApiOptions & { channelId?: number },
): Promise<ListedTemplate[]> {
  const all: ListedTemplate[] = [];
  const channelId = checkChannelId(options.channelId);
  const channel = channelId === undefined ? '' : `&channel_id:in=${channelId}`;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await send(options, {
      method: 'GET',
      url: `${templatesUrl(options)}?page=${page}&limit=${PAGE_SIZE}${channel}`,
    });
    const data = (body as { data?: unknown })?.data;
    if (!Array.isArray(data)) {
      throw new WidgetsApiError(
        'response',
        'The Widgets API answered the template list without a "data" array; check --api-base.',
      );
    }
    all.push(...(data as ListedTemplate[]));
    const pagination = (body as { meta?: { pagination?: { total_pages?: unknown; current_page?: unknown } } }).meta
      ?.pagination;
    const totalPages = Number(pagination?.total_pages);
    const currentPage = Number(pagination?.current_page ?? page);
    if (!Number.isFinite(totalPages) || currentPage >= totalPages || data.length === 0) break;
  }
  return all;
}

/** A channel ID is a positive integer (channel 1 is the store's first storefront). */
export function checkChannelId(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(
      "bc-customer-gate: the channel ID must be a positive integer (Channel Manager lists each storefront's ID).",
    );
  }
  return value;
}

export function templatesUrl(options: Pick<WidgetsApiOptions, 'storeHash' | 'apiBase'>): string {
  if (!/^[A-Za-z0-9_-]+$/.test(options.storeHash ?? '')) {
    throw new TypeError(
      'bc-customer-gate: the store hash is letters and digits only (the part after /stores/ in your API path).',
    );
  }
  const base = (options.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  return `${base}/stores/${options.storeHash}/v3/content/widget-templates`;
}

async function send(options: WidgetsApiOptions, request: WidgetsRequest): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: request.method,
      headers: {
        'X-Auth-Token': options.accessToken,
        Accept: 'application/json',
        ...(request.body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw new WidgetsApiError(
      'network',
      `Could not reach ${originOf(request.url)}: ${networkReason(error)}. Check --api-base and the network connection.`,
    );
  }

  const text = await response.text().catch(() => '');
  const body = parseJson(text);
  if (response.ok) {
    if (body === undefined && text !== '') {
      throw new WidgetsApiError(
        'response',
        `${request.method} ${request.url} answered ${response.status} with something other than JSON; check --api-base.`,
      );
    }
    return body;
  }
  throw httpError(request, response.status, body);
}

function httpError(request: WidgetsRequest, status: number, body: unknown): WidgetsApiError {
  // The API's own words, as sent: whoever prints the message escapes it for where it goes.
  const rawTitle = (body as { title?: unknown })?.title;
  const title = typeof rawTitle === 'string' ? rawTitle : undefined;
  switch (status) {
    case 401:
      return new WidgetsApiError(
        'unauthorized',
        'The Widgets API refused the access token (401): it is wrong, expired or revoked, or belongs to another store. ' +
          'Check --access-token (or BC_ACCESS_TOKEN) and --store-hash.',
        status,
      );
    case 403:
      return new WidgetsApiError(
        'forbidden',
        'The access token may not change widget templates (403): it needs the Content scope set to "modify". ' +
          'Create a store-level API account with that scope (Settings > API > Store-level API accounts) and use its token.',
        status,
      );
    case 404:
      return new WidgetsApiError(
        'not_found',
        `Not found (404) at ${request.method} ${request.url}: check --store-hash and --api-base.`,
        status,
      );
    case 422: {
      // Which fields failed travel in `fieldErrors`, not in the message.
      return new WidgetsApiError(
        'validation',
        `The Widgets API rejected the widget template (422${title ? `: ${title}` : ''}).`,
        status,
        readFieldErrors(body),
      );
    }
    case 429:
      return new WidgetsApiError(
        'rate_limited',
        'The Widgets API is rate-limiting this store (429): wait a few seconds and run again.',
        status,
      );
    default:
      return new WidgetsApiError(
        'http',
        `${request.method} ${request.url} failed with HTTP ${status}${title ? `: ${title}` : ''}.` +
          (status >= 500 ? ' BigCommerce had a problem; try again shortly.' : ''),
        status,
      );
  }
}

/** BigCommerce's 422 body: `{ status, title, type, errors: { field: "problem" } }`. */
function readFieldErrors(body: unknown): Array<[string, string]> {
  const errors = (body as { errors?: unknown })?.errors;
  if (!errors || typeof errors !== 'object') return [];
  if (Array.isArray(errors)) return errors.map((problem, i) => [String(i), describe(problem)]);
  return Object.entries(errors as Record<string, unknown>).map(([field, problem]) => [field, describe(problem)]);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(describe).join('; ');
  return JSON.stringify(value);
}

/** The UUID as a URL path segment; one that is not well-formed text (a lone surrogate) is a bad answer. */
function pathSegment(uuid: string): string {
  try {
    return encodeURIComponent(uuid);
  } catch {
    throw new WidgetsApiError(
      'response',
      'The Widgets API listed a widget template whose "uuid" is not valid text; check --api-base.',
    );
  }
}

function uuidOf(body: unknown): string | undefined {
  const uuid = (body as { data?: { uuid?: unknown } })?.data?.uuid;
  return typeof uuid === 'string' ? uuid : undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return 'the request timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  };
  if (code) return `${reasons[code] ?? 'network error'} (${code})`;
  return error instanceof Error && error.message ? error.message : 'network error';
}

/** JSON with object keys sorted, so two schemas compare equal whatever order the API returns keys in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
