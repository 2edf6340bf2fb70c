/**
 * What `bc-customer-gate` and `bc-customer-gate/element` resolve to in Node (the `node` export
 * condition): servers that render pages, such as Next.js, Remix and Astro, import client components
 * while rendering. The same names, with no DOM touched, nothing defined and no global added; the
 * real element loads in the browser. (Lit's own Node build would add `customElements` and
 * `litPropertyMetadata` to the global object, so the element's modules are not loaded here.)
 */
export { POLICY_NAME } from './policy.js';
export {
  type Denial,
  type FragmentResponse,
  GateError,
  type SessionEnvironment,
  type SessionTiming,
  type VerifiedResponse,
} from './session.js';

/** A stand-in: the element exists only in a browser. */
export class BcCustomerGate {
  /** Accepted, so configuration shared between server and browser code does not throw. */
  static environment: object = {};

  constructor() {
    throw new TypeError('<bc-customer-gate> runs in a browser; on the server, render its markup only.');
  }
}
