// Fault injection in real Chromium: a storefront that hangs, an app backend that answers garbage,
// HTML where JSON was promised, a redirect or no CORS headers, rate limiting, a sign-out racing a
// refresh, and gates removed mid-request. Each must fail closed (the error or anonymous slot, never
// the verified content), say what to fix at most once, and leave nothing running behind. The hints
// are the development build's, which this file loads as its entry points do.
import { expect } from '@open-wc/testing';
import '../../src/element/hints.js';
import {
  type BcCustomerGate,
  collectUncaught,
  SLOTS,
  eventsOf,
  gateHtml,
  mount,
  mountGate,
  rendered,
  requests,
  resetEnvironment,
  scenario,
  seen,
  shownSlot,
  sleep,
  stateOf,
  useEnvironment,
  type Scenario,
  type Step,
} from './helpers.js';

const CONTENT = `${SLOTS}
  <template><p class="secret">Orders of <span data-bc-field="customer.email"></span>: <b data-bc-field="data.secret"></b></p></template>`;

function verified(secret: string): Step {
  return {
    body: {
      customer: { id: 7, email: 'shopper@example.com', groupId: null },
      storeHash: 'abc123',
      expiresAt: Math.floor(Date.now() / 1000) + 900,
      data: { secret },
    },
  };
}

function gateFor(s: Scenario, extra = ''): Promise<BcCustomerGate> {
  return mountGate(gateHtml(s, CONTENT, extra));
}

/** Every console message the page prints while a test runs (all levels), still passed through. */
function captureConsole(): { messages: string[]; restore(): void } {
  const levels = ['error', 'warn', 'log', 'info', 'debug'] as const;
  const originals = levels.map((level) => console[level]);
  const messages: string[] = [];
  levels.forEach((level, i) => {
    console[level] = (...args: unknown[]) => {
      messages.push(args.map(String).join(' '));
      originals[i]!.apply(console, args);
    };
  });
  return {
    messages,
    restore: () => {
      levels.forEach((level, i) => {
        console[level] = originals[i]!;
      });
    },
  };
}

/** Fails closed: the error slot is the one rendered, and no verified content is in the page. */
async function expectErrorSlot(gate: BcCustomerGate): Promise<void> {
  await gate.updateComplete;
  expect(gate.state).to.equal('error');
  expect(shownSlot(gate)).to.equal('error');
  expect(rendered(gate.querySelector('#error'))).to.equal(true);
  expect(gate.querySelector('.secret')).to.equal(null);
}

describe('faults: a storefront or backend that never answers', () => {
  afterEach(() => resetEnvironment());

  it('a hung token route: each attempt times out, then the error slot, with no verified content ever', async () => {
    useEnvironment({ retries: 2 });
    const s = await scenario({ token: [{ delay: 3000 }] });
    const started = performance.now();
    const gate = await gateFor(s, 'timeout="150"');
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    const took = performance.now() - started;
    await expectErrorSlot(gate);
    expect(events.map((e) => e.type)).to.deep.equal(['bc-error']);
    expect(events[0]!.detail).to.include({ stage: 'token', reason: 'timeout' });
    // Three attempts of 150 ms each, abandoned: not the 3 s the storefront would have taken.
    expect(took).to.be.within(3 * 150, 2900);
    expect(await requests(s, 'token')).to.have.length(3);
    expect(await requests(s, 'exchange')).to.have.length(0);
  });

  it('a hung exchange: times out, then the error slot', async () => {
    useEnvironment({ retries: 1 });
    const s = await scenario({ exchange: [{ delay: 3000 }] });
    const gate = await gateFor(s, 'timeout="150"');
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    await expectErrorSlot(gate);
    expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'timeout' });
    expect(await requests(s, 'exchange')).to.have.length(2);
  });
});

describe('faults: a backend that answers the wrong thing', () => {
  let console: ReturnType<typeof captureConsole>;
  beforeEach(() => {
    console = captureConsole();
  });
  afterEach(() => {
    console.restore();
    resetEnvironment();
  });

  /** The gate printed exactly one message; it names `fixes` and not the token it sent. */
  async function expectOneHint(s: Scenario, ...fixes: string[]): Promise<void> {
    expect(console.messages, console.messages.join('\n')).to.have.length(1);
    const [message] = console.messages as [string];
    expect(message).to.match(/^<bc-customer-gate>: /);
    for (const fix of fixes) expect(message).to.include(fix);
    const [exchange] = await requests(s, 'exchange');
    expect(exchange!.body).to.match(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(message).to.not.include(exchange!.body);
  }

  for (const [label, step] of [
    ['garbage', { body: 'Ok\u0000\ufffd }{ not json', type: 'application/json' }],
    [
      'HTML although it said application/json',
      { body: '<!doctype html><title>Sign in</title><form>…</form>', type: 'application/json; charset=utf-8' },
    ],
  ] as [string, Step][]) {
    it(`200 with ${label}: the error slot and one message that says to point endpoint at the handler`, async () => {
      const s = await scenario({ exchange: [step] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'error');
      await expectErrorSlot(gate);
      expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'malformed', status: 200 });
      await expectOneHint(s, 'endpoint', s.endpoint);
      // A malformed answer is not retried: it would only come back the same.
      expect(await requests(s, 'exchange')).to.have.length(1);
    });
  }

  for (const status of [302, 307]) {
    it(`a ${status} redirect: not followed (the token goes nowhere else), the error slot, one message`, async () => {
      // Where the redirect points answers like a working endpoint, so following it would "verify".
      const target = await scenario({ exchange: [verified('followed')] });
      const s = await scenario({ exchange: [{ status, headers: { Location: target.endpoint } }] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'error');
      await expectErrorSlot(gate);
      expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'redirect' });
      await expectOneHint(s, 'redirect', 'endpoint');
      expect(await requests(s, 'exchange')).to.have.length(1);
      await sleep(50);
      expect(await requests(target, 'exchange')).to.have.length(0);
    });
  }

  it('no CORS headers (a real cross-origin server): the error slot and one message naming origins', async () => {
    const s = await scenario({ cors: false });
    expect(new URL(s.endpoint).origin).to.not.equal(location.origin);
    const gate = await gateFor(s);
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    await expectErrorSlot(gate);
    expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'network' });
    // The request did reach the server: only the browser refused to hand over the answer.
    expect((await requests(s, 'exchange')).length).to.be.greaterThan(0);
    await expectOneHint(s, 'origins', location.origin, new URL(s.endpoint).origin);
  });

  it('three gates on one misconfigured endpoint still print one message', async () => {
    const s = await scenario({ exchange: [{ body: 'nope', type: 'application/json' }] });
    const container = await mount(gateHtml(s, CONTENT).repeat(3));
    const gates = [...container.querySelectorAll<BcCustomerGate>('bc-customer-gate')];
    expect(gates).to.have.length(3);
    for (const gate of gates) await stateOf(gate, 'error');
    await expectOneHint(s, 'endpoint');
  });
});

describe('faults: rate limiting', () => {
  afterEach(() => resetEnvironment());

  it('429 with Retry-After: 1 waits at least a second (not the 1 ms backoff), then verifies', async () => {
    useEnvironment({ retryDelay: 1 });
    const s = await scenario({ exchange: [{ status: 429, headers: { 'Retry-After': '1' } }, verified('after-wait')] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified', 4000);
    // The backend stamps each request with its arrival time (backend.mjs).
    const [first, second] = (await requests(s, 'exchange')) as unknown as Array<{ at: number }>;
    expect(second!.at - first!.at).to.be.at.least(1000);
    expect(gate.querySelector('b')!.textContent).to.equal('after-wait');
  });
});

describe('faults: sign-out racing a refresh', () => {
  afterEach(() => resetEnvironment());

  /** Watches the gate from now on: every frame, and every insertion of verified content. */
  function watch(gate: BcCustomerGate) {
    const seen = { renderedFrames: 0, inserted: [] as string[] };
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes)
          if (node.textContent?.includes('Orders of')) seen.inserted.push(node.textContent);
      }
    });
    observer.observe(gate, { childList: true, subtree: true });
    let running = true;
    const frame = () => {
      if (!running) return;
      if (rendered(gate.querySelector('.secret'))) seen.renderedFrames++;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    return {
      seen,
      stop: () => {
        running = false;
        observer.disconnect();
      },
    };
  }

  it('refresh() while signed out elsewhere: loading, then anonymous; the content never shows again', async () => {
    const s = await scenario({ token: [{}, { delay: 300, status: 404 }], exchange: [verified('first')] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    expect(rendered(gate.querySelector('.secret'))).to.equal(true);
    const events = eventsOf(gate);
    events.length = 0;
    gate.refresh();
    const watcher = watch(gate);
    await gate.updateComplete;
    expect(gate.state).to.equal('loading');
    // Hidden at once (kept unassigned in case the answer is the same), removed once it is not.
    expect(rendered(gate.querySelector('.secret'))).to.equal(false);
    await stateOf(gate, 'anonymous');
    expect(gate.querySelector('.secret')).to.equal(null);
    await sleep(50);
    watcher.stop();
    expect(watcher.seen).to.deep.equal({ renderedFrames: 0, inserted: [] });
    expect(events.map((e) => e.type)).to.deep.equal(['bc-anonymous']);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('the page marks the shopper signed out while a refresh is exchanging: its late answer never shows', async () => {
    const s = await scenario({ exchange: [verified('first'), { ...verified('LATE'), delay: 400 }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    const events = eventsOf(gate);
    events.length = 0;
    gate.refresh();
    const watcher = watch(gate);
    await seen(s, 'exchange', 2);
    gate.setAttribute('logged-in', 'false');
    await stateOf(gate, 'anonymous', 100);
    // Past the moment the late answer arrived.
    await sleep(600);
    watcher.stop();
    expect(gate.state).to.equal('anonymous');
    expect(watcher.seen).to.deep.equal({ renderedFrames: 0, inserted: [] });
    expect(events.map((e) => e.type)).to.deep.equal(['bc-anonymous']);
  });

  it('signed out between the token and the exchange: the server refuses the token and nothing shows', async () => {
    const s = await scenario({
      exchange: [verified('first'), { status: 401, body: { error: 'invalid_token', code: 'signature' }, delay: 200 }],
    });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    gate.refresh();
    const watcher = watch(gate);
    await stateOf(gate, 'denied');
    watcher.stop();
    expect(watcher.seen).to.deep.equal({ renderedFrames: 0, inserted: [] });
  });
});

/**
 * What the element leaves scheduled or listening, measured on the real browser APIs: window's
 * setTimeout/clearTimeout, EventTarget's add/removeEventListener and fetch are wrapped (each still
 * does its job) and calls made from the element's own modules are counted. Nothing in the element
 * is replaced.
 */
class Ledger {
  readonly timers = new Set<number>();
  readonly listeners = new Set<{ target: EventTarget; type: string; listener: unknown; capture: boolean }>();
  readonly fetches = { started: 0, settled: 0, aborted: 0 };
  /** BroadcastChannels the element opened and has not closed. */
  readonly channels = new Set<BroadcastChannel>();
  #restore: Array<() => void> = [];

  static #fromElement(): boolean {
    return /\/src\/element\//.test(new Error().stack ?? '');
  }

  install(): this {
    const ledger = this;
    const { setTimeout: realSet, clearTimeout: realClear, fetch: realFetch } = window;
    const proto = EventTarget.prototype;
    const { addEventListener: realAdd, removeEventListener: realRemove } = proto;

    window.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
      const tracked = Ledger.#fromElement();
      const id: number = realSet(
        (...callArgs: unknown[]) => {
          ledger.timers.delete(id);
          if (typeof handler === 'function') handler(...callArgs);
        },
        ms,
        ...args,
      );
      if (tracked) ledger.timers.add(id);
      return id;
    }) as typeof window.setTimeout;
    window.clearTimeout = ((id?: number) => {
      if (id !== undefined) ledger.timers.delete(id);
      realClear(id);
    }) as typeof window.clearTimeout;
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const tracked = Ledger.#fromElement();
      const pending = realFetch(input, init);
      if (!tracked) return pending;
      ledger.fetches.started++;
      pending.then(
        () => void ledger.fetches.settled++,
        (error: unknown) => {
          ledger.fetches.settled++;
          if ((error as Error)?.name === 'AbortError') ledger.fetches.aborted++;
        },
      );
      return pending;
    };
    const RealChannel = window.BroadcastChannel;
    const realClose = RealChannel.prototype.close;
    window.BroadcastChannel = class extends RealChannel {
      constructor(name: string) {
        super(name);
        if (Ledger.#fromElement()) ledger.channels.add(this);
      }
    };
    RealChannel.prototype.close = function (this: BroadcastChannel) {
      ledger.channels.delete(this);
      realClose.call(this);
    };
    const captureOf = (options?: boolean | AddEventListenerOptions) =>
      typeof options === 'boolean' ? options : !!options?.capture;
    const find = (target: EventTarget, type: string, listener: unknown, capture: boolean) =>
      [...ledger.listeners].find(
        (l) => l.target === target && l.type === type && l.listener === listener && l.capture === capture,
      );
    // A bare addEventListener() call is the window's, with `this` undefined in a module.
    proto.addEventListener = function (
      this: EventTarget | undefined,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | AddEventListenerOptions,
    ) {
      const target = this ?? window;
      realAdd.call(target, type, listener, options);
      // Listeners on a gate itself go away with the element; what matters is everything else.
      if (!listener || target instanceof HTMLElement || !Ledger.#fromElement()) return;
      const capture = captureOf(options);
      if (find(target, type, listener, capture)) return;
      const entry = { target, type, listener, capture };
      ledger.listeners.add(entry);
      // A `once` listener removes itself when it fires.
      if (typeof options === 'object' && options.once)
        realAdd.call(this, type, () => ledger.listeners.delete(entry), { once: true, capture });
    };
    proto.removeEventListener = function (
      this: EventTarget | undefined,
      type: string,
      listener: EventListenerOrEventListenerObject | null,
      options?: boolean | EventListenerOptions,
    ) {
      const target = this ?? window;
      realRemove.call(target, type, listener, options);
      const entry = find(target, type, listener, captureOf(options));
      if (entry) ledger.listeners.delete(entry);
    };
    this.#restore = [
      () => void Object.assign(window, { setTimeout: realSet, clearTimeout: realClear, fetch: realFetch }),
      () => void Object.assign(proto, { addEventListener: realAdd, removeEventListener: realRemove }),
      () => void Object.assign(window, { BroadcastChannel: RealChannel }),
      () => {
        RealChannel.prototype.close = realClose;
      },
    ];
    return this;
  }

  restore(): void {
    for (const undo of this.#restore) undo();
    this.#restore = [];
  }

  /** Listeners still attached to something that can still fire (an aborted signal never fires again). */
  live(): string[] {
    return [...this.listeners]
      .filter(({ target }) => !(target instanceof AbortSignal && target.aborted))
      .map(({ target, type }) => `${target.constructor.name} ${type}`);
  }
}

describe('faults: gates removed while they work leave nothing behind', () => {
  let ledger: Ledger;
  const errors = collectUncaught();

  beforeEach(() => {
    ledger = new Ledger().install();
    // The real browser environment: no injected timers or visibility.
    resetEnvironment();
  });
  afterEach(() => {
    ledger.restore();
    resetEnvironment();
  });

  it('removed while the exchange is in flight: the fetch is aborted, no timer or listener remains', async () => {
    const s = await scenario({ exchange: [{ ...verified('never'), delay: 400 }] });
    const container = await mount(gateHtml(s, CONTENT).repeat(2));
    const gates = [...container.querySelectorAll<BcCustomerGate>('bc-customer-gate')];
    await seen(s, 'exchange', 1);
    // Measuring works: the request's deadline timer and its abort listener are in the ledger.
    expect(ledger.timers.size).to.equal(1);
    expect(ledger.live()).to.deep.equal([
      'Window visibilitychange',
      'Window pagehide',
      'Window pageshow',
      'AbortSignal abort',
    ]);
    for (const gate of gates) gate.remove();
    await sleep(20);
    expect(ledger.timers.size).to.equal(0);
    expect(ledger.live()).to.deep.equal([]);
    expect(ledger.fetches).to.deep.equal({ started: 2, settled: 2, aborted: 1 });
    await sleep(500);
    for (const gate of gates) {
      expect(eventsOf(gate)).to.deep.equal([]);
      expect(gate.querySelector('.secret')).to.equal(null);
    }
    expect(ledger.timers.size).to.equal(0);
    expect(errors).to.deep.equal([]);
  });

  it('removed while waiting to retry: the backoff timer and its abort listener go', async () => {
    useEnvironment({ retryDelay: 3000, retries: 2 });
    const s = await scenario({ exchange: [{ status: 503 }] });
    const gate = await gateFor(s);
    await seen(s, 'exchange', 1);
    await sleep(30);
    expect(ledger.timers.size).to.equal(1);
    expect(ledger.live()).to.deep.equal([
      'Window visibilitychange',
      'Window pagehide',
      'Window pageshow',
      'AbortSignal abort',
    ]);
    gate.remove();
    await sleep(20);
    expect(ledger.timers.size).to.equal(0);
    expect(ledger.live()).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
  });

  it('removed after verification: the re-verification timer, the lifecycle listeners and the channel go', async () => {
    const s = await scenario({ exchange: [verified('ok')] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    expect(ledger.timers.size).to.equal(1);
    expect(ledger.live()).to.deep.equal(['Window visibilitychange', 'Window pagehide', 'Window pageshow']);
    expect(ledger.channels.size).to.equal(1);
    gate.remove();
    await sleep(20);
    expect(ledger.timers.size).to.equal(0);
    expect(ledger.live()).to.deep.equal([]);
    expect(ledger.channels.size).to.equal(0);
    expect(errors).to.deep.equal([]);
  });
});
