// Deno: Deno.serve with the Fetch handler as is.
import { createApp, route } from '../app.mjs';

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ port, runtime: 'deno', version: Deno.version.deno })),
  },
  route(createApp({ ...Deno.env.toObject(), RUNTIME: 'deno' })),
);
