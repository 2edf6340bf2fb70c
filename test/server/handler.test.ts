// The exchange endpoint's behaviour table, run three ways: the Fetch handler called directly, the
// Node fast path (toNodeListener on the package's own handler) and the Node generic path
// (toNodeListener on a plain wrapper it does not recognise), the last two over real loopback HTTP.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  createCustomerGateHandler,
  escapeHtml,
  html,
  HtmlFragment,
  isHtmlFragment,
  toNodeListener,
  type CustomerGateOptions,
  type ExchangeErrorContext,
} from '../../src/server/index.js';
import { mintCustomerToken } from '../../src/testing/mint.js';
import { MAX_BODY_BYTES, type TokenErrorCode } from '../../src/protocol.js';
import { exchangeHeaders, FORM, FORM_HEADERS, JSON_ANSWER, ORIGIN, TEXT } from './headers.js';

const CLIENT_ID = 'gate-client-id-0123456789';
const SECRET = 'gate-client-secret-5b8e1f';
const STORE = 'store1';
const OTHER_ORIGIN = 'https://other.example.com';
const NOW = Math.floor(Date.now() / 1000);

// ---- fixtures ------------------------------------------------------------------------------

const reported: Array<{ error: unknown; context: ExchangeErrorContext }> = [];
const storeChecks: string[] = [];

const EMAIL_WITH_MARKUP = "o'brien+<b>bold</b>&co@example.com";

const options: CustomerGateOptions = {
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  stores: async (storeHash) => {
    storeChecks.push(storeHash);
    if (storeHash === 'boom') throw new Error('store lookup failed: database offline');
    return storeHash === STORE;
  },
  // Entries in the form people write them; normalised at start-up.
  origins: [ORIGIN, 'HTTPS://Other.Example.com:443/'],
  onError: (error, context) => {
    reported.push({ error, context });
  },
  authorize: (verified, request) => {
    switch (verified.customer.id) {
      case 2:
        return true;
      case 3:
        return { plan: 'gold', orders: [{ id: 1, total: '9.99' }] };
      case 4:
        return ['a', 'b'];
      case 5:
        return false;
      case 6:
        return html`<p class="hi">Hello ${verified.customer.email}</p>${html('<hr>')}`;
      case 7: {
        const headers = new Headers({
          'Content-Type': 'text/csv',
          'X-App': 'passthrough',
          'Cache-Control': 'public, max-age=3600',
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Credentials': 'true',
          Vary: 'Accept-Encoding',
        });
        headers.append('Set-Cookie', 'a=1; Path=/');
        headers.append('Set-Cookie', 'b=2; Path=/');
        return new Response('id,total\n1,9.99\n', { status: 202, headers });
      }
      case 8:
        throw new Error('db password is hunter2');
      case 9:
        return { ua: request.headers.get('user-agent'), method: request.method, path: new URL(request.url).pathname };
      case 10:
        return null as unknown as undefined;
      case 11:
        return new Map([['a', 1]]);
      case 12:
        return { big: 10n };
      default:
        return undefined;
    }
  },
};

const handler = createCustomerGateHandler(options);

const mint = (id: number, extra: Partial<Parameters<typeof mintCustomerToken>[0]> = {}) =>
  mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id, email: id === 6 ? EMAIL_WITH_MARKUP : `c${id}@example.com`, groupId: '4' },
    issuedAt: NOW - 60,
    ...extra,
  });

const tokens = new Map<number, string>();
for (let id = 1; id <= 12; id++) tokens.set(id, await mint(id));
const token = (id: number) => tokens.get(id)!;
const badTokens: Record<string, string> = {
  expired: await mint(1, { issuedAt: NOW - 3600 }),
  signature: await mint(1, { clientSecret: 'not-the-secret' }),
  audience: await mint(1, { clientId: 'another-app' }),
  store: await mint(1, { storeHash: 'elsewhere' }),
  not_yet_valid: await mint(1, { issuedAt: NOW + 600 }),
  issuer: await mint(1, { claims: { iss: 'bc/other' } }),
  operation: await mint(1, { claims: { operation: 'customer_login' } }),
  malformed: 'this-is-not-a-jwt',
  too_large: 'a'.repeat(5000),
};
const boomToken = await mint(1, { storeHash: 'boom' });

// ---- transports ----------------------------------------------------------------------------

interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Got {
  status: number;
  headers: Headers;
  text: string;
}
type Send = (request: Sent) => Promise<Got>;

const encoder = new TextEncoder();

/** Calls the Fetch handler directly. Bytes, not a string, so no Content-Type is added for us. */
const sendDirect: Send = async ({ method = 'POST', headers = {}, body }) => {
  const response = await handler(
    new Request('http://gate.test/customer-gate', {
      method,
      headers,
      body: body === undefined ? null : encoder.encode(body),
    }),
  );
  return { status: response.status, headers: response.headers, text: await response.text() };
};

function sendHttp(port: number): Send {
  return ({ method = 'POST', headers = {}, body }) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path: '/customer-gate', method, headers, agent: false },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const received = new Headers();
            for (let i = 0; i < response.rawHeaders.length; i += 2)
              received.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
            resolve({ status: response.statusCode!, headers: received, text: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
}

async function listen(listener: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// ---- the table -----------------------------------------------------------------------------

interface Case {
  name: string;
  request: Sent;
  status: number;
  /** The origin the response must allow, or null for no CORS allow header. */
  allow: string | null;
  json?: Record<string, unknown>;
  /** Exact body text (for HTML and passthrough). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string | null>;
  /** The phase and status `onError` must have been called with; default: not called. */
  reported?: Partial<ExchangeErrorContext>;
  /** Whether the token reached the store check (so was verified). */
  verified?: boolean;
  check?: (got: Got, body: JsonBody) => void;
}

/** A JSON answer's body; empty when the answer is not JSON. */
type JsonBody = Record<string, unknown>;

const post = (body: string, headers: Record<string, string> = {}, origin: string | null = ORIGIN): Sent => ({
  method: 'POST',
  headers: { 'Content-Type': TEXT, ...(origin === null ? {} : { Origin: origin }), ...headers },
  body,
});
const customerOf = (id: number, email = `c${id}@example.com`) => ({ id, email, groupId: '4' });
const success = (id: number, extra: Record<string, unknown> = {}) => ({
  customer: customerOf(id),
  storeHash: STORE,
  expiresAt: NOW - 60 + 900,
  ...extra,
});

const cases: Case[] = [
  // origins
  {
    name: 'allowed origin, text body with surrounding whitespace',
    request: post(`  ${token(1)}\r\n\t`),
    status: 200,
    allow: ORIGIN,
    json: success(1),
    contentType: JSON_ANSWER,
    verified: true,
    check: (_got, body) => assert.ok(!('data' in body), 'no data key when authorize returns undefined'),
  },
  {
    name: 'second listed origin, normalised from HTTPS://Other.Example.com:443/',
    request: post(token(1), {}, OTHER_ORIGIN),
    status: 200,
    allow: OTHER_ORIGIN,
    json: success(1),
    verified: true,
  },
  {
    name: 'no Origin header (server to server): processed, no CORS header',
    request: post(token(1), {}, null),
    status: 200,
    allow: null,
    json: success(1),
    verified: true,
  },
  {
    name: 'refused origin: 403 before any verification',
    request: post(token(1), {}, 'https://evil.example'),
    status: 403,
    allow: null,
    json: { error: 'forbidden' },
    verified: false,
  },
  {
    name: 'refused origin with an invalid token is still 403, not 401',
    request: post('garbage', {}, 'https://evil.example'),
    status: 403,
    allow: null,
    json: { error: 'forbidden' },
  },
  {
    name: 'origin "null" (sandboxed frame) refused',
    request: post(token(1), {}, 'null'),
    status: 403,
    allow: null,
    verified: false,
  },
  {
    name: 'origin with a trailing slash refused (exact match)',
    request: post(token(1), {}, `${ORIGIN}/`),
    status: 403,
    allow: null,
    verified: false,
  },
  {
    name: 'origin in other letter case refused (exact match)',
    request: post(token(1), {}, 'https://SHOP.example.com'),
    status: 403,
    allow: null,
    verified: false,
  },
  {
    name: 'origin on another port refused',
    request: post(token(1), {}, `${ORIGIN}:8443`),
    status: 403,
    allow: null,
    verified: false,
  },
  {
    name: 'http:// twin of an https origin refused',
    request: post(token(1), {}, 'http://shop.example.com'),
    status: 403,
    allow: null,
    verified: false,
  },
  {
    name: 'suffix-lookalike origin refused',
    request: post(token(1), {}, 'https://shop.example.com.evil.example'),
    status: 403,
    allow: null,
    verified: false,
  },

  // preflight and methods
  {
    name: 'preflight from an allowed origin',
    request: {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    },
    status: 204,
    allow: ORIGIN,
    text: '',
    headers: {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Content-Type',
      'access-control-max-age': '600',
    },
  },
  {
    name: 'preflight from a refused origin',
    request: {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    },
    status: 403,
    allow: null,
    json: { error: 'forbidden' },
    headers: {
      'access-control-allow-methods': null,
      'access-control-allow-headers': null,
      'access-control-max-age': null,
    },
  },
  {
    name: 'OPTIONS without an Origin: not a preflight, says what is allowed',
    request: { method: 'OPTIONS' },
    status: 204,
    allow: null,
    text: '',
    headers: { allow: 'POST, OPTIONS', 'access-control-allow-methods': null },
  },
  {
    name: 'GET: 405 with Allow',
    request: { method: 'GET', headers: { Origin: ORIGIN } },
    status: 405,
    allow: ORIGIN,
    json: { error: 'method_not_allowed' },
    headers: { allow: 'POST, OPTIONS' },
  },
  {
    name: 'PUT with a token: 405, not verified',
    request: { ...post(token(1)), method: 'PUT' },
    status: 405,
    allow: ORIGIN,
    json: { error: 'method_not_allowed' },
    headers: { allow: 'POST, OPTIONS' },
    verified: false,
  },
  {
    name: 'DELETE from a refused origin: 403',
    request: { method: 'DELETE', headers: { Origin: 'https://evil.example' } },
    status: 403,
    allow: null,
  },

  // body formats
  {
    name: 'JSON body',
    request: post(JSON.stringify({ token: token(1) }), { 'Content-Type': 'application/json' }),
    status: 200,
    allow: ORIGIN,
    json: success(1),
    verified: true,
  },
  {
    name: 'JSON body with charset and padding',
    request: post(` {"token": " ${token(1)} "} `, { 'Content-Type': 'Application/JSON; charset="utf-8"' }),
    status: 200,
    allow: ORIGIN,
    json: success(1),
  },
  {
    name: 'form body',
    request: post(new URLSearchParams({ token: token(1), other: 'x' }).toString(), {
      'Content-Type': FORM,
    }),
    status: 200,
    allow: ORIGIN,
    json: success(1),
    verified: true,
  },
  {
    name: 'text/plain without charset',
    request: post(token(1), { 'Content-Type': 'text/plain' }),
    status: 200,
    allow: ORIGIN,
    json: success(1),
  },
  {
    name: 'empty text body: 400',
    request: post(''),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
    verified: false,
  },
  {
    name: 'whitespace-only text body: 400',
    request: post(' \n\t '),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'POST with no body at all: 400',
    request: { method: 'POST', headers: exchangeHeaders() },
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'unparsable JSON: 400',
    request: post(`{"token": "${token(1)}"`, { 'Content-Type': 'application/json' }),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
    verified: false,
  },
  {
    name: 'JSON without token: 400',
    request: post('{"jwt": "x"}', { 'Content-Type': 'application/json' }),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'JSON token not a string: 400',
    request: post('{"token": 42}', { 'Content-Type': 'application/json' }),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'JSON array: 400',
    request: post(JSON.stringify([token(1)]), { 'Content-Type': 'application/json' }),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'JSON string: 400',
    request: post(JSON.stringify(token(1)), { 'Content-Type': 'application/json' }),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'form without token: 400',
    request: post('jwt=abc', FORM_HEADERS),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
  },
  {
    name: 'form with two tokens: 400',
    request: post(`token=${token(1)}&token=${token(2)}`, FORM_HEADERS),
    status: 400,
    allow: ORIGIN,
    json: { error: 'bad_request' },
    verified: false,
  },
  {
    name: 'no Content-Type: 415 naming the accepted types',
    request: { method: 'POST', headers: { Origin: ORIGIN }, body: token(1) },
    status: 415,
    allow: ORIGIN,
    json: { error: 'unsupported_media_type' },
    verified: false,
    check: (_got, body) => {
      for (const type of ['text/plain', 'application/json', FORM])
        assert.ok(String(body.message).includes(type), String(body.message));
    },
  },
  {
    name: 'application/xml: 415',
    request: post(`<token>${token(1)}</token>`, { 'Content-Type': 'application/xml' }),
    status: 415,
    allow: ORIGIN,
    json: { error: 'unsupported_media_type' },
  },
  {
    name: 'multipart/form-data: 415',
    request: post(token(1), { 'Content-Type': 'multipart/form-data; boundary=x' }),
    status: 415,
    allow: ORIGIN,
  },
  {
    name: 'text/plain in UTF-16: 415',
    request: post(token(1), { 'Content-Type': 'text/plain; charset=utf-16' }),
    status: 415,
    allow: ORIGIN,
  },
  {
    name: 'text/plainish lookalike: 415',
    request: post(token(1), { 'Content-Type': 'text/plainx' }),
    status: 415,
    allow: ORIGIN,
  },
  {
    name: `body over ${MAX_BODY_BYTES} bytes: 413`,
    request: post(`${token(1)}${' '.repeat(MAX_BODY_BYTES)}`),
    status: 413,
    allow: ORIGIN,
    json: { error: 'payload_too_large' },
    verified: false,
  },
  {
    name: 'body of exactly the limit is read',
    request: post(token(1).padEnd(MAX_BODY_BYTES, ' ')),
    status: 200,
    allow: ORIGIN,
    json: success(1),
  },

  // refused tokens
  ...Object.entries(badTokens).map(
    ([code, bad]): Case => ({
      name: `401 ${code}`,
      request: post(bad),
      status: 401,
      allow: ORIGIN,
      json: { error: 'invalid_token', code },
      reported: { phase: 'verify', status: 401, code: code as TokenErrorCode },
      check: (_got, body) => assert.ok(typeof body.message === 'string' && body.message.length > 10),
    }),
  ),
  {
    name: 'store predicate throws: 500 generic',
    request: post(boomToken),
    status: 500,
    allow: ORIGIN,
    json: { error: 'server_error' },
    reported: { phase: 'verify', status: 500 },
    check: (got) => assert.ok(!got.text.includes('database'), 'the error text must not leak'),
  },

  // authorize outcomes
  {
    name: 'authorize → true: no data',
    request: post(token(2)),
    status: 200,
    allow: ORIGIN,
    json: success(2),
    check: (_g, body) => assert.ok(!('data' in body)),
  },
  {
    name: 'authorize → object: data',
    request: post(token(3)),
    status: 200,
    allow: ORIGIN,
    json: success(3, { data: { plan: 'gold', orders: [{ id: 1, total: '9.99' }] } }),
  },
  {
    name: 'authorize → array: data',
    request: post(token(4)),
    status: 200,
    allow: ORIGIN,
    json: success(4, { data: ['a', 'b'] }),
  },
  {
    name: 'authorize → false: 403 forbidden',
    request: post(token(5)),
    status: 403,
    allow: ORIGIN,
    json: { error: 'forbidden' },
    verified: true,
  },
  {
    name: 'authorize → html(): the fragment, values escaped',
    request: post(token(6)),
    status: 200,
    allow: ORIGIN,
    contentType: 'text/html; charset=utf-8',
    text: '<p class="hi">Hello o&#39;brien+&lt;b&gt;bold&lt;/b&gt;&amp;co@example.com</p><hr>',
  },
  {
    name: 'authorize → Response: passed through with CORS and security headers',
    request: post(token(7)),
    status: 202,
    allow: ORIGIN,
    contentType: 'text/csv',
    text: 'id,total\n1,9.99\n',
    headers: { 'x-app': 'passthrough', 'access-control-allow-credentials': null },
    check: (got) => {
      assert.deepEqual(got.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/']);
      assert.match(got.headers.get('vary')!, /Accept-Encoding/);
    },
  },
  {
    name: 'authorize → Response without Origin: the app\'s "*" removed',
    request: post(token(7), {}, null),
    status: 202,
    allow: null,
    text: 'id,total\n1,9.99\n',
  },
  {
    name: 'authorize throws: 500 with a generic message',
    request: post(token(8)),
    status: 500,
    allow: ORIGIN,
    json: { error: 'server_error' },
    reported: { phase: 'authorize', status: 500 },
    check: (got) => assert.ok(!got.text.includes('hunter2')),
  },
  {
    name: 'authorize → null: 500 (fails closed)',
    request: post(token(10)),
    status: 500,
    allow: ORIGIN,
    json: { error: 'server_error' },
    reported: { phase: 'authorize', status: 500 },
    check: () => assert.match(String(reported[0]?.error), /"authorize" returned null\. Return undefined or true/),
  },
  {
    name: 'authorize → Map: 500',
    request: post(token(11)),
    status: 500,
    allow: ORIGIN,
    reported: { phase: 'authorize', status: 500 },
    check: () => assert.match(String(reported[0]?.error), /"authorize" returned a Map\. Return undefined or true/),
  },
  {
    name: 'authorize → data JSON cannot encode: 500',
    request: post(token(12)),
    status: 500,
    allow: ORIGIN,
    reported: { phase: 'authorize', status: 500 },
  },
  {
    name: 'authorize reads the request',
    request: post(token(9), { 'User-Agent': 'gate-test/1.0' }),
    status: 200,
    allow: ORIGIN,
    json: success(9, { data: { ua: 'gate-test/1.0', method: 'POST', path: '/customer-gate' } }),
  },
];

/** Every string reachable from a value, own properties included (message, stack, cause...). */
function deepText(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  let out = '';
  for (const key of Object.getOwnPropertyNames(value)) {
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    out += `${key}=${deepText(child, seen)}\n`;
  }
  if (value instanceof Error) out += `${value.name} ${value.message} ${value.stack} ${deepText(value.cause, seen)}`;
  return out;
}

function assertNoToken(where: string, haystack: string, secrets: string[]) {
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split('.').filter((p) => p.length > 8)]) {
      assert.ok(!haystack.includes(part), `${where} contains the token (or a part of it)`);
    }
  }
}

function tokensIn(request: Sent): string[] {
  const all = [...tokens.values(), ...Object.values(badTokens), boomToken];
  return all.filter((t) => (request.body ?? '').includes(t) || (request.body ?? '').includes(encodeURIComponent(t)));
}

function runTable(label: string, getSend: () => Send) {
  describe(`exchange table (${label})`, { timeout: 20_000 }, () => {
    beforeEach(() => {
      reported.length = 0;
      storeChecks.length = 0;
    });

    for (const c of cases) {
      it(c.name, async () => {
        const got = await getSend()(c.request);
        assert.equal(got.status, c.status, got.text);

        // On every response.
        assert.equal(got.headers.get('cache-control'), 'no-store');
        assert.ok(/(^|,)\s*Origin\s*(,|$)/i.test(got.headers.get('vary') ?? ''), `Vary: ${got.headers.get('vary')}`);
        assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
        assert.equal(got.headers.get('access-control-allow-origin'), c.allow);
        assert.equal(got.headers.get('access-control-allow-credentials'), null);

        if (c.contentType) assert.equal(got.headers.get('content-type'), c.contentType);
        if (c.text !== undefined) assert.equal(got.text, c.text);
        let body: JsonBody = {};
        if (c.json || (got.status !== 204 && c.text === undefined && got.status !== 202)) {
          assert.equal(got.headers.get('content-type'), JSON_ANSWER);
          body = JSON.parse(got.text) as JsonBody;
          if (got.status !== 200) assert.equal(typeof body.error, 'string');
        }
        if (c.json) {
          for (const [key, value] of Object.entries(c.json)) assert.deepEqual(body[key], value, `body.${key}`);
        }
        for (const [name, value] of Object.entries(c.headers ?? {})) assert.equal(got.headers.get(name), value, name);
        c.check?.(got, body);

        // The token never comes back, in the body or any header.
        const secrets = tokensIn(c.request);
        assertNoToken('response body', got.text, secrets);
        assertNoToken('response headers', [...got.headers].flat().join('\n'), secrets);

        // onError: called exactly when expected, and never sees the token.
        if (c.reported) {
          assert.equal(reported.length, 1, `onError calls: ${reported.map((r) => r.context.phase).join(', ')}`);
          for (const [key, value] of Object.entries(c.reported))
            assert.equal(reported[0]!.context[key as keyof ExchangeErrorContext], value, key);
          assert.equal(reported[0]!.context.origin, c.request.headers?.['Origin'] ?? null);
        } else {
          assert.equal(reported.length, 0, `unexpected onError: ${reported.map((r) => String(r.error)).join('; ')}`);
        }
        assertNoToken('what onError received', deepText(reported), secrets);

        if (c.verified === true) assert.ok(storeChecks.length > 0, 'the token was verified');
        if (c.verified === false) assert.equal(storeChecks.length, 0, 'the token must not be verified');
      });
    }
  });
}

describe('exchange endpoint', { timeout: 20_000 }, () => {
  let fast: http.Server;
  let generic: http.Server;
  before(async () => {
    fast = await listen(toNodeListener(handler));
    generic = await listen(toNodeListener((request) => handler(request)));
  });
  after(() => {
    fast.close();
    generic.close();
  });

  runTable('Fetch handler, called directly', () => sendDirect);
  runTable('Node fast path over loopback', () => sendHttp((fast.address() as AddressInfo).port));
  runTable('Node generic path over loopback', () => sendHttp((generic.address() as AddressInfo).port));
});

// ---- Fetch-handler specifics ---------------------------------------------------------------

const base = { clientId: CLIENT_ID, clientSecret: SECRET, stores: STORE, origins: [ORIGIN] };

describe('createCustomerGateHandler: misconfiguration fails at start-up', { timeout: 20_000 }, () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /clientId, clientSecret, stores, origins/],
    ['no origins', { ...base, origins: undefined }, /"origins" is required/],
    ['empty origins', { ...base, origins: [] }, /"origins" is required/],
    ['origins a string', { ...base, origins: ORIGIN }, /"origins" is required/],
    ['wildcard', { ...base, origins: ['*'] }, /wildcard/],
    ['wildcard subdomain', { ...base, origins: ['https://*.example.com'] }, /wildcard/],
    ['path', { ...base, origins: ['https://shop.example.com/app'] }, /path, query or fragment/],
    ['query', { ...base, origins: ['https://shop.example.com?x=1'] }, /path, query or fragment/],
    ['empty query', { ...base, origins: ['https://shop.example.com/?'] }, /path, query or fragment/],
    ['fragment', { ...base, origins: ['https://shop.example.com#top'] }, /path, query or fragment/],
    ['not a URL', { ...base, origins: ['shop.example.com'] }, /is not a URL/],
    ['ftp', { ...base, origins: ['ftp://shop.example.com'] }, /http\(s\)/],
    ['credentials', { ...base, origins: ['https://user:pw@shop.example.com'] }, /credentials/],
    ['a number in the list', { ...base, origins: [ORIGIN, 42] }, /non-empty string/],
    ['no stores', { ...base, stores: undefined }, /"stores" is required/],
    ['no secret', { ...base, clientSecret: '' }, /clientSecret/],
    ['maxBodyBytes 0', { ...base, maxBodyBytes: 0 }, /maxBodyBytes/],
    ['maxBodyBytes fractional', { ...base, maxBodyBytes: 10.5 }, /maxBodyBytes/],
    ['maxBodyBytes a string', { ...base, maxBodyBytes: '8192' }, /maxBodyBytes/],
    ['authorize not a function', { ...base, authorize: { allow: true } }, /"authorize" must be a function/],
    ['onError not a function', { ...base, onError: 'console' }, /"onError" must be a function/],
    ['clockTolerance negative', { ...base, clockTolerance: -1 }, /clockTolerance/],
  ];
  for (const [name, value, message] of bad) {
    it(name, () => {
      assert.throws(
        () => createCustomerGateHandler(value as CustomerGateOptions),
        (error: unknown) => {
          assert.ok(error instanceof TypeError, String(error));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('warns once at start-up about plain-http storefront origins, except loopback ones', () => {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    try {
      createCustomerGateHandler({
        ...base,
        origins: [ORIGIN, 'http://shop.example.com', 'HTTP://Www.Shop.Example.com:80/', 'http://10.0.0.7:8080'],
      });
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        /"origins" allows plain http: http:\/\/shop\.example\.com, http:\/\/www\.shop\.example\.com, http:\/\/10\.0\.0\.7:8080\./,
      );
      assert.match(warnings[0]!, /https/);

      warnings.length = 0;
      const loopback = [
        'http://localhost:8080',
        'http://LOCALHOST',
        'http://127.0.0.1:3000',
        'http://127.45.6.7',
        'http://[::1]:9000',
      ];
      createCustomerGateHandler({ ...base, origins: [ORIGIN, ...loopback] });
      createCustomerGateHandler({ ...base, origins: () => true });
      assert.deepEqual(warnings, [], 'https, loopback http and predicates are silent');
      for (const notLoopback of [
        'http://localhost.example.com',
        'http://128.0.0.1',
        'http://[::2]',
        'http://127.0.0.1.example.com',
      ]) {
        createCustomerGateHandler({ ...base, origins: [notLoopback] });
      }
      assert.equal(warnings.length, 4, warnings.join('\n'));
    } finally {
      console.warn = original;
    }
  });

  it('accepts origins with default ports and upper case, and keeps explicit ports', async () => {
    const h = createCustomerGateHandler({
      ...base,
      origins: ['HTTPS://Shop.Example.COM:443', 'http://localhost:8080', 'http://127.0.0.1:80/'],
    });
    for (const origin of [ORIGIN, 'http://localhost:8080', 'http://127.0.0.1']) {
      const response = await h(new Request('http://gate.test/', { method: 'OPTIONS', headers: { Origin: origin } }));
      assert.equal(response.status, 204, origin);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
    }
    const refused = await h(
      new Request('http://gate.test/', { method: 'OPTIONS', headers: { Origin: 'http://localhost' } }),
    );
    assert.equal(refused.status, 403);
  });
});

describe('Fetch handler', { timeout: 20_000 }, () => {
  const request = (
    body: BodyInit | null,
    headers: Record<string, string> = {},
    init: RequestInit & { duplex?: 'half' } = {},
  ) =>
    new Request('http://gate.test/customer-gate', {
      method: 'POST',
      headers: exchangeHeaders(headers),
      body,
      ...init,
    });

  it('origin predicate: only a literal true allows; a throwing one answers 500', async () => {
    const seen: ExchangeErrorContext[] = [];
    const h = createCustomerGateHandler({
      ...base,
      origins: (origin) => {
        if (origin === 'https://throws.example') throw new Error('lookup failed');
        if (origin === 'https://promise.example') return Promise.resolve(true) as unknown as boolean;
        return origin.endsWith('.shops.example');
      },
      onError: (_error, context) => void seen.push(context),
    });
    const t = token(1);
    const allowed = await h(request(t, { Origin: 'https://a.shops.example' }));
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://a.shops.example');
    assert.equal((await h(request(t, { Origin: 'https://promise.example' }))).status, 403);
    assert.equal((await h(request(t, { Origin: 'https://other.example' }))).status, 403);
    const failed = await h(request(t, { Origin: 'https://throws.example' }));
    assert.equal(failed.status, 500);
    assert.equal(failed.headers.get('access-control-allow-origin'), null);
    assert.deepEqual(
      seen.map((c) => [c.phase, c.status]),
      [['origin', 500]],
    );
  });

  it('reads its options once: changing them afterwards changes nothing (a rotation builds a new handler)', async () => {
    const live = { ...base, clientSecret: [SECRET], stores: [STORE], origins: [ORIGIN] };
    const h = createCustomerGateHandler(live);
    live.clientSecret.length = 0;
    live.clientSecret.push('not-the-secret-at-all');
    live.stores.length = 0;
    live.stores.push('elsewhere');
    live.origins.length = 0;
    live.origins.push(OTHER_ORIGIN);
    const ok = await h(request(token(1)));
    assert.equal(ok.status, 200, 'the secret, store and origin it was built with still apply');
    assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(
      (await h(request(token(1), { Origin: OTHER_ORIGIN }))).status,
      403,
      'an origin added later is not allowed',
    );
    const rebuilt = createCustomerGateHandler(live);
    assert.equal(
      (await rebuilt(request(token(1), { Origin: OTHER_ORIGIN }))).status,
      401,
      'a new handler reads the new options',
    );
  });

  it('stops reading a streamed body once it passes maxBodyBytes, and cancels it', async () => {
    let pulled = 0;
    let cancelled = false;
    const chunk = new Uint8Array(1024).fill(0x61);
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const h = createCustomerGateHandler({ ...base, maxBodyBytes: 4096 });
    const response = await h(request(endless, {}, { duplex: 'half' }));
    assert.equal(response.status, 413);
    assert.ok(pulled <= 4096 + 2 * 1024, `read ${pulled} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.ok(cancelled, 'the body stream was cancelled');
  });

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: (c) => {
          pulled++;
          c.enqueue(new Uint8Array(10));
        },
      },
      { highWaterMark: 0 },
    );
    const response = await handler(request(stream, { 'Content-Length': '10000000' }, { duplex: 'half' }));
    assert.equal(response.status, 413);
    assert.equal(pulled, 0);
  });

  it('answers 400 when the body stream fails mid-way', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('eyJ'));
        controller.error(new Error('connection reset'));
      },
    });
    const response = await handler(request(broken, {}, { duplex: 'half' }));
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, 'bad_request');
  });

  it('passes through Responses whose headers are immutable (redirect) and refuses Response.error()', async () => {
    const h = createCustomerGateHandler({
      ...base,
      authorize: (verified) =>
        verified.customer.id === 1 ? Response.redirect('https://app.example/next', 303) : Response.error(),
      onError: () => {},
    });
    const redirected = await h(request(token(1)));
    assert.equal(redirected.status, 303);
    assert.equal(redirected.headers.get('location'), 'https://app.example/next');
    assert.equal(redirected.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(redirected.headers.get('cache-control'), 'no-store');
    const errored = await h(request(token(2)));
    assert.equal(errored.status, 500);
  });

  it('a throwing or rejecting onError does not break the response', async () => {
    for (const onError of [
      () => {
        throw new Error('logger down');
      },
      () => Promise.reject(new Error('logger down')),
    ]) {
      const h = createCustomerGateHandler({
        ...base,
        onError,
        authorize: () => {
          throw new Error('boom');
        },
      });
      const failed = await h(request(token(1)));
      assert.equal(failed.status, 500);
      assert.equal((await failed.json()).error, 'server_error');
      const refused = await h(request(badTokens.expired!));
      assert.equal(refused.status, 401);
    }
    await new Promise((resolve) => setTimeout(resolve, 10)); // a stray rejection would fail the file
  });

  it('without onError, server errors go to console.error and refused tokens do not', async () => {
    const logged: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const h = createCustomerGateHandler({
        ...base,
        authorize: () => {
          throw new Error('boom');
        },
      });
      assert.equal((await h(request(badTokens.signature!))).status, 401);
      assert.equal(logged.length, 0);
      assert.equal((await h(request(token(1)))).status, 500);
      assert.equal(logged.length, 1);
      assert.match(String(logged[0]![0]), /authorize/);
    } finally {
      console.error = original;
    }
  });

  it('honours clockTolerance and maxBodyBytes', async () => {
    const slightlyExpired = await mint(1, { issuedAt: NOW - 900 - 20, expiresIn: 900 });
    const strict = createCustomerGateHandler({ ...base, clockTolerance: 0, maxTokenAge: 86_400 });
    const lenient = createCustomerGateHandler({ ...base, clockTolerance: 60, maxTokenAge: 86_400 });
    assert.equal((await strict(request(slightlyExpired))).status, 401);
    assert.equal((await lenient(request(slightlyExpired))).status, 200);
    const small = createCustomerGateHandler({ ...base, maxBodyBytes: 100 });
    assert.equal((await small(request(token(1)))).status, 413);
  });

  it('a token whose exp is 1e999 is refused with "claims", never answered with expiresAt null', async () => {
    const [header, payload] = token(1).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const raw = JSON.stringify({ ...claims, exp: '__RAW__' }).replace('"__RAW__"', '1e999');
    const input = `${header}.${Buffer.from(raw).toString('base64url')}`;
    const signed = `${input}.${createHmac('sha512', SECRET).update(input).digest('base64url')}`;
    const response = await createCustomerGateHandler(base)(request(signed));
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 'claims');
  });

  it("the 401 body carries the verifier's code and message and nothing else", async () => {
    const response = await handler(request(badTokens.expired!));
    const body = await response.json();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'message']);
    assert.equal(body.code, 'expired');
    assert.match(body.message, /expired/);
  });
});

describe('html()', { timeout: 20_000 }, () => {
  it('escapes interpolated values, keeps nested fragments, joins arrays, drops null/undefined/false', () => {
    const items = ['<a>', 'b&c'];
    const fragment = html`<ul>${items.map((i) => html`<li title="${i}">${i}</li>`)}</ul>${null}${undefined}${false}${0}`;
    assert.equal(fragment.toString(), '<ul><li title="&lt;a&gt;">&lt;a&gt;</li><li title="b&amp;c">b&amp;c</li></ul>0');
    assert.equal(html`<p>${'"quoted" \'single\''}</p>`.toString(), '<p>&quot;quoted&quot; &#39;single&#39;</p>');
  });

  it('trusts a plain string as markup', () => {
    assert.equal(html('<b>ok</b>').toString(), '<b>ok</b>');
  });

  it('is recognised by brand, and nothing else is', () => {
    assert.ok(isHtmlFragment(html('x')));
    assert.ok(isHtmlFragment(new HtmlFragment('x')));
    assert.ok(html('x') instanceof HtmlFragment);
    for (const value of ['<b>x</b>', { toString: () => 'x' }, null, undefined, 1, JSON.parse('{"__proto__": {}}')]) {
      assert.equal(isHtmlFragment(value), false);
    }
  });

  it('refuses non-strings', () => {
    assert.throws(() => new HtmlFragment(42 as unknown as string), TypeError);
    assert.throws(() => html(['<b>'] as unknown as string), TypeError);
  });

  it('escapeHtml covers the five significant characters', () => {
    assert.equal(escapeHtml(`<>&"'`), '&lt;&gt;&amp;&quot;&#39;');
  });
});
