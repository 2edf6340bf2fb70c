import { ReactiveElement } from '@lit/reactive-element';
import { DEFAULT_TOKEN_URL, type GateState } from '../protocol.js';
import { browser } from './browser.js';
import { devHooks } from './dev-hooks.js';
import { activeElement, createElement, PAGE_URL as PAGE } from './dom.js';
import { parseFragment } from './fragment.js';
import { stamp } from './stamp.js';
import { styles } from './gate.styles.js';
import {
  ANONYMOUS,
  DEFAULT_TIMING,
  GateError,
  IDLE,
  joinSession,
  type Outcome,
  type SessionEnvironment,
  type SessionTiming,
  type FragmentResponse,
  type Subscription,
} from './session.js';

/**
 * What a screen reader was told in this task: gates that settle together (ten in a list, sharing
 * a session) say "Loaded" once, not ten times.
 */
let lastSaid = '';

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
 * @attr {string} template - A content template as text (the Page Builder widget's form): parsed, cleaned as
 *   a fragment is, and stamped like a `<template>` child once verified.
 * @attr {string} state - Reflects the current state: idle, loading, verified, anonymous, denied, error.
 *
 * @csspart status - The visually hidden live region that announces state changes.
 *
 * @fires {CustomEvent<VerifiedResponse>} bc-verified - Verified; detail is the server's response.
 * @fires {CustomEvent<null>} bc-anonymous - No customer is signed in.
 * @fires {CustomEvent<Denial>} bc-denied - The server refused this customer; detail has the status.
 * @fires {CustomEvent<GateError>} bc-error - Verification failed; detail says which step and how.
 */
export class BcCustomerGate extends ReactiveElement {
  static override properties = {
    clientId: { attribute: 'client-id' },
    endpoint: {},
    tokenUrl: { attribute: 'token-url' },
    loggedIn: { attribute: 'logged-in' },
    loading: {},
    timeout: { type: Number },
    announce: {},
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
  /**
   * What assistive technology hears when verified content appears. Default `"Loaded"`; `""` says
   * nothing. Denied and error states read their own slot's text.
   */
  declare announce: string | undefined;

  #state: GateState = 'idle';
  #key: string | undefined;
  #subscription: Subscription | undefined;
  #observer: IntersectionObserver | undefined;
  #seen = false;
  /** The answer the revealed nodes show, and the nodes. */
  #shown: string | undefined;
  #nodes: Node[] = [];
  /** Whether #nodes are a fragment's, in the shadow root, rather than stamped in the light DOM. */
  #fragment = false;
  /** Where focus was inside the gate before a state change hid it. */
  #focus: Element | undefined;
  #slot = createElement('slot') as HTMLSlotElement;
  #status = createElement('div');

  constructor() {
    super();
    // Attached here, not on connection, so an answer already known when a gate joins has a root.
    this.attachShadow({ mode: 'open' }).append(this.#slot, this.#status);
    this.#slot.name = 'loading';
    this.#status.setAttribute('role', 'status');
    this.#status.part.add('status');
    this.addEventListener('click', (event) => {
      if (this.#state === 'error' && (event.target as Element).closest?.('[data-bc-retry]')) this.refresh();
    });
  }

  /** What the gate shows now. */
  get state(): GateState {
    return this.#state;
  }

  /** Verify again now. Every gate sharing the session shows `loading` until it settles. */
  refresh(): void {
    this.#seen = true;
    // [0] is the session's refresh.
    if (this.#subscription) this.#subscription[0]();
    else {
      this.#key = undefined;
      this.#sync();
    }
  }

  override connectedCallback(): void {
    // Join at once when configured, before the shadow root is built, so the token request is on
    // the wire first and a gate moved within the page keeps its session; otherwise wait for the
    // first update, by which time a framework has set its attributes.
    const configured = this.clientId && this.endpoint;
    if (configured) this.#sync();
    super.connectedCallback();
    this.#reflect();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#leave();
    this.#key = undefined;
  }

  protected override willUpdate(): void {
    this.#sync();
  }

  /** Starts, restarts or keeps the gate's work to match its attributes. */
  #sync(): void {
    if (!this.isConnected) return;
    const { clientId, endpoint } = this;
    const lazy = this.loading === 'lazy' && !this.#seen;
    const key = [clientId, endpoint, this.tokenUrl, this.loggedIn, lazy, this.timeout].join(' ');
    if (key === this.#key) return;
    this.#leave();
    this.#key = key;
    if (!clientId || !endpoint) {
      this.#apply(['error', new GateError('config', 'config')]);
    } else if (this.loggedIn === 'false') {
      this.#apply(ANONYMOUS);
    } else if (lazy) {
      this.#apply(IDLE);
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
      const { environment } = this.constructor as typeof BcCustomerGate;
      this.#subscription = joinSession(
        {
          ...browser,
          ...DEFAULT_TIMING,
          ...environment,
          ...(this.timeout! > 0 && { timeout: this.timeout }),
          tokenUrl: new URL(this.tokenUrl || DEFAULT_TOKEN_URL, PAGE).href,
          clientId,
          endpoint: new URL(endpoint, PAGE).href,
        },
        (outcome) => this.#apply(outcome),
      );
    }
  }

  #leave(): void {
    this.#subscription?.[1](); // leave the session
    this.#observer?.disconnect();
    this.#subscription = this.#observer = undefined;
  }

  #apply([state, detail]: Outcome): void {
    const active = activeElement();
    const inside = this.contains(active);
    const had = this.#nodes.length > 0;
    const previous = this.#state;
    let changed = state !== previous;
    if (state === 'verified') {
      // Two answers show the same thing when all but the token's expiry match (`{ html }` answers too).
      const answer = JSON.stringify({ ...detail, expiresAt: 0 });
      // Same answer, same nodes: no rebuild, no flicker, nothing announced again.
      changed = answer !== this.#shown;
      if (!changed) {
        // Back from `loading` with the same fragment: the same nodes return.
        if (this.#fragment && !this.#nodes[0]?.isConnected) this.shadowRoot!.append(...this.#nodes);
      } else {
        this.#clear();
        try {
          const { html } = detail as FragmentResponse;
          if (typeof html === 'string') {
            // In the gate's shadow root: the fragment's styles, IDs, form owners, label targets and
            // named elements stay inside the gate, and the gate's paint containment clips what it draws.
            const fragment = parseFragment(html);
            this.#nodes = [...fragment.childNodes];
            this.#fragment = true;
            this.shadowRoot!.append(fragment);
          } else {
            this.#nodes = stamp(this, detail);
          }
          this.#shown = answer;
        } catch (error) {
          this.#clear();
          state = 'error';
          detail = new GateError('render', 'malformed', 200, error);
        }
      }
    } else if (state !== 'loading') {
      this.#clear();
    } else if (this.#fragment) {
      // Loading keeps the nodes in case the answer is the same: stamped ones stay unassigned to any
      // slot, so not rendered; a fragment's, in the shadow root, leave the tree until then.
      for (const node of this.#nodes) (node as ChildNode).remove();
    }
    // Console hints, in the development build only (./hints.ts).
    devHooks.report?.(this, state, detail);
    this.#state = state;
    this.#reflect();
    if (inside) {
      // Focus that was inside the gate stays inside it: on the element that had it if that is shown
      // again, else on the retry control of an error, else on the gate itself. Never on <body>.
      if (active !== this) this.#focus = active!;
      const target =
        [this.#focus, state === 'error' && this.querySelector('[data-bc-retry]')].find(
          (el): el is HTMLElement => !!el && this.contains(el) && el.getClientRects().length > 0,
        ) ?? this;
      if (target === this && !this.hasAttribute('tabindex')) this.tabIndex = -1;
      target.focus({ preventScroll: true });
    }
    if (changed) {
      // A short status for assistive technology, not the content itself: `announce` (default
      // "Loaded") when content appears; the slot's own text when denied, failed, or signed out
      // after content.
      let text =
        state === 'verified'
          ? (this.announce ?? 'Loaded')
          : state === 'denied' || state === 'error' || (state === 'anonymous' && had)
            ? (this.querySelector(`[slot=${state}]`)?.textContent ?? '')
            : '';
      text = text.replace(/\s+/g, ' ').trim();
      if (text === lastSaid) text = '';
      else if (text) {
        lastSaid = text;
        queueMicrotask(() => (lastSaid = ''));
      }
      this.#status.textContent = text;
    }
    // Settled states only, each as `bc-<state>` (GATE_EVENTS in the protocol module).
    if (state !== previous && state !== 'loading' && state !== 'idle') {
      this.dispatchEvent(new CustomEvent(`bc-${state}`, { bubbles: true, composed: true, detail }));
    }
  }

  #clear(): void {
    for (const node of this.#nodes) (node as ChildNode).remove();
    this.#nodes = [];
    this.#fragment = false;
    this.#shown = undefined;
  }

  #reflect(): void {
    const state = this.#state;
    this.setAttribute('state', state);
    if (state === 'loading') this.setAttribute('aria-busy', 'true');
    else this.removeAttribute('aria-busy');
    // One slot at a time: content assigned to the others is not rendered at all. The name "" is the
    // default slot's.
    this.#slot.name = state === 'verified' ? '' : state === 'idle' ? 'loading' : state;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'bc-customer-gate': BcCustomerGate;
  }
}
