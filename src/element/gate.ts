import { LitElement, html, nothing } from 'lit';
import { DEFAULT_TOKEN_URL, GATE_EVENTS, type GateState } from '../protocol.js';
import { POLICY_NAME, parseFragment } from './fragment.js';
import { stamp } from './stamp.js';
import { styles } from './gate.styles.js';
import {
  DEFAULT_TIMING,
  GateError,
  joinSession,
  type Outcome,
  type SessionEnvironment,
  type SessionTiming,
  type Subscription,
  type VerifiedResponse,
} from './session.js';

/** The browser's own fetch, clock, timers and visibility. */
const browser: SessionEnvironment = {
  fetch: (url, init) => fetch(url, init),
  now: Date.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
  random: Math.random,
  visible: () => document.visibilityState === 'visible',
  onVisibilityChange(callback) {
    document.addEventListener('visibilitychange', callback);
    return () => document.removeEventListener('visibilitychange', callback);
  },
};

const said = new Set<string>();
/** Configuration mistakes are reported once per page, however many gates share them. */
function sayOnce(key: string, message: string): void {
  if (!said.has(key)) {
    said.add(key);
    console.error(`<bc-customer-gate>: ${message}`);
  }
}

/**
 * Shows a BigCommerce shopper content that the app's server released for them, and fails closed.
 *
 * @summary Server-verified customer content for BigCommerce storefronts.
 *
 * @slot - Shown when `verified`; `<template>` children are stamped here and filled from the response.
 * @slot loading - Shown while `idle` or `loading`.
 * @slot anonymous - Shown when no customer is signed in.
 * @slot denied - Shown when the server refused this customer.
 * @slot error - Shown when verification failed; a `[data-bc-retry]` element inside calls `refresh()`.
 *
 * @attr {string} state - Reflects the current state: idle, loading, verified, anonymous, denied, error.
 *
 * @fires {CustomEvent<VerifiedResponse>} bc-verified - Verified; detail is the server's response.
 * @fires {CustomEvent<null>} bc-anonymous - No customer is signed in.
 * @fires {CustomEvent<Denial>} bc-denied - The server refused this customer; detail has the status.
 * @fires {CustomEvent<GateError>} bc-error - Verification failed; detail says which step and how.
 */
export class BcCustomerGate extends LitElement {
  static override properties = {
    clientId: { attribute: 'client-id' },
    endpoint: {},
    tokenUrl: { attribute: 'token-url' },
    loggedIn: { attribute: 'logged-in' },
    loading: {},
    timeout: { type: Number },
    _state: { state: true },
  };

  static override styles = styles;

  /**
   * Replaces parts of the browser environment and timing for every gate of this class, like
   * include-fragment-element's overridable `fetch`: for tests, and for hosts that route requests
   * their own way. Read when a session starts.
   */
  static environment: Partial<SessionEnvironment & SessionTiming> = {};

  /** The app's client ID, sent as `app_client_id` on the token request. Required. */
  declare clientId: string | undefined;
  /** Absolute URL of the app's exchange endpoint. Required. */
  declare endpoint: string | undefined;
  /** Where the token comes from. Default `/customer/current.jwt`, Stencil's Current Customer route. */
  declare tokenUrl: string | undefined;
  /** `"false"` (Stencil's `{{#if customer}}`) means anonymous at once, with no requests. */
  declare loggedIn: string | undefined;
  /** `"lazy"` waits until the gate is near the viewport. */
  declare loading: string | undefined;
  /** Milliseconds each request may take. Default 10000. */
  declare timeout: number | undefined;
  declare protected _state: GateState;

  #key: string | undefined;
  #subscription: Subscription | undefined;
  #observer: IntersectionObserver | undefined;
  #seen = false;
  #shown: VerifiedResponse | undefined;
  #nodes: Node[] = [];

  constructor() {
    super();
    this._state = 'idle';
    this.addEventListener('click', (event) => {
      if (this._state === 'error' && (event.target as Element).closest?.('[data-bc-retry]')) this.refresh();
    });
  }

  /** What the gate shows now. */
  get state(): GateState {
    return this._state;
  }

  /** Verify again now. Every gate sharing the session shows `loading` until it settles. */
  refresh(): void {
    this.#seen = true;
    if (this.#subscription) this.#subscription.refresh();
    else this.#sync(true);
  }

  override connectedCallback(): void {
    // Join at once when configured, before Lit builds the shadow root, so the token request is on
    // the wire first and a gate moved within the page keeps its session; otherwise wait for the
    // first update, by which time a framework has set its attributes.
    const configured = this.clientId && this.endpoint;
    if (configured) this.#sync();
    super.connectedCallback();
    if (!this.hasAttribute('aria-live')) this.setAttribute('aria-live', 'polite');
    this.#reflect();
    if (!configured) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#leave();
    this.#key = undefined;
  }

  protected override willUpdate(): void {
    this.#sync();
  }

  protected override render() {
    const state = this._state;
    // One slot at a time: content assigned to the others is not rendered at all.
    return html`<slot name=${state === 'verified' ? nothing : state === 'idle' ? 'loading' : state}></slot>`;
  }

  /** Starts, restarts or keeps the gate's work to match its attributes. */
  #sync(force = false): void {
    if (!this.isConnected) return;
    const { clientId, endpoint } = this;
    const lazy = this.loading === 'lazy' && !this.#seen;
    const key = [clientId, endpoint, this.tokenUrl, this.loggedIn, lazy, this.timeout].join(' ');
    if (key === this.#key && !force) return;
    this.#leave();
    this.#key = key;
    if (!clientId || !endpoint) {
      sayOnce('config', "client-id (the app's client ID) and endpoint (its exchange URL) are both required.");
      this.#apply({ state: 'error', detail: new GateError('config', 'config') });
    } else if (this.loggedIn === 'false') {
      this.#apply({ state: 'anonymous', detail: null });
    } else if (lazy) {
      this.#apply({ state: 'idle', detail: null });
      this.#observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) {
            this.#seen = true;
            this.#sync();
          }
        },
        { rootMargin: '200px' },
      );
      this.#observer.observe(this);
    } else {
      const base = document.baseURI;
      const { environment } = this.constructor as typeof BcCustomerGate;
      this.#subscription = joinSession(
        {
          ...browser,
          ...DEFAULT_TIMING,
          ...environment,
          ...(this.timeout! > 0 && { timeout: this.timeout! }),
          tokenUrl: new URL(this.tokenUrl || DEFAULT_TOKEN_URL, base).href,
          clientId,
          endpoint: new URL(endpoint, base).href,
        },
        (outcome) => this.#apply(outcome),
      );
    }
  }

  #leave(): void {
    this.#subscription?.leave();
    this.#observer?.disconnect();
    this.#subscription = this.#observer = undefined;
  }

  #apply(outcome: Outcome | { state: 'idle'; detail: null }): void {
    if (outcome.state === 'verified') {
      if (outcome.detail !== this.#shown) {
        this.#clear();
        try {
          this.#show(outcome.detail);
        } catch (error) {
          this.#clear();
          sayOnce('render', `${error}. A page enforcing Trusted Types must allow "trusted-types ${POLICY_NAME} lit-html".`);
          outcome = { state: 'error', detail: new GateError('render', 'malformed', 200, error) };
        }
      }
    } else {
      this.#clear();
    }
    if (outcome.state === 'error' && outcome.detail.stage === 'exchange') {
      // What a misconfigured endpoint looks like from here, said once per endpoint. No response at
      // all is a CORS or CSP refusal (the browser hides which one).
      const { reason } = outcome.detail;
      const endpoint = new URL(this.endpoint!, document.baseURI);
      const hint = (<Record<string, string>>{
        network: `got no response. If it is up, add ${location.origin} to the handler's \`origins\` and ${endpoint.origin} to the page's CSP connect-src.`,
        malformed: "answered 200 without the exchange's JSON or HTML: point endpoint at the app's exchange handler.",
        redirect: 'redirected, which is not followed: point endpoint at the final URL.',
      })[reason];
      if (hint) sayOnce(reason + endpoint, `the request to ${endpoint} ${hint}`);
    }
    const changed = outcome.state !== this._state;
    this._state = outcome.state;
    this.#reflect();
    if (changed && outcome.state in GATE_EVENTS) {
      this.dispatchEvent(
        new CustomEvent(GATE_EVENTS[outcome.state as keyof typeof GATE_EVENTS], {
          bubbles: true,
          composed: true,
          detail: outcome.detail,
        }),
      );
    }
  }

  #show(response: VerifiedResponse): void {
    if ('html' in response && typeof response.html === 'string') {
      const fragment = parseFragment(response.html);
      this.#nodes = [...fragment.childNodes];
      this.append(fragment);
    } else {
      this.#nodes = stamp(this, response);
    }
    this.#shown = response;
  }

  #clear(): void {
    for (const node of this.#nodes) (node as ChildNode).remove();
    this.#nodes = [];
    this.#shown = undefined;
  }

  #reflect(): void {
    this.setAttribute('state', this._state);
    if (this._state === 'loading') this.setAttribute('aria-busy', 'true');
    else this.removeAttribute('aria-busy');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bc-customer-gate': BcCustomerGate;
  }
}
