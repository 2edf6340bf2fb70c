// A Cloudflare Worker serving the exchange endpoint, as an app would write it: configuration from
// bindings, the package imported by name. worker.test.ts bundles it for workerd and serves it.
// Plain JavaScript on purpose: it is the shape of the README's Workers example.
import { createCustomerGateHandler, html } from 'bc-customer-gate/server';

// Customer IDs the test relies on (a Worker module exports only its handlers, so they are repeated
// there): 13 is verified but not entitled (403), 42 gets a server-rendered HTML fragment.
const DENIED_CUSTOMER_ID = 13;
const FRAGMENT_CUSTOMER_ID = 42;

/** Comma-separated binding to a list: `"a, b,"` → `['a', 'b']`. */
const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

// One handler per isolate, built on the first request (bindings only exist inside `fetch`). It holds
// nothing but what the configuration derives (the imported keys, the origin set), so isolates and
// locations share no state and any number of them answer alike.
let handler;

function gate(env) {
  handler ??= createCustomerGateHandler({
    clientId: env.BC_CLIENT_ID,
    clientSecret: env.BC_CLIENT_SECRET,
    origins: list(env.ALLOWED_ORIGINS),
    stores: list(env.ALLOWED_STORES),
    authorize({ customer }) {
      if (customer.id === DENIED_CUSTOMER_ID) return false;
      if (customer.id === FRAGMENT_CUSTOMER_ID) return html`<p class="greeting">Welcome back, ${customer.email}</p>`;
      // The runtime facts let the test prove it is workerd answering, with no Node globals.
      return { plan: 'gold', runtime: navigator.userAgent, nodeProcess: typeof process !== 'undefined' };
    },
  });
  return handler;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname !== '/customer-gate') return new Response('Not found', { status: 404 });
    return gate(env)(request);
  },
};
