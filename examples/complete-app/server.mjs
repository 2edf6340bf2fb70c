/**
 * Runs the complete app on node:http, configured from the environment as a deployment would be:
 *
 *   BC_CLIENT_ID, BC_CLIENT_SECRET, BC_AUTH_CALLBACK_URL   the app (Developer Portal)
 *   STOREFRONTS    JSON: { "https://shop.example.com": { "storeHash": "abc123", "channelId": 1 } }
 *   DATABASE_PATH  the SQLite file (default ./app.db)
 *   TOKEN_KEY      32 random bytes in base64, to encrypt tokens at rest
 *   PORT           default 3000; 0 picks a free one
 *   BC_API_URL, BC_TOKEN_URL   only to point at a mock in tests
 *
 * Prints one JSON line `{ port, runtime, version }` once it listens.
 */
import { createServer } from 'node:http';
import { createCompleteApp } from './app.mjs';
import { openTokenStore } from './token-store.mjs';

const env = process.env;
for (const name of ['BC_CLIENT_ID', 'BC_CLIENT_SECRET', 'BC_AUTH_CALLBACK_URL', 'STOREFRONTS', 'TOKEN_KEY']) {
  if (!env[name]) throw new Error(`Set ${name}.`);
}
const tokens = openTokenStore(env.DATABASE_PATH ?? 'app.db', Buffer.from(env.TOKEN_KEY, 'base64'));
const app = createCompleteApp({
  clientId: env.BC_CLIENT_ID,
  clientSecret: env.BC_CLIENT_SECRET,
  authCallbackUrl: env.BC_AUTH_CALLBACK_URL,
  storefronts: JSON.parse(env.STOREFRONTS),
  tokens,
  apiUrl: env.BC_API_URL,
  tokenUrl: env.BC_TOKEN_URL,
  log: (line) => console.error(line),
});
const server = createServer(app);
server.listen(Number(env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, runtime: 'node', version: process.versions.node }));
});
const stop = () =>
  server.close(() => {
    tokens.close();
    process.exit(0);
  });
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
