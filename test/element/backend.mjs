// A scripted storefront + app backend for the browser tests, over real sockets. Each test creates a
// scenario (the responses, in order, of its token route and exchange endpoint) and reads back the
// requests the browser really sent. Served twice:
//   - by the test runner's own server (same origin as the test page), under /__backend/<id>/...
//   - by a second server on 127.0.0.1 (a different origin from the page's localhost), under /<id>/...,
//     so exchanges are genuinely cross-origin and CORS is enforced by Chromium itself.
// The second server closes every connection after one response: a dropped request then never sits
// on a reused keep-alive socket, which Chromium would silently retry.
import { createServer } from 'node:http';

const scenarios = new Map();
let nextId = 0;
let crossOrigin = '';

const defaultToken = () => fakeJwt({ exp: Math.floor(Date.now() / 1000) + 900 });
const defaultExchange = () => ({
  customer: { id: 42, email: 'shopper@example.com', groupId: '3' },
  storeHash: 'abc123',
  expiresAt: Math.floor(Date.now() / 1000) + 900,
  data: {},
});

/** A JWT-shaped string. The element never verifies tokens; only the server does. */
function fakeJwt(payload) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS512', typ: 'JWT' })}.${part(payload)}.${Buffer.from(String(Math.random())).toString('base64url')}`;
}

function create(spec) {
  const id = `s${++nextId}`;
  scenarios.set(id, {
    origin: spec.origin ?? null,
    cors: spec.cors ?? true,
    steps: { token: spec.token ?? [{}], exchange: spec.exchange ?? [{}] },
    served: { token: 0, exchange: 0 },
    log: [],
  });
  return {
    id,
    tokenUrl: `/__backend/${id}/token`,
    endpoint: `${crossOrigin}/${id}/exchange`,
    sameOriginEndpoint: `/__backend/${id}/exchange`,
    crossOriginTokenUrl: `${crossOrigin}/${id}/token`,
  };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

/** Answers /<id>/(token|exchange) from the scenario's script; returns false for other paths. */
async function serveScripted(req, res, path) {
  const match = /^\/(s\d+)\/(token|exchange)$/.exec(path);
  const scenario = match && scenarios.get(match[1]);
  if (!scenario) return false;
  const route = match[2];
  const url = new URL(req.url, 'http://x');
  const body = await readBody(req);
  scenario.log.push({
    route,
    method: req.method,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
    at: Date.now(),
  });

  const origin = req.headers.origin;
  const cors =
    scenario.cors && origin && origin === scenario.origin
      ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' }
      : {};
  if (req.method === 'OPTIONS') {
    // Answered like a real handler would, so a preflight the element should not send still succeeds
    // and shows up in the log instead of failing the request for an unrelated reason.
    res.writeHead(204, {
      ...cors,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Content-Type',
    });
    res.end();
    return true;
  }

  const steps = scenario.steps[route];
  const step = steps[Math.min(scenario.served[route]++, steps.length - 1)] ?? {};
  const send = () => {
    if (res.destroyed || res.writableEnded) return;
    if (step.drop) {
      req.socket.destroy();
      return;
    }
    const status = step.status ?? 200;
    let payload = step.body;
    if (payload === undefined && status === 200) payload = route === 'token' ? defaultToken() : defaultExchange();
    const type =
      step.type ??
      (typeof payload === 'string' ? (route === 'token' ? 'text/plain' : 'application/json') : 'application/json');
    const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...cors, ...step.headers });
    res.end(text);
  };
  if (step.delay) setTimeout(send, step.delay);
  else send();
  return true;
}

async function serveControl(req, res, path) {
  if (path === '/__backend/scenario' && req.method === 'POST') {
    const spec = JSON.parse((await readBody(req)) || '{}');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(create(spec)));
    return true;
  }
  const log = /^\/__backend\/(s\d+)\/log$/.exec(path);
  if (log && scenarios.has(log[1])) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(scenarios.get(log[1]).log));
    return true;
  }
  return false;
}

export function backend() {
  let server;
  return {
    /** Test-runner plugin: starts and stops the cross-origin server with the runner. */
    plugin: {
      name: 'bc-customer-gate-test-backend',
      async serverStart() {
        server = createServer(async (req, res) => {
          res.shouldKeepAlive = false;
          const path = new URL(req.url, 'http://x').pathname;
          if (!(await serveScripted(req, res, path))) {
            res.writeHead(404);
            res.end();
          }
        });
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        crossOrigin = `http://127.0.0.1:${server.address().port}`;
      },
      async serverStop() {
        server?.closeAllConnections();
        await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
      },
    },
    /** Koa middleware for the runner's own (same-origin) server. */
    async middleware(ctx, next) {
      const path = ctx.path;
      if (!path.startsWith('/__backend/')) return next();
      ctx.respond = false;
      const scripted = path.replace(/^\/__backend/, '');
      if (!(await serveControl(ctx.req, ctx.res, path)) && !(await serveScripted(ctx.req, ctx.res, scripted))) {
        ctx.res.writeHead(404);
        ctx.res.end();
      }
    },
  };
}
