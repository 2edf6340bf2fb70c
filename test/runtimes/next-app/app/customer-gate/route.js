// The README's Next.js route handler (App Router, Node runtime), configured like the other
// conformance servers. The handler is made on the first request, not at import: `next build` loads
// this module, and the build need not (and here does not) have the secret. Every method goes to the
// handler so that it, not Next.js, answers the ones it refuses (405, with its headers).
import { createApp } from '../../../app.mjs';

let handler;
const gate = (request) => {
  handler ??= createApp({ ...process.env, RUNTIME: 'next' });
  return handler(request);
};

export const POST = gate;
export const OPTIONS = gate;
export const GET = gate;
export const PUT = gate;
export const DELETE = gate;
