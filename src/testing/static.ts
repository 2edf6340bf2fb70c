/**
 * Static files for the mock storefront: a root folder and folders mounted at URL prefixes, each URL
 * path mapped to a file inside its folder and nowhere else. Decoding happens per segment, so an
 * encoded slash (`..%2f`) stays inside its segment and is refused like a plain `..`.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { methodNotAllowed, redirect, send, sendText } from './respond.js';

/** Content types by file extension; anything else is sent as `application/octet-stream`. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function isHtml(file: string): boolean {
  const ext = extname(file).toLowerCase();
  return ext === '.html' || ext === '.htm';
}

/** Outcome of looking a URL path up in a static folder. */
export type StaticLookup =
  | { kind: 'file'; file: string; size: number }
  /** A directory asked for without its trailing slash; `path` is the clean, slash-terminated path below the folder. */
  | { kind: 'directory'; path: string }
  | { kind: 'missing' }
  /** The path is not valid percent-encoding. */
  | { kind: 'bad' };

/** A folder served at a URL prefix. */
export class StaticFolder {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * Looks up `rawPath` (the part of the URL path below this folder's prefix, still percent-encoded,
   * starting with `/`). Refuses, as missing, any segment that decodes to `.`, `..`, a dotfile name, or
   * anything holding a slash, backslash or control character, and anything that resolves (through
   * symlinks too) outside the folder.
   */
  async lookup(rawPath: string): Promise<StaticLookup> {
    const segments: string[] = [];
    for (const raw of rawPath.split('/')) {
      if (raw === '') continue;
      let segment: string;
      try {
        segment = decodeURIComponent(raw);
      } catch {
        return { kind: 'bad' };
      }
      if (segment.startsWith('.') || /[/\\\x00-\x1f\x7f]/.test(segment)) return { kind: 'missing' };
      segments.push(segment);
    }

    let file = join(this.root, ...segments);
    if (file !== this.root && !file.startsWith(this.root + sep)) return { kind: 'missing' };

    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        return { kind: 'directory', path: segments.length ? `/${segments.map(encodeURIComponent).join('/')}/` : '/' };
      }
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) return { kind: 'missing' };

    // A symlink inside the folder must not lead out of it.
    const [real, realRoot] = await Promise.all([
      realpath(file).catch(() => undefined),
      realpath(this.root).catch(() => undefined),
    ]);
    if (!real || !realRoot || !real.startsWith(realRoot + sep)) return { kind: 'missing' };
    return { kind: 'file', file, size: info.size };
  }
}

/** Renders an HTML page for the request being answered. */
export type RenderPage = (html: string) => Promise<string>;

/**
 * Rendered pages may be revalidated but not stored for others, as a storefront's are. Not
 * `no-store`: Chromium keeps such pages out of the back/forward cache, and the element's
 * freshness rules are tested against a page that Back restores from it.
 */
const PAGE_CACHE = 'private, no-cache';

/** The storefront's static folders: mounts by URL prefix, longest first, then the root. */
export class StaticSite {
  #mounts: Array<{ prefix: string; folder: StaticFolder }> = [];
  readonly #root: StaticFolder | undefined;

  constructor(root: string | undefined, mounts: Readonly<Record<string, string>> = {}) {
    this.#root = root === undefined ? undefined : new StaticFolder(root);
    for (const [prefix, directory] of Object.entries(mounts)) this.mount(prefix, directory);
  }

  /** Serves `directory` at URL `prefix`; a longer prefix wins over a shorter one. */
  mount(prefix: string, directory: string): void {
    this.#mounts.push({ prefix: readPrefix(prefix), folder: new StaticFolder(directory) });
    this.#mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /**
   * Answers a request for `path` (percent-encoded, without the query) from the folder that covers
   * it, `404` when none does. `renderPage`, when given, renders `.html` files.
   */
  async serve(
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
    renderPage: RenderPage | undefined,
  ): Promise<void> {
    for (const { prefix, folder } of this.#mounts) {
      if (path === prefix.slice(0, -1)) return redirect(response, 301, prefix);
      if (path.startsWith(prefix)) {
        return serveFile(request, response, folder, prefix, path.slice(prefix.length - 1), renderPage);
      }
    }
    if (this.#root) return serveFile(request, response, this.#root, '/', path, renderPage);
    return sendText(response, 404, 'Not found.');
  }
}

/** `GET` and `HEAD` only; a directory asked for without its slash is redirected to it. */
async function serveFile(
  request: IncomingMessage,
  response: ServerResponse,
  folder: StaticFolder,
  prefix: string,
  subPath: string,
  renderPage: RenderPage | undefined,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, ['GET', 'HEAD']);
  const found = await folder.lookup(subPath);
  if (found.kind === 'bad') return sendText(response, 400, 'Bad percent-encoding in the path.');
  if (found.kind === 'missing') return sendText(response, 404, 'Not found.');
  if (found.kind === 'directory') {
    const target = request.url ?? '';
    const query = target.includes('?') ? target.slice(target.indexOf('?')) : '';
    return redirect(response, 301, prefix.slice(0, -1) + found.path + query);
  }

  const type = contentTypeFor(found.file);
  if (renderPage && isHtml(found.file)) {
    const body = await renderPage(await readFile(found.file, 'utf8'));
    response.setHeader('Cache-Control', PAGE_CACHE);
    return send(response, 200, type, body, method === 'HEAD');
  }
  response.writeHead(200, { 'Content-Type': type, 'Content-Length': found.size, 'Cache-Control': 'no-cache' });
  if (method === 'HEAD') return void response.end();
  await new Promise<void>((resolve) => {
    const stream = createReadStream(found.file);
    stream.on('error', () => {
      response.destroy();
      resolve();
    });
    stream.on('end', resolve);
    response.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(response);
  });
}

function readPrefix(prefix: string): string {
  if (
    typeof prefix !== 'string' ||
    !prefix.startsWith('/') ||
    prefix.startsWith('//') ||
    /[?#\\]|\/\.{1,2}(\/|$)/.test(prefix)
  ) {
    throw new TypeError(
      `bc-customer-gate: mount prefix ${JSON.stringify(prefix)} must be a plain path such as "/dist/".`,
    );
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}
