// toNodeListener over real loopback sockets: body limits enforced while streaming, connection
// handling, Express mounting, the lazily built Request, and the generic path for other handlers.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import express from 'express';
import {
  createCustomerGateHandler,
  toNodeListener,
  type CustomerGateOptions,
  type ExchangeErrorContext,
  type FetchHandler,
} from '../../src/server/index.js';
import { mintCustomerToken } from '../../src/testing/mint.js';
import { MAX_BODY_BYTES } from '../../src/protocol.js';
import { exchangeHeaders, FORM, ORIGIN, TEXT } from './headers.js';

const CLIENT_ID = 'node-client-id-0123456789';
const SECRET = 'node-client-secret-9a7c3e';
const STORE = 'store1';

const mint = (id: number) =>
  mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id, email: `c${id}@example.com` },
  });
const token = await mint(1);
const readerToken = await mint(9);

const reported: ExchangeErrorContext[] = [];
const options: CustomerGateOptions = {
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  stores: STORE,
  origins: [ORIGIN],
  onError: (_error, context) => void reported.push(context),
  authorize: (verified, request) => {
    if (verified.customer.id !== 9) return { ok: true };
    return {
      ua: request.headers.get('user-agent'),
      origin: request.headers.get('origin'),
      url: request.url,
      method: request.method,
      isRequest: request instanceof Request,
    };
  },
};
const handler = createCustomerGateHandler(options);

const servers: http.Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function listen(listener: http.RequestListener): Promise<number> {
  const server = http.createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  reusedSocket: boolean;
}

function send(
  port: number,
  {
    method = 'POST',
    path = '/customer-gate',
    headers = {},
    body,
    agent,
  }: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    agent?: http.Agent;
  },
): Promise<Got> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method, headers, agent: agent ?? false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: request.reusedSocket,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const exchange = (port: number, body: string, headers: Record<string, string> = {}, path?: string) =>
  send(port, { path, headers: exchangeHeaders(headers), body });

const fastPort = await listen(toNodeListener(handler));
const genericPort = await listen(toNodeListener((request) => handler(request)));
const paths = [
  ['fast path', fastPort],
  ['generic path', genericPort],
] as const;

/**
 * Streams a chunked body of up to `maxChunks` 64 KiB chunks, stopping as soon as a response
 * arrives. Resolves with the response, how many chunks had been written by then, and whether the
 * server then closed the connection (within two seconds) while the client was still mid-body.
 */
function streamUntilAnswered(port: number, headers: Record<string, string>, maxChunks = 512) {
  return new Promise<{
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
    written: number;
    closedByServer: boolean;
  }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: '/customer-gate',
      method: 'POST',
      headers: { 'Transfer-Encoding': 'chunked', ...headers },
      agent: false,
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => {});
      response.on('end', () => {
        const result = {
          status: response.statusCode!,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          written,
        };
        const socket = request.socket;
        if (!socket || socket.destroyed) return resolve({ ...result, closedByServer: true });
        const timer = setTimeout(() => {
          request.destroy();
          resolve({ ...result, closedByServer: false });
        }, 2000);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve({ ...result, closedByServer: true });
        });
      });
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    void (async () => {
      while (!answered && written < maxChunks) {
        written++;
        if (!request.write(chunk)) {
          await new Promise<void>((done) => {
            const finish = () => {
              request.off('drain', finish).off('close', finish).off('response', finish);
              done();
            };
            request.on('drain', finish).on('close', finish).on('response', finish);
          });
        }
        await tick();
      }
      if (!answered) request.end();
    })();
  });
}

/** Sends a request head declaring a huge Content-Length and only a few body bytes. */
function declareHugeBody(port: number, headers: string) {
  return new Promise<{ head: string; closedByServer: boolean }>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ head: received, closedByServer: false });
    }, 2000);
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ head: received, closedByServer: true });
    });
    socket.write(
      `POST /customer-gate HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Content-Length: 50000000\r\n\r\neyJhbGciOi`,
    );
  });
}

for (const [label, port] of paths) {
  describe(`toNodeListener, ${label}: body limits and connections`, { timeout: 20_000 }, () => {
    it('answers 413 to a huge chunked body before it is all sent, then closes the connection', async () => {
      const result = await streamUntilAnswered(port, exchangeHeaders());
      assert.equal(result.status, 413);
      assert.equal(JSON.parse(result.text).error, 'payload_too_large');
      assert.equal(result.headers['access-control-allow-origin'], ORIGIN);
      assert.equal(result.headers['cache-control'], 'no-store');
      assert.ok(result.written < 512, `answered only after ${result.written} of 512 chunks`);
      assert.equal(result.headers['connection'], 'close');
      assert.ok(result.closedByServer, 'the server closed the connection instead of draining the body');
    });

    it('answers 413 to a huge declared Content-Length without waiting for the body', async () => {
      const { head, closedByServer } = await declareHugeBody(port, `Origin: ${ORIGIN}\r\nContent-Type: text/plain\r\n`);
      assert.match(head, /^HTTP\/1\.1 413 /);
      assert.match(head, /\r\nconnection: close\r\n/i);
      assert.match(head, /\r\ncache-control: no-store\r\n/i);
      assert.ok(closedByServer);
    });

    it('refuses a disallowed origin sending a huge body without reading it', async () => {
      const { head, closedByServer } = await declareHugeBody(
        port,
        'Origin: https://evil.example\r\nContent-Type: text/plain\r\n',
      );
      assert.match(head, /^HTTP\/1\.1 403 /);
      assert.doesNotMatch(head, /access-control-allow-origin/i);
      assert.ok(closedByServer);
    });

    it('keeps the connection after refusing a small body (it is cheap to discard)', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const refused = await send(port, {
          headers: { Origin: ORIGIN, 'Content-Type': 'application/xml' },
          body: token,
          agent,
        });
        assert.equal(refused.status, 415);
        const wrongMethod = await send(port, {
          method: 'PUT',
          headers: exchangeHeaders(),
          body: token,
          agent,
        });
        assert.equal(wrongMethod.status, 405);
        const ok = await send(port, { headers: exchangeHeaders(), body: token, agent });
        assert.equal(ok.status, 200);
        assert.ok(ok.reusedSocket, 'the second request reused the connection');
      } finally {
        agent.destroy();
      }
    });

    it('survives a client that disconnects mid-body', async () => {
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(
            `POST /customer-gate HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5000\r\n\r\neyJhbGci`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 20);
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal((await exchange(port, token)).status, 200);
    });

    it('answers HEAD with 405 and no body', async () => {
      const got = await send(port, { method: 'HEAD', headers: { Origin: ORIGIN } });
      assert.equal(got.status, 405);
      assert.equal(got.text, '');
      assert.equal(got.headers['allow'], 'POST, OPTIONS');
    });
  });
}

describe('toNodeListener: the Request handed to authorize on the fast path is built lazily', {
  timeout: 20_000,
}, () => {
  /** Counts Request and Response constructions while `run` executes. */
  async function counting<T>(run: () => Promise<T>): Promise<{ result: T; requests: number; responses: number }> {
    const RealRequest = globalThis.Request;
    const RealResponse = globalThis.Response;
    let requests = 0;
    let responses = 0;
    globalThis.Request = class extends RealRequest {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        requests++;
      }
    };
    globalThis.Response = class extends RealResponse {
      constructor(...args: ConstructorParameters<typeof Response>) {
        super(...args);
        responses++;
      }
    } as typeof Response;
    try {
      return { result: await run(), requests, responses };
    } finally {
      globalThis.Request = RealRequest;
      globalThis.Response = RealResponse;
    }
  }

  it('builds no Request and no Response when authorize ignores the request', async () => {
    const { result, requests, responses } = await counting(() =>
      exchange(fastPort, token, { 'User-Agent': 'gate-test/2.0' }),
    );
    assert.equal(result.status, 200);
    assert.deepEqual(JSON.parse(result.text).data, { ok: true });
    assert.equal(requests, 0);
    assert.equal(responses, 0);
  });

  it('builds the real Request once authorize reads it', async () => {
    const { result, requests, responses } = await counting(() =>
      exchange(fastPort, readerToken, { 'User-Agent': 'gate-test/2.0' }, '/customer-gate?from=test'),
    );
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(JSON.parse(result.text).data, {
      ua: 'gate-test/2.0',
      origin: ORIGIN,
      url: `http://127.0.0.1:${fastPort}/customer-gate?from=test`,
      method: 'POST',
      isRequest: true,
    });
    assert.equal(requests, 1);
    assert.equal(responses, 0);
  });

  it('(the counter works: the generic path builds both)', async () => {
    const { result, requests, responses } = await counting(() => exchange(genericPort, token));
    assert.equal(result.status, 200);
    assert.ok(requests >= 1 && responses >= 1, `${requests} requests, ${responses} responses`);
  });
});

describe('toNodeListener in Express', { timeout: 20_000 }, () => {
  const listeners = {
    'fast path': () => toNodeListener(handler),
    'generic path': () => toNodeListener((request) => handler(request)),
  };
  const bodies = {
    text: { 'Content-Type': TEXT, body: ` ${token}\n` },
    json: { 'Content-Type': 'application/json', body: JSON.stringify({ token }) },
    form: { 'Content-Type': FORM, body: `token=${encodeURIComponent(token)}` },
  };
  const parsers: Record<string, express.RequestHandler[]> = {
    'no body parser': [],
    'express.text()': [express.text()],
    'express.json() and express.urlencoded()': [express.json(), express.urlencoded({ extended: false })],
    'express.raw()': [express.raw({ type: '*/*' })],
  };

  for (const [listenerName, makeListener] of Object.entries(listeners)) {
    for (const [parserName, middleware] of Object.entries(parsers)) {
      it(`${listenerName}, ${parserName}: every body format, preflight and methods`, async () => {
        const app = express();
        app.use(
          ...(middleware.length
            ? middleware
            : [(_req: express.Request, _res: express.Response, next: express.NextFunction) => next()]),
        );
        app.all('/customer-gate', makeListener());
        const port = await listen(app);
        for (const [format, { body, ...headers }] of Object.entries(bodies)) {
          const got = await exchange(port, body, headers);
          assert.equal(got.status, 200, `${format}: ${got.text}`);
          assert.equal(JSON.parse(got.text).customer.id, 1);
          assert.equal(got.headers['access-control-allow-origin'], ORIGIN);
        }
        const preflight = await send(port, {
          method: 'OPTIONS',
          headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
        });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers['access-control-allow-methods'], 'POST');
        assert.equal((await send(port, { method: 'GET', headers: { Origin: ORIGIN } })).status, 405);
        const tooBig = await exchange(port, token + ' '.repeat(MAX_BODY_BYTES));
        assert.equal(tooBig.status, 413);
        const empty = await exchange(port, '');
        assert.equal(empty.status, 400);
      });
    }

    it(`${listenerName}, mounted on a router: the Request's URL is the one the client asked for`, async () => {
      const app = express();
      const router = express.Router();
      router.post('/gate', makeListener());
      app.use('/api', router);
      const port = await listen(app);
      const got = await exchange(port, readerToken, { 'User-Agent': 'gate-test/3.0' }, '/api/gate?x=1');
      assert.equal(got.status, 200, got.text);
      const data = JSON.parse(got.text).data;
      assert.equal(data.url, `http://127.0.0.1:${port}/api/gate?x=1`);
      assert.equal(data.ua, 'gate-test/3.0');
    });
  }

  it("passes a failing foreign handler's error to next()", async () => {
    const app = express();
    app.post(
      '/boom',
      toNodeListener(() => {
        throw new Error('handler failed');
      }),
    );
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(418).send(`caught: ${error.message}`);
    });
    const port = await listen(app);
    const got = await send(port, { path: '/boom', body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(got.status, 418);
    assert.equal(got.text, 'caught: handler failed');
  });
});

describe('toNodeListener: generic path for any Fetch handler', { timeout: 20_000 }, () => {
  it('refuses a non-function', () => {
    assert.throws(() => toNodeListener('handler' as unknown as FetchHandler), TypeError);
  });

  it('streams a large request body to the handler and its answer back, with status, headers and cookies', async () => {
    const port = await listen(
      toNodeListener(async (request) => {
        const body = await request.text();
        const headers = new Headers({
          'X-Method': request.method,
          'X-Url': request.url,
          'X-Length': String(body.length),
        });
        headers.append('Set-Cookie', 'a=1');
        headers.append('Set-Cookie', 'b=2');
        return new Response(body.toUpperCase(), { status: 201, statusText: 'Made', headers });
      }),
    );
    const body = 'abc'.repeat(100_000);
    const got = await send(port, { method: 'PUT', path: '/echo?q=1', body, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(got.status, 201);
    assert.equal(got.text, body.toUpperCase());
    assert.equal(got.headers['x-method'], 'PUT');
    assert.equal(got.headers['x-url'], `http://127.0.0.1:${port}/echo?q=1`);
    assert.deepEqual(got.headers['set-cookie'], ['a=1', 'b=2']);
  });

  it('streams a response body chunk by chunk', async () => {
    const port = await listen(
      toNodeListener(
        () =>
          new Response(
            new ReadableStream({
              async start(controller) {
                for (const part of ['one ', 'two ', 'three']) {
                  controller.enqueue(new TextEncoder().encode(part));
                  await new Promise((resolve) => setTimeout(resolve, 5));
                }
                controller.close();
              },
            }),
          ),
      ),
    );
    assert.equal((await send(port, { method: 'GET' })).text, 'one two three');
  });

  it('sends no body for HEAD', async () => {
    const port = await listen(toNodeListener(() => new Response('body', { headers: { 'X-A': '1' } })));
    const got = await send(port, { method: 'HEAD' });
    assert.equal(got.status, 200);
    assert.equal(got.text, '');
    assert.equal(got.headers['x-a'], '1');
  });

  it('a handler that ignores a huge body answers at once and the connection is closed', async () => {
    const port = await listen(toNodeListener(() => new Response('no', { status: 403 })));
    const result = await streamUntilAnswered(port, { 'Content-Type': 'text/plain' });
    assert.equal(result.status, 403);
    assert.ok(result.written < 512, `answered only after ${result.written} chunks`);
    assert.ok(result.closedByServer);
  });

  it('without next: a throwing handler or a non-Response answers 500', async () => {
    const original = console.error;
    const logged: unknown[] = [];
    console.error = (...args: unknown[]) => void logged.push(args);
    try {
      const throwing = await listen(toNodeListener(() => Promise.reject(new Error('nope'))));
      const wrong = await listen(toNodeListener(() => ({ status: 200 }) as unknown as Response));
      for (const port of [throwing, wrong]) {
        const got = await send(port, { method: 'GET' });
        assert.equal(got.status, 500);
        assert.equal(got.text, 'Internal Server Error');
        assert.equal(got.headers['cache-control'], 'no-store');
      }
      assert.equal(logged.length, 2);
    } finally {
      console.error = original;
    }
  });

  it('re-serialises a body that Express already parsed', async () => {
    const app = express();
    app.use(express.json());
    app.post(
      '/echo',
      toNodeListener(
        async (request) =>
          new Response(await request.text(), { headers: { 'X-Type': request.headers.get('content-type') ?? '' } }),
      ),
    );
    const port = await listen(app);
    const got = await send(port, {
      path: '/echo',
      body: '{ "a" : [1, 2] }',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(got.text, '{"a":[1,2]}');
    assert.equal(got.headers['x-type'], 'application/json');
  });
});

describe('onError on the Node paths', { timeout: 20_000 }, () => {
  it('receives refusals with their code and never the token', async () => {
    reported.length = 0;
    const expired = await mintCustomerToken({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      storeHash: STORE,
      customer: { id: 1, email: 'c1@example.com' },
      issuedAt: 1_000_000,
    });
    for (const [, port] of paths) assert.equal((await exchange(port, expired)).status, 401);
    assert.deepEqual(
      reported.map((c) => [c.phase, c.status, c.code, c.origin, c.method]),
      [
        ['verify', 401, 'expired', ORIGIN, 'POST'],
        ['verify', 401, 'expired', ORIGIN, 'POST'],
      ],
    );
    assert.ok(!JSON.stringify(reported).includes(expired.split('.')[2]!));
  });
});
