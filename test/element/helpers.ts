// Shared helpers for the browser tests: scenarios on the scripted backend, a controllable clock and
// visibility for the session's injectable environment, and small waits.
import { fixture, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import { BcCustomerGate } from '../../src/element/index.js';
import type { SessionEnvironment, SessionTiming } from '../../src/element/index.js';
import type { PageEvent } from '../../src/element/session.js';

export { BcCustomerGate };

export interface Step {
  status?: number;
  /** A string is sent as is; anything else as JSON. Default: a token, or a verified customer. */
  body?: unknown;
  type?: string;
  headers?: Record<string, string>;
  /** Milliseconds before answering. */
  delay?: number;
  /** Close the connection without any response: a network error. */
  drop?: boolean;
}

export interface ScenarioSpec {
  token?: Step[];
  exchange?: Step[];
  /** Answer CORS for this page's origin (default); `false` plays a handler without it in `origins`. */
  cors?: boolean;
}

export interface Scenario {
  id: string;
  tokenUrl: string;
  /** Cross-origin (127.0.0.1 while the page is on localhost). */
  endpoint: string;
  sameOriginEndpoint: string;
  crossOriginTokenUrl: string;
}

export interface LoggedRequest {
  route: 'token' | 'exchange';
  method: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

export async function scenario(spec: ScenarioSpec = {}): Promise<Scenario> {
  const response = await fetch('/__backend/scenario', {
    method: 'POST',
    body: JSON.stringify({ ...spec, origin: location.origin }),
  });
  return response.json();
}

export async function requests(s: Scenario, route?: 'token' | 'exchange'): Promise<LoggedRequest[]> {
  const log: LoggedRequest[] = await (await fetch(`/__backend/${s.id}/log`)).json();
  return route ? log.filter((entry) => entry.route === route) : log;
}

/** Waits until the backend has seen `count` requests on `route`. */
export async function seen(s: Scenario, route: 'token' | 'exchange', count: number): Promise<void> {
  let last = 0;
  await waitUntil(
    async () => {
      last = (await requests(s, route)).length;
      return last >= count;
    },
    `expected ${count} ${route} requests`,
    {
      timeout: 4000,
      interval: 20,
    },
  ).catch(() => {
    throw new Error(`expected ${count} ${route} request(s), saw ${last}`);
  });
}

export function stateOf(gate: BcCustomerGate, state: string, timeout = 4000): Promise<void> {
  return waitUntil(() => gate.state === state, `gate never reached "${state}" (is "${gate.state}")`, {
    timeout,
    interval: 5,
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Attributes that point a gate at a scenario. */
export function attrs(s: Scenario, clientId = 'test-client'): string {
  return `client-id="${clientId}" endpoint="${s.endpoint}" token-url="${s.tokenUrl}"`;
}

export function gateHtml(s: Scenario, inner = '', extra = ''): string {
  return `<bc-customer-gate ${attrs(s)} ${extra}>${inner}</bc-customer-gate>`;
}

/** Fast backoff for tests; every test restores the defaults afterwards. */
export const FAST: Partial<SessionTiming> = { retryDelay: 1, retries: 2 };

export function useEnvironment(environment: Partial<SessionEnvironment & SessionTiming>): void {
  BcCustomerGate.environment = { ...FAST, ...environment };
}

export function resetEnvironment(): void {
  BcCustomerGate.environment = { ...FAST };
}

/**
 * Records the URL of every fetch() the element makes, from now until the next resetEnvironment().
 * The requests still go over the network. Counts what the element did, where the server's log counts
 * what the browser's network layer sent: Firefox resends a GET on its own when the connection drops.
 */
export function recordFetches(): string[] {
  const calls: string[] = [];
  BcCustomerGate.environment = {
    ...BcCustomerGate.environment,
    fetch: (url, init) => {
      calls.push(url);
      return window.fetch(url, init);
    },
  };
  return calls;
}

/** A clock whose time moves only when the test says so. Timers fire in order as it advances. */
export class FakeClock {
  time = Date.UTC(2030, 0, 1);
  private seq = 0;
  private timers = new Map<number, { at: number; ms: number; callback: () => void }>();

  environment(): Pick<SessionEnvironment, 'now' | 'setTimeout' | 'clearTimeout'> {
    return {
      now: () => this.time,
      setTimeout: (callback, ms) => {
        const id = ++this.seq;
        this.timers.set(id, { at: this.time + ms, ms, callback });
        return id;
      },
      clearTimeout: (id) => void this.timers.delete(id as number),
    };
  }

  /** Delays (as requested) of the timers still pending. */
  pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.ms);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = end;
  }
}

/** Page visibility and lifecycle the test controls, counting its listeners. */
export class FakeVisibility {
  visible = true;
  listeners = new Set<(event: PageEvent, digest?: string) => void>();
  told: string[] = [];

  environment(): Pick<SessionEnvironment, 'visible' | 'watch'> {
    return {
      visible: () => this.visible,
      watch: (callback) => {
        this.listeners.add(callback);
        return { tell: (digest) => void this.told.push(digest), stop: () => void this.listeners.delete(callback) };
      },
    };
  }

  set(visible: boolean): void {
    this.visible = visible;
    this.fire('visibilitychange');
  }

  fire(event: PageEvent, digest?: string): void {
    for (const listener of [...this.listeners]) listener(event, digest);
  }
}

/** The shopper leaves the tab for `ms` on `clock`, then comes back (hidden, time passes, shown). */
export function leaveTab(page: FakeVisibility, clock: FakeClock, ms: number): void {
  page.set(false);
  clock.advance(ms);
  page.set(true);
}

/** Real timers, counted: what is still pending after a gate goes away is a leak. */
export class CountedTimers {
  active = new Set<unknown>();

  environment(): Pick<SessionEnvironment, 'setTimeout' | 'clearTimeout'> {
    return {
      setTimeout: (callback, ms) => {
        const handle: ReturnType<typeof setTimeout> = setTimeout(() => {
          this.active.delete(handle);
          callback();
        }, ms);
        this.active.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        this.active.delete(handle);
        clearTimeout(handle as ReturnType<typeof setTimeout>);
      },
    };
  }
}

const EVENT_TYPES = ['bc-verified', 'bc-anonymous', 'bc-denied', 'bc-error'];
const recorded = new WeakMap<EventTarget, CustomEvent[]>();

/** The gate events `target` dispatched since `mount` put it in the page. */
export function eventsOf(target: EventTarget): CustomEvent[] {
  const list = recorded.get(target) ?? [];
  recorded.set(target, list);
  return list;
}

/**
 * Puts `markup` in the page with its events recorded from the very start: a gate may settle before
 * a test could add listeners to it.
 */
export async function mount(markup: string): Promise<HTMLElement> {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  const wrapper = document.createElement('div');
  for (const type of EVENT_TYPES)
    wrapper.addEventListener(type, (event) => void eventsOf(event.target!).push(event as CustomEvent));
  wrapper.innerHTML = markup;
  host.append(wrapper);
  await Promise.all([...wrapper.querySelectorAll('bc-customer-gate')].map((gate) => gate.updateComplete));
  return wrapper;
}

/** Mounts `count` gates on scenario `s`, each with `inner` as its content; see `mount`. */
export async function mountGates(s: Scenario, count: number, inner: string, extra = ''): Promise<BcCustomerGate[]> {
  const container = await mount(Array.from({ length: count }, () => gateHtml(s, inner, extra)).join(''));
  return [...container.querySelectorAll('bc-customer-gate')];
}

/** Mounts one gate; see `mount`. */
export async function mountGate(markup: string): Promise<BcCustomerGate> {
  return (await mount(markup)).querySelector('bc-customer-gate')!;
}

/** Records events of the given types on `target`, in order, from now on. */
export function record(target: EventTarget, types = EVENT_TYPES): CustomEvent[] {
  const events: CustomEvent[] = [];
  for (const type of types) target.addEventListener(type, (event) => events.push(event as CustomEvent));
  return events;
}

/** Captures console.error for the duration of a test, without silencing anything else. */
export function captureErrors(): { messages: string[]; restore(): void } {
  const original = console.error;
  const messages: string[] = [];
  console.error = (...args: unknown[]) => void messages.push(args.map(String).join(' '));
  return {
    messages,
    restore: () => {
      console.error = original;
    },
  };
}

/** The name of the slot the gate renders now. */
export function shownSlot(gate: BcCustomerGate): string | null {
  const slots = gate.shadowRoot!.querySelectorAll('slot');
  if (slots.length !== 1) throw new Error(`expected exactly one slot, found ${slots.length}`);
  return slots[0]!.getAttribute('name') ?? '';
}

/** Whether an element in the gate's light DOM is actually rendered. */
export function rendered(el: Element | null): boolean {
  return !!el && el.checkVisibility() && el.getClientRects().length > 0;
}

/** The fallback slots most tests give a gate; each suite adds its own verified content. */
export const SLOTS = `
  <p slot="loading" id="loading">Checking your account…</p>
  <p slot="anonymous" id="anonymous">Sign in to see your orders.</p>
  <p slot="error" id="error">Could not load this. <button data-bc-retry>Try again</button></p>`;

/** A fresh fake clock and page visibility, installed as every gate's environment along with `timing`. */
export function installFakePage(timing: Partial<SessionTiming> = {}): { clock: FakeClock; page: FakeVisibility } {
  const clock = new FakeClock();
  const page = new FakeVisibility();
  useEnvironment({ ...clock.environment(), ...page.environment(), ...timing });
  return { clock, page };
}

/**
 * Uncaught errors and unhandled rejections during each test of the calling suite: the returned
 * array is emptied before each test.
 */
export function collectUncaught(): unknown[] {
  const errors: unknown[] = [];
  const onError = (event: ErrorEvent | PromiseRejectionEvent) =>
    void errors.push('reason' in event ? event.reason : event.error);
  beforeEach(() => {
    errors.length = 0;
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
  });
  afterEach(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onError);
  });
  return errors;
}
