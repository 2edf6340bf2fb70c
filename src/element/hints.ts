/**
 * Development build only: console hints for configuration mistakes, each said once per page however
 * many gates share it, and never with a token in it. Imported by the development entry points
 * (`index.dev.ts`, `element.dev.ts`, `cdn.dev.ts`: the `development` export condition and the
 * `.dev.js` CDN file); the production build leaves it out.
 */
import { devHooks } from './dev-hooks.js';
import { PAGE_URL as PAGE } from './dom.js';
import { POLICY_NAME } from './policy.js';
import type { GateError } from './session.js';

const said = new Set<string>();

function sayOnce(key: string, message: string): void {
  if (!said.has(key)) {
    said.add(key);
    console.error(`<bc-customer-gate>: ${message}`);
  }
}

devHooks.report = (gate, state, detail) => {
  if (state !== 'error') return;
  const { stage, reason, cause } = detail as GateError;
  if (stage === 'config') {
    sayOnce('config', "client-id and endpoint (the app's exchange URL) are required.");
  } else if (stage === 'render') {
    sayOnce('render', `${cause}: a Trusted Types CSP must allow "trusted-types ${POLICY_NAME}".`);
  } else if (stage === 'exchange') {
    // No response at all is a CORS or CSP refusal (the browser hides which one).
    const endpoint = new URL(gate.endpoint!, PAGE);
    const hint = (<Record<string, string>>{
      network: `no response: add ${location.origin} to its \`origins\` and ${endpoint.origin} to CSP connect-src`,
      malformed: 'no exchange JSON or HTML: is endpoint the exchange handler?',
      redirect: 'redirected, not followed: set endpoint to the final URL',
    })[reason];
    if (hint) sayOnce(reason + endpoint, `${endpoint}: ${hint}.`);
  }
};
