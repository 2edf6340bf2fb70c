/**
 * Static file lookup for the mock storefront: maps a URL path to a file inside one folder and
 * nowhere else. Decoding happens per segment, so an encoded slash (`..%2f`) stays inside its segment
 * and is refused like a plain `..`.
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

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
