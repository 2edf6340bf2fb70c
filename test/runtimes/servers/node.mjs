// Node (any line): node:http with toNodeListener, the README's node:http recipe.
import { createServer } from 'node:http';
import { toNodeListener } from 'bc-customer-gate/server';
import { createApp, PATH } from '../app.mjs';

const gate = toNodeListener(createApp({ ...process.env, RUNTIME: 'node' }));
const server = createServer((req, res) => {
  if (req.url?.split('?')[0] === PATH) return gate(req, res);
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, runtime: 'node', version: process.versions.node }));
});
