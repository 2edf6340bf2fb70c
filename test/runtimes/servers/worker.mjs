// Cloudflare Workers (workerd): the module Worker, configured from its bindings.
import { createApp, route } from '../app.mjs';

let handler; // bindings exist only inside fetch
export default {
  fetch(request, env) {
    handler ??= route(createApp({ ...env, RUNTIME: 'workerd' }));
    return handler(request);
  },
};
