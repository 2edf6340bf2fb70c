// An imitation of BigCommerce's Widgets API (widget templates only), on a real socket on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredTemplate {
  uuid: string;
  name: string;
  template: string;
  schema: unknown;
  /** The channel the template belongs to; BigCommerce's default is the store's first channel. */
  channel_id: number;
  kind: string;
  date_created: string;
  date_modified: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  token: string | undefined;
}

export interface FakeWidgetsApi {
  base: string;
  storeHash: string;
  templates: StoredTemplate[];
  requests: RecordedRequest[];
  writes(): RecordedRequest[];
  /** Tokens accepted for reads and writes; a token only in readOnlyTokens gets 403 on writes. */
  tokens: Set<string>;
  readOnlyTokens: Set<string>;
  /** Fields the API insists on in a POST or PUT body (422 when missing). */
  requiredFields: string[];
  /** Force every response to this status (for 5xx tests). */
  failWith: number | undefined;
  /** The body sent with `failWith`; default `{ status, title: 'Service Unavailable' }`. */
  failBody: unknown;
  close(): Promise<void>;
}

const PAGE_MAX = 50;

export async function startWidgetsApi(
  options: { storeHash?: string; tokens?: string[]; readOnlyTokens?: string[] } = {},
): Promise<FakeWidgetsApi> {
  const api: Omit<FakeWidgetsApi, 'base' | 'close'> = {
    storeHash: options.storeHash ?? 'abc123',
    templates: [],
    requests: [],
    writes: () => api.requests.filter((r) => r.method !== 'GET'),
    tokens: new Set(options.tokens ?? ['good-token-0123456789']),
    readOnlyTokens: new Set(options.readOnlyTokens ?? []),
    requiredFields: ['name', 'template'],
    failWith: undefined,
    failBody: undefined,
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { status: 500, title: 'Internal error' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const token = req.headers['x-auth-token'] as string | undefined;
    api.requests.push({ method: req.method ?? '', path: url.pathname + url.search, token });
    const body = await readBody(req);

    if (api.failWith)
      return send(res, api.failWith, api.failBody ?? { status: api.failWith, title: 'Service Unavailable' });
    const prefix = `/stores/${api.storeHash}/v3/content/widget-templates`;
    if (!url.pathname.startsWith(prefix)) return send(res, 404, { status: 404, title: 'Not Found' });
    if (!token || !(api.tokens.has(token) || api.readOnlyTokens.has(token))) {
      return send(res, 401, { status: 401, title: 'The access token is invalid.' });
    }
    if (req.headers['accept'] !== 'application/json') return send(res, 406, { status: 406, title: 'Not Acceptable' });
    const rest = url.pathname.slice(prefix.length);

    if (req.method === 'GET' && rest === '') {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? PAGE_MAX) || PAGE_MAX, PAGE_MAX);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
      // `channel_id:in=1,2` keeps the templates of those channels, as the Widgets API does.
      const channels = url.searchParams.get('channel_id:in')?.split(',').map(Number);
      if (channels?.some((id) => !Number.isInteger(id)))
        return send(res, 422, { status: 422, title: 'Invalid channel_id:in' });
      const listed = channels ? api.templates.filter((t) => channels.includes(t.channel_id)) : api.templates;
      const totalPages = Math.max(1, Math.ceil(listed.length / limit));
      const data = listed.slice((page - 1) * limit, page * limit);
      return send(res, 200, {
        data,
        meta: {
          pagination: {
            total: listed.length,
            count: data.length,
            per_page: limit,
            current_page: page,
            total_pages: totalPages,
            links: {
              current: `?page=${page}&limit=${limit}`,
              ...(page < totalPages ? { next: `?page=${page + 1}&limit=${limit}` } : {}),
            },
          },
        },
      });
    }

    if (req.method !== 'POST' && req.method !== 'PUT')
      return send(res, 405, { status: 405, title: 'Method Not Allowed' });
    if (api.readOnlyTokens.has(token))
      return send(res, 403, { status: 403, title: "You don't have a required scope to access the endpoint" });
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return send(res, 415, { status: 415, title: 'Unsupported Media Type' });
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return send(res, 400, { status: 400, title: 'Bad Request' });
    }
    const missing = api.requiredFields.filter((field) => json[field] === undefined || json[field] === '');
    if (missing.length > 0) {
      return send(res, 422, {
        status: 422,
        title: 'JSON data is missing or invalid',
        type: 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes',
        errors: Object.fromEntries(missing.map((field) => [field, `error.path.missing: ${field} is required`])),
      });
    }
    if (
      json['channel_id'] !== undefined &&
      !(Number.isInteger(json['channel_id']) && (json['channel_id'] as number) > 0)
    ) {
      return send(res, 422, {
        status: 422,
        title: 'JSON data is missing or invalid',
        errors: { channel_id: 'must be a positive integer' },
      });
    }
    const stamp = new Date().toISOString();
    if (req.method === 'POST' && rest === '') {
      const created: StoredTemplate = {
        uuid: randomUUID(),
        name: String(json['name']),
        template: String(json['template']),
        schema: json['schema'] ?? [],
        channel_id: (json['channel_id'] as number | undefined) ?? 1,
        kind: 'custom',
        date_created: stamp,
        date_modified: stamp,
      };
      api.templates.push(created);
      return send(res, 200, { data: created, meta: {} });
    }
    const existing = req.method === 'PUT' ? api.templates.find((t) => `/${t.uuid}` === rest) : undefined;
    if (!existing) return send(res, 404, { status: 404, title: 'Widget template not found' });
    Object.assign(existing, {
      name: json['name'] ?? existing.name,
      template: json['template'] ?? existing.template,
      schema: json['schema'] ?? existing.schema,
      date_modified: stamp,
    });
    return send(res, 200, { data: existing, meta: {} });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeWidgetsApi;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
