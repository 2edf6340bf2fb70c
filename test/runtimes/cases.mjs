// The protocol table (docs/design.md, "Exchange responses"; docs/server.md, "Every request, in order") as one
// list of cases, sent over real HTTP by the host's Node to whichever runtime serves the app. Every
// runtime gets the same cases and must give the same answers.
//
// A case: `send(ctx)` returns the request (path defaults to /customer-gate), `expect` the answer:
// status, headers (`null`: absent), JSON body (`json` exact, `jsonIncludes` those fields), or text body. `ctx.runtime` is the
// name the server reported, which the app echoes in `data`. `attemptsOnConnectionReset`: how many
// times the case is sent while the server cuts the connection before the answer (see the case).
import { mintCustomerToken } from 'bc-customer-gate/testing';
import { CLIENT_ID, CUSTOMERS, ORIGIN, SECOND_ORIGIN, SECOND_STORE, SECRET, STORE } from './fixture.mjs';
import { STORE_CASES } from './store-cases.mjs';

const NOW = Math.floor(Date.now() / 1000);
const ISSUED_AT = NOW - 60;
const TEXT = 'text/plain;charset=UTF-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const MARKUP_EMAIL = 'ann+<b>x</b>&co@example.com';

export const mint = (id, extra = {}) =>
  mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id, email: id === CUSTOMERS.fragment ? MARKUP_EMAIL : `c${id}@example.com`, groupId: '4' },
    issuedAt: ISSUED_AT,
    ...extra,
  });

/** The element's request: the raw token as text/plain, from the storefront's origin. */
const post = (token, origin = ORIGIN) => ({
  method: 'POST',
  headers: { 'Content-Type': TEXT, ...(origin && { Origin: origin }) },
  body: token,
  token,
});

const verified = (id, extra = {}) => ({
  customer: { id, email: `c${id}@example.com`, groupId: '4' },
  storeHash: STORE,
  expiresAt: ISSUED_AT + 900,
  ...extra,
});

const allowed = { 'access-control-allow-origin': ORIGIN };
/** A JSON answer. Error bodies may add a `message` for the developer, so those are matched by the fields given. */
const json = (status, body, headers = allowed) => ({
  status,
  headers: { 'content-type': JSON_TYPE, ...headers },
  [status === 200 ? 'json' : 'jsonIncludes']: body,
});
const invalid = (code) => json(401, { error: 'invalid_token', code });

/** A body with no Content-Length: fetch sends a stream chunked, so only the handler can stop it. */
function chunkedBody(chunks, size) {
  const chunk = new TextEncoder().encode(' '.repeat(size));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

export const CASES = [
  // ---- verified ----
  {
    name: 'a valid HS512 token: 200 with the customer, store, expiry and data',
    send: async () => post(await mint(7)),
    expect: (ctx) => json(200, verified(7, { data: { plan: 'gold', runtime: ctx.runtime } })),
  },
  {
    name: 'a valid HS256 token: 200',
    send: async () => post(await mint(8, { algorithm: 'HS256' })),
    expect: (ctx) => json(200, verified(8, { data: { plan: 'gold', runtime: ctx.runtime } })),
  },
  {
    name: 'the second allowed origin and store: 200, CORS for that origin',
    send: async () => post(await mint(9, { storeHash: SECOND_STORE }), SECOND_ORIGIN),
    expect: (ctx) =>
      json(
        200,
        { ...verified(9, { data: { plan: 'gold', runtime: ctx.runtime } }), storeHash: SECOND_STORE },
        {
          'access-control-allow-origin': SECOND_ORIGIN,
        },
      ),
  },
  {
    name: 'no Origin (server to server): 200, no CORS header',
    send: async () => post(await mint(10), null),
    expect: (ctx) =>
      json(200, verified(10, { data: { plan: 'gold', runtime: ctx.runtime } }), {
        'access-control-allow-origin': null,
      }),
  },
  {
    name: 'the token in a JSON body: 200',
    send: async () => {
      const token = await mint(11);
      return {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
        body: JSON.stringify({ token }),
        token,
      };
    },
    expect: (ctx) => json(200, verified(11, { data: { plan: 'gold', runtime: ctx.runtime } })),
  },
  {
    name: 'the token in a form body: 200',
    send: async () => {
      const token = await mint(12);
      return { method: 'POST', headers: { Origin: ORIGIN }, body: new URLSearchParams({ token }), token };
    },
    expect: (ctx) => json(200, verified(12, { data: { plan: 'gold', runtime: ctx.runtime } })),
  },
  {
    name: 'an html`` fragment: 200 text/html, values escaped',
    send: async () => post(await mint(CUSTOMERS.fragment)),
    expect: {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', ...allowed },
      text: '<p class="greeting">Welcome back, ann+&lt;b&gt;x&lt;/b&gt;&amp;co@example.com</p>',
    },
  },
  {
    name: 'a Response from authorize: passed through, policy headers forced, credentials removed, Retry-After exposed',
    send: async () => post(await mint(CUSTOMERS.passthrough)),
    expect: json(
      429,
      { error: 'busy' },
      {
        'content-type': 'application/json',
        ...allowed,
        'retry-after': '7',
        'access-control-expose-headers': 'Retry-After',
      },
    ),
  },
  // ---- refused by authorize, or failing in it ----
  {
    name: 'authorize says no: 403 forbidden',
    send: async () => post(await mint(CUSTOMERS.denied)),
    expect: json(403, { error: 'forbidden' }),
  },
  {
    name: 'authorize throws: 500, fails closed, the error not shown',
    send: async () => post(await mint(CUSTOMERS.throws)),
    expect: json(500, { error: 'server_error' }),
  },
  // ---- refused tokens ----
  {
    name: 'signed with another secret: 401 signature',
    send: async () => post(await mint(1, { clientSecret: 'not-the-secret-at-all' })),
    expect: invalid('signature'),
  },
  {
    name: 'for a store not allowed: 401 store',
    send: async () => post(await mint(1, { storeHash: 'otherstore' })),
    expect: invalid('store'),
  },
  {
    name: 'expired: 401 expired',
    send: async () => post(await mint(1, { issuedAt: NOW - 3600 })),
    expect: invalid('expired'),
  },
  {
    name: 'for another app: 401 audience',
    send: async () => post(await mint(1, { clientId: 'another-app-client-id' })),
    expect: invalid('audience'),
  },
  {
    name: 'HS384 (not allow-listed): 401 algorithm',
    send: async () => post(await mint(1, { algorithm: 'HS384' })),
    expect: invalid('algorithm'),
  },
  {
    name: 'not a JWT: 401 malformed',
    send: async () => post('this-is-not-a-jwt-at-all'),
    expect: invalid('malformed'),
  },
  // ---- origins ----
  ...[
    ['another site', 'https://evil.example'],
    ['a look-alike suffix', 'https://shop.example.com.evil.example'],
    ['plain http', 'http://shop.example.com'],
    ['null', 'null'],
  ].map(([what, origin]) => ({
    name: `a refused origin (${what}), valid token: 403, no CORS header`,
    send: async () => post(await mint(1), origin),
    expect: json(403, { error: 'forbidden' }, { 'access-control-allow-origin': null }),
  })),
  {
    name: 'a preflight from an allowed origin: 204 with exact-origin CORS',
    send: () => ({
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    }),
    expect: {
      status: 204,
      text: '',
      headers: {
        ...allowed,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'Content-Type',
        'access-control-max-age': '600',
      },
    },
  },
  {
    name: 'a preflight from a refused origin: 403, no CORS headers',
    send: () => ({
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    }),
    expect: {
      status: 403,
      headers: {
        'access-control-allow-origin': null,
        'access-control-allow-methods': null,
        'access-control-allow-headers': null,
      },
    },
  },
  // ---- the request's shape ----
  ...['GET', 'PUT', 'DELETE'].map((method) => ({
    name: `${method}: 405 with Allow`,
    send: () => ({ method, headers: { Origin: ORIGIN }, ...(method === 'PUT' && { body: 'x' }) }),
    expect: json(405, { error: 'method_not_allowed' }, { ...allowed, allow: 'POST, OPTIONS' }),
  })),
  {
    name: 'a body over 8192 bytes with a Content-Length: 413',
    send: async () => {
      const token = await mint(1);
      return { ...post(token + ' '.repeat(9000)), token };
    },
    expect: json(413, { error: 'payload_too_large' }),
  },
  {
    name: 'a body over 8192 bytes, chunked with no Content-Length: 413',
    send: () => ({
      method: 'POST',
      headers: { 'Content-Type': TEXT, Origin: ORIGIN },
      body: chunkedBody(12, 1024),
      duplex: 'half',
    }),
    expect: json(413, { error: 'payload_too_large' }),
    // The handler stops reading at the limit and cancels the body; `next start` then destroys the
    // socket, sometimes (1 in 40 here) before the client, still sending, has read the 413 (HTTP lets
    // a server close on a 413). Such an attempt is sent again, up to three in all; the 413 must come.
    attemptsOnConnectionReset: 3,
  },
  {
    name: 'a small chunked body is read to the end: 200',
    send: async () => {
      const token = await mint(14);
      const bytes = new TextEncoder().encode(token);
      const half = Math.floor(bytes.length / 2);
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(bytes.slice(0, half));
          controller.enqueue(bytes.slice(half));
          controller.close();
        },
      });
      return { method: 'POST', headers: { 'Content-Type': TEXT, Origin: ORIGIN }, body, duplex: 'half', token };
    },
    expect: (ctx) => json(200, verified(14, { data: { plan: 'gold', runtime: ctx.runtime } })),
  },
  ...[
    ['application/xml', { 'Content-Type': 'application/xml' }],
    ['a UTF-16 charset', { 'Content-Type': 'text/plain; charset=utf-16' }],
    ['no Content-Type', {}],
  ].map(([what, headers]) => ({
    name: `${what}: 415`,
    send: async () => {
      const token = await mint(1);
      // Bytes, so fetch adds no Content-Type of its own.
      return { method: 'POST', headers: { Origin: ORIGIN, ...headers }, body: new TextEncoder().encode(token), token };
    },
    expect: json(415, { error: 'unsupported_media_type' }),
  })),
  ...[
    ['an empty body', ''],
    ['a blank body', '  \r\n'],
  ].map(([what, body]) => ({
    name: `${what}: 400`,
    send: () => ({ method: 'POST', headers: { 'Content-Type': TEXT, Origin: ORIGIN }, body }),
    expect: json(400, { error: 'bad_request' }),
  })),
  ...STORE_CASES,
];
