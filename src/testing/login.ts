/**
 * The mock storefront's sign-in and sign-out routes (`/login`, `/login.php`, `/logout`): they set
 * and clear the session cookie and send the browser back to a path on this storefront, never
 * elsewhere.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, NO_STORE, redirect, send, sendText } from './respond.js';
import { SESSION_COOKIE, type SessionStore } from './sessions.js';
import { escapeHtml, type StorefrontCustomer } from './template.js';

const MAX_FORM_BYTES = 8192;

/**
 * Signs in the customer named by `customer` (an ID or email) and answers `303` to `return`. Without
 * `customer`, a GET shows a page to pick one. The old session, if any, ends.
 */
export async function loginRoute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  sessions: SessionStore,
  oldSession: string | undefined,
): Promise<void> {
  const form = await sessionForm(request, response, url);
  if (!form) return;
  const { method, params, returnTo } = form;
  const ref = params.get('customer');
  if (ref === null || ref === '') {
    if (method === 'POST') return sendText(response, 400, 'Pick a customer: send "customer" (an ID or email).');
    return send(response, 200, 'text/html; charset=utf-8', loginPage(sessions.customers, returnTo));
  }
  const customer = sessions.find(ref);
  if (!customer) return sendText(response, 400, 'No such customer on this storefront.');
  // A fresh session ID on every sign-in, as a real store does, so an old cookie never gains rights.
  if (oldSession) sessions.end(oldSession);
  const id = sessions.start(customer);
  response.setHeader('Set-Cookie', `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`);
  return redirect(response, 303, returnTo);
}

/** Ends the session, clears the cookie and answers `303` to `return`. */
export async function logoutRoute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  sessions: SessionStore,
  session: string | undefined,
): Promise<void> {
  const form = await sessionForm(request, response, url);
  if (!form) return;
  if (session) sessions.end(session);
  response.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
  return redirect(response, 303, form.returnTo);
}

/** The sign-in path for `ref`, as `MockStorefront.loginPath` documents; throws for bad input. */
export function loginPath(sessions: SessionStore, ref: number | string, returnTo: string): string {
  const customer = sessions.find(ref);
  if (!customer) throw new Error(`bc-customer-gate: no customer ${JSON.stringify(ref)} on the mock storefront.`);
  if (safeReturnPath(returnTo) === undefined) {
    throw new Error('bc-customer-gate: "returnTo" must be a path on the storefront, starting with a single "/".');
  }
  return `/login?${new URLSearchParams({ customer: String(customer.id), return: returnTo })}`;
}

/**
 * `value` as a redirect target if it is a path on this origin, else `undefined`. Refuses
 * protocol-relative (`//host`), backslash (`/\host`, which browsers read as `//host`), control
 * characters (browsers strip tabs and newlines, turning `/\t/host` into `//host`) and absolute URLs.
 */
export function safeReturnPath(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\x00-\x1f\x7f]/.test(value)) return undefined;
  const base = 'http://storefront.invalid';
  const url = new URL(value, base);
  if (url.origin !== base) return undefined;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith('//') ? undefined : path;
}

/**
 * What sign-in and sign-out share: GET or POST (a form), never cached, and a `return` path that
 * stays on this storefront. Answers the request itself and returns undefined when it cannot go on.
 */
async function sessionForm(request: IncomingMessage, response: ServerResponse, url: URL) {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    methodNotAllowed(response, ['GET', 'POST']);
    return;
  }
  response.setHeader('Cache-Control', NO_STORE);
  const params = method === 'POST' ? await readForm(request, response) : url.searchParams;
  if (!params) return;
  const returnTo = safeReturnPath(params.get('return'));
  if (returnTo === undefined) {
    sendText(response, 400, '"return" must be a path on this storefront, starting with a single "/".');
    return;
  }
  return { method, params, returnTo };
}

async function readForm(request: IncomingMessage, response: ServerResponse): Promise<URLSearchParams | undefined> {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    sendText(response, 415, 'Send the form as application/x-www-form-urlencoded.');
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) {
      response.setHeader('Connection', 'close');
      sendText(response, 413, 'Form too large.');
      return undefined;
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(customers: readonly StorefrontCustomer[], returnTo: string): string {
  const forms = customers
    .map(
      (customer) =>
        `<li><form method="post" action="/login"><input type="hidden" name="customer" value="${customer.id}">` +
        `<input type="hidden" name="return" value="${escapeHtml(returnTo)}">` +
        `<button type="submit">Sign in as ${escapeHtml(customer.name ?? customer.email)}</button></form></li>`,
    )
    .join('');
  return (
    '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Sign in</title>' +
    `<h1>Sign in</h1><ul>${forms || '<li>No customers are configured.</li>'}</ul></html>`
  );
}
