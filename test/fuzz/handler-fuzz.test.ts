// Property-based tests: the exchange endpoint under hostile requests. Arbitrary methods, origins,
// content types, declared lengths and bodies (valid tokens, hostile tokens in valid wrappers, broken
// wrappers, random text and bytes, huge bodies) go to the Fetch handler directly and, fewer of them,
// to toNodeListener over loopback HTTP. Every answer must be the one the protocol prescribes, never
// a 200 without a valid token, never a 5xx, never an echo of the body or the token, and always with
// the endpoint's security headers and exact-origin CORS.
// Replay a failure with the FUZZ_SEED it prints; FUZZ_RUNS=<n> runs every property n times.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import fc from 'fast-check';
import { MAX_BODY_BYTES, TOKEN_ERROR_CODES, type TokenErrorCode } from '../../src/protocol.js';
import { createCustomerGateHandler, toNodeListener, type ExchangeErrorContext } from '../../src/server/index.js';
import {
  FUZZ_APP,
  findLeaks,
  hostileTokenArb,
  signJson,
  unicodeString,
  validTokenArb,
  verifierOptionsFor,
  type HostileToken,
  type ValidToken,
} from './arbitraries.js';
import { createTally, FUZZ_SEED } from './run-property.js';

const app = FUZZ_APP;
const ORIGINS = ['https://store.example.com', 'https://shop.example.org:8443', 'http://127.0.0.1:3000'] as const;
/** `authorize` refuses customers whose ID is a multiple of this, so 403 from a valid token is exercised too. */
const DENY_EVERY = 5;
/** A body substring this long found in a response is an echo; shorter ones occur by chance. */
const ECHO_WINDOW = 9;

const reported: Array<{ error: unknown; context: ExchangeErrorContext }> = [];
const handler = createCustomerGateHandler({
  ...verifierOptionsFor(app),
  origins: [...ORIGINS],
  authorize: (verified) =>
    verified.customer.id % DENY_EVERY === 0 ? false : { customerId: verified.customer.id, store: verified.storeHash },
  onError: (error, context) => void reported.push({ error, context }),
});

// ---- generated requests -----------------------------------------------------------------------

type Format = 'text' | 'json' | 'form';

/** What a body means when sent with the content type of its own format. */
type Meaning =
  | { kind: 'valid'; valid: ValidToken }
  | { kind: 'hostile'; hostile: HostileToken }
  /** A broken wrapper around a token (no token field, two of them, not an object): 400. */
  | { kind: 'unwrappable'; token: string }
  /** Random text or bytes: refused, never verified. */
  | { kind: 'random' };

interface Body {
  label: string;
  format: Format;
  bytes: Uint8Array;
  meaning: Meaning;
}

/** A body as counterexamples show it: what it is and how it starts, not a byte array. */
function makeBody(label: string, format: Format, bytes: Uint8Array, meaning: Meaning): Body {
  return {
    label,
    format,
    bytes,
    meaning,
    [fc.toStringMethod]: () =>
      `${label}: ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 160)))} (${bytes.length} B)`,
  } as Body;
}

interface ContentType {
  value: string | null;
  /** The format it announces, or null when the endpoint must answer 415. */
  format: Format | null;
}

interface Case {
  method: string;
  /** The Origin header as sent, or null for none. */
  origin: string | null;
  contentType: ContentType;
  /** A Content-Length header to declare (Fetch path only: on a socket a wrong one breaks framing). */
  declaredLength: string | null;
  body: Body;
}

const encoder = new TextEncoder();
const utf8 = (text: string) => encoder.encode(text);

const padArb = fc.constantFrom('', '', '', ' ', '\n', '\r\n', '\t', '  \n');
/** Hostile tokens that trimming leaves alone: the endpoint trims the token, so " <valid> " is valid. */
const stableHostileArb = hostileTokenArb(app).filter((hostile) => hostile.token.trim() === hostile.token);

function tokenOf(meaning: Meaning): string | undefined {
  return meaning.kind === 'valid'
    ? meaning.valid.token
    : meaning.kind === 'hostile'
      ? meaning.hostile.token
      : meaning.kind === 'unwrappable'
        ? meaning.token
        : undefined;
}

/** A token written in each body format the endpoint accepts, with whitespace it must ignore. */
function wrapped(format: Format, token: string, before: string, after: string, extra: [string, string] | null): string {
  if (format === 'text') return before + token + after;
  if (format === 'json') {
    const fields: Record<string, unknown> = { token: before + token + after };
    if (extra) fields[extra[0] === 'token' ? 'other' : extra[0]] = extra[1];
    return `${before}${JSON.stringify(fields)}${after}`;
  }
  const form = new URLSearchParams();
  if (extra && extra[0] !== 'token') form.append(extra[0], extra[1]);
  form.append('token', before + token + after);
  return form.toString();
}

const extraFieldArb = fc.option(fc.tuple(fc.stringMatching(/^[a-z_]{1,8}$/), unicodeString({ maxLength: 12 })), {
  freq: 3,
});
const formatArb = fc.constantFrom<Format>('text', 'json', 'form');

const validBodyArb: fc.Arbitrary<Body> = fc
  .tuple(validTokenArb(app), formatArb, padArb, padArb, extraFieldArb)
  .map(([valid, format, before, after, extra]) =>
    makeBody(`valid token as ${format}`, format, utf8(wrapped(format, valid.token, before, after, extra)), {
      kind: 'valid',
      valid,
    }),
  );

const hostileBodyArb: fc.Arbitrary<Body> = fc
  .tuple(stableHostileArb, formatArb, padArb, padArb)
  .map(([hostile, format, before, after]) =>
    makeBody(
      `hostile token (${hostile.family}) as ${format}`,
      format,
      utf8(wrapped(format, hostile.token, before, after, null)),
      { kind: 'hostile', hostile },
    ),
  );

/** A valid token in a JSON or form body that does not carry it the way the protocol says. */
const unwrappableBodyArb: fc.Arbitrary<Body> = fc
  .tuple(validTokenArb(app), fc.nat({ max: 14 }))
  .map(([valid, pick]) => {
    const t = valid.token;
    const json: string[] = [
      JSON.stringify([t]),
      JSON.stringify(t),
      JSON.stringify({ Token: t }),
      JSON.stringify({ token: [t] }),
      JSON.stringify({ token: { token: t } }),
      JSON.stringify({ jwt: t }),
      `{"__proto__":{"token":${JSON.stringify(t)}}}`,
      '{"token":null}',
      '{"token":4927}',
      '{"token":"   "}',
      'null',
    ];
    const form: string[] = [`token=${t}&token=${t}`, t, 'token=', `TOKEN=${t}`, `token%3D${t}`];
    const all: Array<[Format, string]> = [
      ...json.map((b): [Format, string] => ['json', b]),
      ...form.map((b): [Format, string] => ['form', b]),
    ];
    const [format, text] = all[pick % all.length]!;
    return makeBody(`unwrappable ${format}`, format, utf8(text), { kind: 'unwrappable', token: t });
  });

const randomBodyArb: fc.Arbitrary<Body> = fc
  .tuple(
    fc.oneof(
      unicodeString({ maxLength: 400 }).map(utf8),
      fc.uint8Array({ maxLength: 600 }),
      fc.json({ maxDepth: 3 }).map(utf8),
      fc.stringMatching(/^([a-z]{0,6}=[A-Za-z0-9%+._-]{0,40}&?){0,4}$/).map(utf8),
      fc.constant(new Uint8Array(0)),
    ),
    formatArb,
  )
  .map(([bytes, format]) => makeBody(`random bytes as ${format}`, format, bytes, { kind: 'random' }));

/** Over the limit: a valid token buried in whitespace, or filler, up to `max` bytes. */
function hugeBodyArb(max: number): fc.Arbitrary<Body> {
  return fc
    .tuple(
      validTokenArb(app),
      formatArb,
      fc.integer({ min: MAX_BODY_BYTES + 1, max }),
      fc.constantFrom(' ', 'x', '\u00e9', '\u{1f600}'),
    )
    .map(([valid, format, size, unit]) => {
      const filler = unit.repeat(Math.ceil(size / utf8(unit).length));
      const text = unit === ' ' ? wrapped(format, valid.token, '', filler, null) : filler;
      return makeBody(`huge, ${JSON.stringify(unit)} filler, as ${format}`, format, utf8(text), { kind: 'random' });
    });
}

function bodyArb(maxHuge: number): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 7, arbitrary: validBodyArb },
    { weight: 6, arbitrary: hostileBodyArb },
    { weight: 2, arbitrary: unwrappableBodyArb },
    { weight: 3, arbitrary: randomBodyArb },
    { weight: 1, arbitrary: hugeBodyArb(maxHuge) },
  );
}

const SPELLINGS: Record<Format, readonly string[]> = {
  text: [
    'text/plain;charset=UTF-8',
    'text/plain',
    'TEXT/PLAIN; CHARSET=utf-8',
    'text/plain; charset="utf-8"',
    'text/plain;charset=us-ascii',
    'text/plain; format=flowed',
  ],
  json: ['application/json', 'application/json; charset=utf-8', 'Application/JSON'],
  form: ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded;charset=UTF-8'],
};

const UNSUPPORTED = [
  null,
  '',
  'text/html',
  'application/jwt',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  '*/*',
  'text',
  'text/plainx',
  'text/plain; charset=utf-16',
  'text/plain;charset=shift_jis',
  'application/json; charset=utf-16le',
  'application/x-www-form-urlencoded; charset=utf-32',
] as const;

/** Header text Node and the Fetch API both accept: Latin-1, no control characters. */
const headerTextArb = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 60,
});

/**
 * Mostly the body's own format; sometimes an unsupported type; and, for bodies that cannot hide a
 * valid token in another format (a hostile "token" may be `{"token":"<valid>"}` itself), another format.
 */
function contentTypeArb(body: Body): fc.Arbitrary<ContentType> {
  const { format } = body;
  const others = (['text', 'json', 'form'] as const).filter((f) => f !== format);
  const mismatch = body.meaning.kind === 'valid' || body.meaning.kind === 'random';
  const choices: Array<fc.WeightedArbitrary<ContentType>> = [
    { weight: 12, arbitrary: fc.constantFrom(...SPELLINGS[format]).map((value) => ({ value, format })) },
    { weight: 2, arbitrary: fc.constantFrom(...UNSUPPORTED).map((value) => ({ value, format: null })) },
    { weight: 1, arbitrary: headerTextArb.map((text) => ({ value: `x-${text}`, format: null })) },
  ];
  if (mismatch) {
    const other = fc
      .constantFrom(...others)
      .chain((f) => fc.constantFrom(...SPELLINGS[f]).map((value) => ({ value, format: f })));
    choices.push({ weight: 2, arbitrary: other });
  }
  return fc.oneof(...choices);
}

const originArb: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.constantFrom(...ORIGINS) },
  // Header whitespace is not part of the value: these are the allowed origins.
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...ORIGINS), fc.constantFrom(' ', '\t', '  ')).map(([o, ws]) => ws + o + ws),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'https://STORE.example.com',
      'https://store.example.com/',
      'https://store.example.com/path',
      'https://store.example.com:443',
      'http://store.example.com',
      'https://store.example.com.evil.example',
      'https://evil.store.example.com',
      'https://shop.example.org',
      'https://shop.example.org:8444',
      'http://127.0.0.1:3001',
      'http://localhost:3000',
      'null',
      '*',
      'https://user@store.example.com',
      'https://store.example.com, https://evil.example',
      'https://evil.example',
      'file://',
      '',
    ),
  },
  { weight: 1, arbitrary: headerTextArb },
);

/** Methods undici's Request and Node's HTTP parser both take; lower-case ones are normalised by Fetch only. */
const nodeMethodArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'PURGE') },
);
const fetchMethodArb = fc.oneof(
  { weight: 10, arbitrary: nodeMethodArb },
  { weight: 1, arbitrary: fc.constantFrom('post', 'Post', 'options', 'FOO') },
);

const declaredLengthArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant('exact') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '99999999',
      String(MAX_BODY_BYTES + 1),
      ` ${MAX_BODY_BYTES + 1} `,
      '0',
      '1',
      String(MAX_BODY_BYTES),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('1e6', '0x3000', '-1', 'abc', '', '12, 12', '+9000') },
);

function caseArb(path: 'fetch' | 'node'): fc.Arbitrary<Case> {
  return fc
    .tuple(
      path === 'fetch' ? fetchMethodArb : nodeMethodArb,
      originArb,
      bodyArb(path === 'fetch' ? 512 * 1024 : 256 * 1024).chain((body) =>
        contentTypeArb(body).map((contentType) => [body, contentType] as const),
      ),
      path === 'fetch' ? declaredLengthArb : fc.constant(null),
    )
    .map(([method, origin, [body, contentType], declared]) => {
      const hasBody = !/^(GET|HEAD)$/i.test(method);
      return {
        method,
        origin,
        contentType,
        declaredLength: !hasBody ? null : declared === 'exact' ? String(body.bytes.length) : declared,
        body: hasBody
          ? body
          : makeBody(`${body.label}, not sent with ${method}`, body.format, new Uint8Array(0), body.meaning),
      };
    });
}

// ---- the oracle ------------------------------------------------------------------------------------

interface Expected {
  statuses: ReadonlySet<number>;
  /** For a 401: the codes it may carry. */
  codes: readonly TokenErrorCode[];
  /** For a 200: the customer it must be about. */
  valid?: ValidToken;
  allowedOrigin: string | null;
}

const FETCH_NORMALISED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const httpTrim = (value: string) => value.replace(/^[\t ]+|[\t ]+$/g, '');

/** What the protocol (docs/design.md, "Exchange responses") says the endpoint answers, from the case alone. */
function expected(c: Case, path: 'fetch' | 'node'): Expected {
  const origin = c.origin === null ? null : httpTrim(c.origin);
  const allowedOrigin = origin !== null && (ORIGINS as readonly string[]).includes(origin) ? origin : null;
  const only = (...statuses: number[]): Expected => ({ statuses: new Set(statuses), codes: [], allowedOrigin });
  // A refused origin is refused before anything else is looked at.
  if (origin !== null && allowedOrigin === null) return only(403);
  const upper = c.method.toUpperCase();
  const method = path === 'fetch' && FETCH_NORMALISED.has(upper) ? upper : c.method;
  if (method === 'OPTIONS') return only(204);

  // Problems decidable without the token: any of them may be the one reported.
  const problems: number[] = [];
  if (method !== 'POST') problems.push(405);
  if (c.declaredLength !== null) {
    const declared = c.declaredLength.trim();
    if (/^\d+$/.test(declared)) {
      if (Number(declared) > MAX_BODY_BYTES) problems.push(413);
    } else if (Number(declared) > MAX_BODY_BYTES) {
      problems.push(413, 400);
    }
  }
  if (c.contentType.format === null) problems.push(415);
  if (c.body.bytes.length > MAX_BODY_BYTES) problems.push(413);
  if (problems.length > 0) return only(...problems);

  const { meaning } = c.body;
  if (c.contentType.format !== c.body.format) {
    // A token written for another format: never verified as it stands, or not found.
    return { statuses: new Set([400, 401]), codes: TOKEN_ERROR_CODES, allowedOrigin };
  }
  switch (meaning.kind) {
    case 'valid': {
      const denied = meaning.valid.customer.id % DENY_EVERY === 0;
      return {
        statuses: new Set([denied ? 403 : 200]),
        codes: [],
        valid: denied ? undefined : meaning.valid,
        allowedOrigin,
      };
    }
    case 'hostile':
      return meaning.hostile.token === ''
        ? only(400)
        : { statuses: new Set([401]), codes: meaning.hostile.codes, allowedOrigin };
    case 'unwrappable':
      return only(400);
    case 'random':
      return { statuses: new Set([400, 401]), codes: TOKEN_ERROR_CODES, allowedOrigin };
  }
}

// ---- checking one answer ---------------------------------------------------------------------

/**
 * The endpoint's own fixed wording, collected from answers to inert probes. A body may contain
 * some of it (a hostile token wrapped as `{"token":"…"}` does, once JSON-escaped); finding that in
 * an answer is not an echo.
 */
let vocabulary = '';

async function learnVocabulary(): Promise<void> {
  const probe = (init: RequestInit & { duplex?: 'half' }) =>
    handler(new Request('https://app.example.com/customer-gate', { method: 'POST', ...init })).then((response) =>
      response.text(),
    );
  const post = (type: string, text: string) =>
    probe({ headers: { 'Content-Type': type }, body: utf8(text), duplex: 'half' });
  const foreign = signJson({ alg: 'HS512' }, { probe: true }, 'probe-secret-not-the-app-s', 'HS512');
  const texts = await Promise.all([
    post('text/html', 'probe'),
    post('application/json', 'probe'),
    post('application/json', '[1]'),
    post('application/json', '{"probe":1}'),
    post('application/x-www-form-urlencoded', 'probe=1'),
    post('application/x-www-form-urlencoded', 'token=1&token=2'),
    post('text/plain', '   '),
    post('text/plain', 'probe'),
    post('text/plain', 'a.b.c'),
    post('text/plain', 'x'.repeat(5000)),
    post('text/plain', foreign),
    post('text/plain', 'x'.repeat(MAX_BODY_BYTES + 1)),
    probe({ method: 'GET' }),
    probe({ headers: { Origin: 'https://probe.invalid' } }),
  ]);
  vocabulary = texts.join('\n');
}

interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

let statusCounts = new Map<number, number>();

function check(c: Case, path: 'fetch' | 'node', answer: Answer, reports: typeof reported): void {
  const want = expected(c, path);
  const { status, headers, text } = answer;
  statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);

  assert.ok(status < 500, `answered ${status}: ${text}`);
  assert.ok(
    want.statuses.has(status),
    `answered ${status}, expected ${[...want.statuses].join(' or ')}: ${text.slice(0, 300)}`,
  );

  // Security headers on every answer.
  assert.equal(headers['cache-control'], 'no-store');
  assert.ok(/(^|,)\s*origin\s*(,|$)/i.test(headers['vary'] ?? ''), `Vary is "${headers['vary']}"`);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['access-control-allow-credentials'], undefined);
  assert.notEqual(headers['access-control-allow-origin'], '*');
  assert.equal(
    headers['access-control-allow-origin'],
    want.allowedOrigin ?? undefined,
    'exact-origin CORS, and none for other origins',
  );

  let body: Record<string, unknown> | undefined;
  // Node sends no body for HEAD, whatever the handler wrote.
  const headOverNode = path === 'node' && c.method === 'HEAD';
  if (headOverNode) {
    assert.equal(text, '');
  } else if (status !== 204) {
    assert.match(headers['content-type'] ?? '', /^application\/json; charset=utf-8$/);
    body = JSON.parse(text) as Record<string, unknown>;
  } else {
    assert.equal(text, '');
  }

  if (status === 200) {
    // Only a valid token gets here, and it gets its own customer and store, nobody else's.
    assert.ok(want.valid, 'a 200 without a valid token');
    const { expected: verified } = want.valid;
    assert.deepEqual(body, {
      customer: verified.customer,
      storeHash: verified.storeHash,
      expiresAt: verified.expiresAt,
      data: { customerId: verified.customer.id, store: verified.storeHash },
    });
  } else if (status === 401 && !headOverNode) {
    assert.equal(body!['error'], 'invalid_token');
    assert.ok(
      want.codes.includes(body!['code'] as TokenErrorCode),
      `code "${String(body!['code'])}", expected ${want.codes.join(' or ')}`,
    );
  } else if (status !== 204 && !headOverNode) {
    assert.equal(typeof body!['error'], 'string');
  }

  // Nothing of the request body comes back: no run of ECHO_WINDOW characters, no token segment.
  const everything = `${text}\n${Object.values(headers).join('\n')}`;
  // The endpoint reads at most MAX_BODY_BYTES, so scanning twice that (and the tail) covers all it saw.
  const decoded = new TextDecoder().decode(c.body.bytes);
  const sent =
    decoded.length > 4 * MAX_BODY_BYTES
      ? `${decoded.slice(0, 2 * MAX_BODY_BYTES)}\u0000${decoded.slice(-1024)}`
      : decoded;
  for (let i = 0; i + ECHO_WINDOW <= sent.length; i++) {
    const piece = sent.slice(i, i + ECHO_WINDOW);
    if (everything.includes(piece) && !vocabulary.includes(piece))
      assert.fail(`the answer echoes the body: ${JSON.stringify(piece)} in ${everything.slice(0, 300)}`);
  }
  const token = tokenOf(c.body.meaning);
  if (token !== undefined) assert.deepEqual(findLeaks(everything, token, app.secrets), []);
  // An origin that is not allowed is not reflected anywhere either.
  if (c.origin !== null && want.allowedOrigin === null && httpTrim(c.origin).length >= ECHO_WINDOW) {
    assert.ok(!everything.includes(httpTrim(c.origin)), 'a refused origin is reflected');
  }

  // onError hears about refusals and failures, never the token.
  for (const { error, context } of reports) {
    assert.ok(context.status < 500, `onError saw a server error: ${String(error)}`);
    if (token !== undefined) {
      assert.deepEqual(
        findLeaks(`${String(error)}\n${(error as Error).stack}\n${JSON.stringify(context)}`, token, app.secrets),
        [],
      );
    }
  }
}

// ---- sending ----------------------------------------------------------------------------------

function headersFor(c: Case): Record<string, string> {
  const headers: Record<string, string> = {};
  if (c.origin !== null) headers['Origin'] = c.origin;
  if (c.contentType.value !== null) headers['Content-Type'] = c.contentType.value;
  if (c.declaredLength !== null) headers['Content-Length'] = c.declaredLength;
  return headers;
}

async function viaFetch(c: Case): Promise<Answer> {
  const hasBody = !/^(GET|HEAD)$/i.test(c.method);
  // Bytes, not a string: a string body would get a text/plain Content-Type the case did not choose.
  const request = new Request('https://app.example.com/customer-gate', {
    method: c.method,
    headers: headersFor(c),
    ...(hasBody ? { body: c.body.bytes, duplex: 'half' } : {}),
  } as RequestInit);
  const response = await handler(request);
  const headers = Object.fromEntries(response.headers);
  return { status: response.status, headers, text: await response.text() };
}

let port = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
let server: http.Server | undefined;

/** Over a real socket; the body in up to three pieces (splitting UTF-8 sequences), chunked or with its length. */
function viaNode(c: Case, cuts: readonly number[], chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = headersFor(c);
    const bytes = Buffer.from(c.body.bytes);
    const hasBody = !/^(GET|HEAD)$/i.test(c.method);
    if (hasBody) {
      if (chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = String(bytes.length);
    }
    let answered = false;
    const request = http.request(
      { host: '127.0.0.1', port, path: '/customer-gate', method: c.method, headers, agent },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers))
            if (value !== undefined) flat[name] = String(value);
          resolve({ status: response.statusCode!, headers: flat, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    // The server may answer and stop reading before the body is all sent: that is not a failure.
    request.on('error', (error) => {
      if (!answered) reject(new Error(`no answer: ${error.message}`));
    });
    request.setTimeout(10_000, () => request.destroy(new Error('timed out')));
    if (!hasBody) {
      request.end();
      return;
    }
    let at = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const end = Math.min(bytes.length, cut);
      if (end > at) request.write(bytes.subarray(at, end));
      at = Math.max(at, end);
    }
    request.end(bytes.subarray(at));
  });
}

// ---- the properties -------------------------------------------------------------------------

const tally = createTally('handler fuzz');
const { property } = tally;

/** Runs one case and checks it, with only this case's onError reports in view. */
async function exercise(c: Case, send: () => Promise<Answer>, path: 'fetch' | 'node'): Promise<void> {
  reported.length = 0;
  const answer = await send();
  check(c, path, answer, [...reported]);
}

function requireCoverage(t: TestContext, statuses: readonly number[]): void {
  const seen = [...statusCounts.entries()].sort(([a], [b]) => a - b);
  t.diagnostic(`statuses: ${seen.map(([status, count]) => `${status}×${count}`).join(', ')}`);
  for (const status of statuses)
    assert.ok(statusCounts.has(status), `no case was answered ${status}: the generators no longer reach it`);
}

describe(`exchange endpoint under hostile requests (FUZZ_SEED=${FUZZ_SEED})`, () => {
  before(async () => {
    await learnVocabulary();
    server = http.createServer(toNodeListener(handler));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    agent.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    tally.summary();
  });

  it('Fetch handler: any request is answered as the protocol says, without echo, with exact-origin CORS', {
    timeout: 60_000,
  }, async (t) => {
    statusCounts = new Map();
    await tally.run(
      t,
      fc.asyncProperty(caseArb('fetch'), (c) => exercise(c, () => viaFetch(c), 'fetch')),
      { numRuns: 2500, timeLimitMs: 15_000 },
    );
    requireCoverage(t, [200, 204, 400, 401, 403, 405, 413, 415]);
  });

  it('toNodeListener over loopback HTTP: the same answers, bodies split anywhere, chunked or not', {
    timeout: 60_000,
  }, async (t) => {
    statusCounts = new Map();
    await tally.run(
      t,
      fc.asyncProperty(
        caseArb('node'),
        fc.array(fc.nat({ max: 2 * MAX_BODY_BYTES }), { maxLength: 2 }),
        fc.boolean(),
        (c, cuts, chunked) => exercise(c, () => viaNode(c, cuts, chunked), 'node'),
      ),
      { numRuns: 800, timeLimitMs: 15_000 },
    );
    requireCoverage(t, [200, 204, 400, 401, 403, 405, 413, 415]);
  });

  property(
    'a valid token in any accepted format and spelling is answered with its own customer, and only that',
    { numRuns: 500 },
    () =>
      fc.asyncProperty(
        validBodyArb.chain((body) => fc.constantFrom(...SPELLINGS[body.format]).map((value) => ({ body, value }))),
        fc.option(fc.constantFrom(...ORIGINS)),
        async ({ body, value }, origin) => {
          const c: Case = {
            method: 'POST',
            origin,
            contentType: { value, format: body.format },
            declaredLength: null,
            body,
          };
          await exercise(c, () => viaFetch(c), 'fetch');
        },
      ),
  );
});
