// Bun: Bun.serve with the Fetch handler as is.
import { createApp, route } from '../app.mjs';

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: route(createApp({ ...process.env, RUNTIME: 'bun' })),
});
console.log(JSON.stringify({ port: server.port, runtime: 'bun', version: Bun.version }));
