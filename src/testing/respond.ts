/** Small answers the mock storefront's routes share. Every one sets an exact `Content-Length`. */
import type { ServerResponse } from 'node:http';

/** Token and sign-in answers are per shopper: never stored by any cache. */
export const NO_STORE = 'no-store';

export function send(response: ServerResponse, status: number, type: string, body: string, headOnly = false): void {
  if (response.destroyed) return;
  const bytes = Buffer.from(body, 'utf8');
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length });
  response.end(headOnly ? undefined : bytes);
}

export function sendText(response: ServerResponse, status: number, message: string): void {
  send(response, status, 'text/plain; charset=utf-8', `${message}\n`);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

export function redirect(response: ServerResponse, status: 301 | 303, location: string): void {
  if (response.destroyed) return;
  response.writeHead(status, { Location: location, 'Content-Length': 0 });
  response.end();
}

export function methodNotAllowed(response: ServerResponse, methods: readonly string[]): void {
  response.setHeader('Allow', methods.join(', '));
  sendText(response, 405, `Use ${methods.join(' or ')}.`);
}
