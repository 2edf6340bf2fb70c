// The exchange endpoints under load, run in a child process so the load generator does not share
// their event loop. Started by endpoint.mjs over IPC: it sends { secret, origin }, this answers
// with the three ports, then exits when told to (or when the parent goes away).
import { createServer } from 'node:http';
import express from 'express';
import jwt from 'jsonwebtoken';
import { createCustomerGateHandler, toNodeListener } from 'bc-customer-gate/server';
import { ALGORITHMS, CLIENT_ID, ISSUER, STORE_HASH, checkBigCommerceClaims } from './common.mjs';

/** This package: the handler on node:http through toNodeListener's fast path. */
function packageServer({ secret, origin }) {
  const handler = createCustomerGateHandler({
    clientId: CLIENT_ID,
    clientSecret: secret,
    stores: STORE_HASH,
    origins: [origin],
  });
  return createServer(toNodeListener(handler));
}

/** The ceiling: reads the body and answers a fixed JSON body of the same size, verifying nothing. */
function bareServer({ origin }) {
  const body = JSON.stringify({
    customer: { id: 1000, email: 'shopper0@example.com', groupId: '1' },
    storeHash: STORE_HASH,
    expiresAt: 1_900_000_000,
  });
  return createServer((req, res) => {
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
    });
    req.on('end', () => {
      res.writeHead(size > 0 ? 200 : 400, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        Vary: 'Origin',
        'Access-Control-Allow-Origin': origin,
      });
      res.end(body);
    });
  });
}

/** What an app would write without this package: Express, express.text(), jsonwebtoken, CORS headers. */
function expressServer({ secret, origin }) {
  const app = express();
  app.disable('x-powered-by');
  app.post('/customer-gate', express.text({ type: 'text/plain', limit: '8kb' }), (req, res) => {
    const requestOrigin = req.get('origin');
    res.set('Vary', 'Origin');
    res.set('Cache-Control', 'no-store');
    if (requestOrigin !== undefined && requestOrigin !== origin) return res.status(403).json({ error: 'forbidden' });
    if (requestOrigin) res.set('Access-Control-Allow-Origin', requestOrigin);
    try {
      const claims = checkBigCommerceClaims(
        jwt.verify(String(req.body).trim(), secret, {
          algorithms: ALGORITHMS,
          audience: CLIENT_ID,
          issuer: ISSUER,
          maxAge: 900,
          clockTolerance: 30,
        }),
      );
      const { id, email, group_id: groupId } = claims.customer;
      res.json({
        customer: { id, email, groupId: groupId ?? null },
        storeHash: claims.store_hash,
        expiresAt: claims.exp,
      });
    } catch {
      res.status(401).json({ error: 'invalid_token' });
    }
  });
  return createServer(app);
}

const listen = (server) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });

process.once('message', async (config) => {
  const servers = { package: packageServer(config), bare: bareServer(config), express: expressServer(config) };
  const ports = {};
  for (const [name, server] of Object.entries(servers)) ports[name] = await listen(server);
  process.send({ ports });
  process.on('message', (message) => {
    if (message === 'close') process.exit(0);
    // CPU time is a steadier measure than throughput when the load generator shares the cores.
    if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  });
});
process.on('disconnect', () => process.exit(0));
