// The exchange endpoint every runtime serves in the conformance suite: one app, configured from
// environment-style strings the way a deployment is, built on the package's public entry point.
// Each runtime's server entry (servers/*.mjs, and the Worker that test-runtimes.mjs bundles) is a few
// lines around this. Which customer gets which answer is fixed in fixture.mjs (CUSTOMERS).
import { createCustomerGateHandler, html } from 'bc-customer-gate/server';
import { CUSTOMERS } from './fixture.mjs';
import { isStoreCustomer, purchasesFor } from './store-app.mjs';

/** Comma-separated setting to a list: `"a, b,"` → `['a', 'b']`. */
const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * `env`: BC_CLIENT_ID, BC_CLIENT_SECRET, ALLOWED_ORIGINS, ALLOWED_STORES, RUNTIME (the name the
 * entry reports back in `data`, so the client knows which runtime answered), STORE_API_URL (the
 * host's mock store API, for the store customers).
 */
export function createApp(env) {
  return createCustomerGateHandler({
    clientId: env.BC_CLIENT_ID,
    clientSecret: env.BC_CLIENT_SECRET,
    origins: list(env.ALLOWED_ORIGINS),
    stores: list(env.ALLOWED_STORES),
    authorize(verified, request) {
      const { customer } = verified;
      if (isStoreCustomer(customer.id)) return purchasesFor(verified, request, env);
      switch (customer.id) {
        case CUSTOMERS.denied:
          return false;
        case CUSTOMERS.fragment:
          return html`<p class="greeting">Welcome back, ${customer.email}</p>`;
        case CUSTOMERS.passthrough:
          return new Response(JSON.stringify({ error: 'busy' }), {
            status: 429,
            headers: {
              'Content-Type': 'application/json',
              'Retry-After': '7',
              'Access-Control-Allow-Credentials': 'true',
            },
          });
        case CUSTOMERS.throws:
          throw new Error('the data store is down');
        default:
          return { plan: 'gold', runtime: env.RUNTIME };
      }
    },
    // Refused tokens and the throwing case are expected: keep the server's output for real failures.
    onError: (error, context) => {
      if (context.status >= 500 && context.phase !== 'authorize')
        console.error(`${context.status} ${context.phase}: ${error}`);
    },
  });
}

export const PATH = '/customer-gate';

/** The endpoint at PATH, 404 elsewhere: for the runtimes whose server takes one Fetch handler. */
export function route(handler) {
  return (request) =>
    new URL(request.url).pathname === PATH ? handler(request) : new Response('Not found', { status: 404 });
}
