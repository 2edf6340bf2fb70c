// Small loopback servers for the doctor's tests: a storefront whose pages and headers each test sets,
// and app endpoints, healthy (the package's own handler) or deliberately broken.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCustomerGateHandler, toNodeListener } from '../../src/server/index.js';

export const CLIENT_ID = 'doctor-test-client-id';
export const CLIENT_SECRET = 'doctor-test-secret-0123456789abcdef';
export const STORE_HASH = 'teststore1';

export interface Running {
  /** `http://HOST:PORT` */
  origin: string;
  port: number;
  /** Bytes written to responses so far. */
  readonly bytesSent: number;
  close(): Promise<void>;
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** Listens on 127.0.0.1, port 0; `host` is the name the origin uses (localhost or 127.0.0.1). */
export async function serve(listener: Listener, host = '127.0.0.1'): Promise<Running> {
  const sockets = new Set<import('node:net').Socket>();
  let bytesSent = 0;
  const server: Server = createServer((request, response) => {
    const write = response.write.bind(response);
    response.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' || chunk instanceof Uint8Array) bytesSent += Buffer.byteLength(chunk as string);
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof response.write;
    listener(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    get bytesSent() {
      return bytesSent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Page {
  html: string;
  headers?: Record<string, string>;
}

/**
 * A storefront on `http://localhost:PORT`: `pages` maps a path to what it serves (set it after the
 * app is up); `/customer/current.jwt` answers a guest 404, as Stencil does, unless `routes.token` says otherwise.
 */
export async function storefront(): Promise<
  Running & { pages: Map<string, Page>; routes: { token: Listener | null } }
> {
  const pages = new Map<string, Page>();
  const routes = { token: null as Listener | null };
  const running = await serve((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/customer/current.jwt') {
      if (routes.token) return routes.token(request, response);
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      return response.end('Not signed in');
    }
    const page = pages.get(url.pathname);
    if (!page) {
      response.writeHead(404, { 'Content-Type': 'text/html' });
      return response.end('<h1>Not found</h1>');
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...page.headers });
    response.end(page.html);
  }, 'localhost');
  return Object.assign(running, { pages, routes });
}

/** The package's own handler, allowing exactly `origins`; `only` answers just those methods (405 for the rest). */
export function app(
  origins: string[],
  options: { algorithms?: Array<'HS256' | 'HS512'>; only?: string[] } = {},
): Promise<Running> {
  const handler = createCustomerGateHandler({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    stores: [STORE_HASH],
    origins,
    ...(options.algorithms ? { algorithms: options.algorithms } : {}),
    authorize: () => ({ products: [{ sku: 'SKU-1', name: 'secret product name' }] }),
  });
  const listener = toNodeListener(handler);
  return serve((request, response) => {
    if (options.only && !options.only.includes(request.method ?? '')) {
      response.writeHead(405, { Allow: options.only.join(', ') });
      return response.end();
    }
    listener(request, response);
  });
}

/** A gate page as a theme would render it; `extra` goes in <head>, `script` replaces the loader. */
export function gatePage(options: {
  endpoint: string;
  clientId?: string;
  script?: string;
  head?: string;
  gates?: string;
}): string {
  const script =
    options.script ??
    '<script type="module" src="https://cdn.jsdelivr.net/npm/bc-customer-gate@0.1.0/dist/cdn/bc-customer-gate.js"></script>';
  const gate = `<bc-customer-gate client-id="${options.clientId ?? CLIENT_ID}" endpoint="${options.endpoint}" logged-in="false">
  <p slot="loading">Checking…</p><p slot="anonymous">Sign in.</p>
</bc-customer-gate>`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8">${options.head ?? ''}
<style>bc-customer-gate:not(:defined) > :not([slot="anonymous"]) { display: none; } @media (width >= 0px) { bc-customer-gate:not(:defined) > [slot="anonymous"] { display: none; } bc-customer-gate:not(:defined) > [slot="loading"] { display: revert; } }</style>
${script}
</head><body>
${options.gates ?? gate}
</body></html>`;
}
