// Each state, the slot it shows, and the exchange statuses that lead to it.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import {
  type BcCustomerGate,
  SLOTS,
  captureErrors,
  eventsOf,
  mountGate,
  gateHtml,
  record,
  recordFetches,
  rendered,
  requests,
  resetEnvironment,
  scenario,
  seen,
  shownSlot,
  stateOf,
  useEnvironment,
  type Scenario,
  type Step,
} from './helpers.js';

const CONTENT = `${SLOTS}
  <p slot="denied" id="denied">Your plan does not include this.</p>
  <p id="plain">Shown only when verified.</p>
  <template><p id="stamped">Welcome back, <span data-bc-field="customer.email"></span></p></template>`;

function gateFor(s: Scenario, extra = ''): Promise<BcCustomerGate> {
  return mountGate(gateHtml(s, CONTENT, extra));
}

const VISIBLE_IN: Record<string, string[]> = {
  loading: ['loading'],
  verified: ['plain', 'stamped'],
  anonymous: ['anonymous'],
  denied: ['denied'],
  error: ['error'],
};

/** Exactly the content of `state` is rendered; nothing else in the light DOM is. */
async function expectShows(gate: BcCustomerGate, state: string): Promise<void> {
  await gate.updateComplete;
  expect(gate.state).to.equal(state);
  expect(gate.getAttribute('state')).to.equal(state);
  expect(shownSlot(gate)).to.equal(state === 'verified' ? '' : state);
  for (const id of ['loading', 'anonymous', 'denied', 'error', 'plain', 'stamped']) {
    const shouldShow = VISIBLE_IN[state]!.includes(id);
    expect(rendered(gate.querySelector(`#${id}`)), `#${id} in ${state}`).to.equal(shouldShow);
  }
}

describe('states and slots', () => {
  beforeEach(() => resetEnvironment());

  it('shows the loading slot with aria-busy while verifying, then the default slot when verified', async () => {
    const s = await scenario({ exchange: [{ delay: 300 }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'loading');
    await expectShows(gate, 'loading');
    expect(gate.getAttribute('aria-busy')).to.equal('true');
    // No live region on the host: it would read the whole revealed content aloud.
    expect(gate.hasAttribute('aria-live')).to.equal(false);
    await stateOf(gate, 'verified');
    await expectShows(gate, 'verified');
    expect(gate.hasAttribute('aria-busy')).to.equal(false);
    expect(gate.querySelector('#stamped')!.textContent).to.equal('Welcome back, shopper@example.com');
  });

  it('keeps an author-set aria-live', async () => {
    const s = await scenario();
    const gate = await gateFor(s, 'aria-live="assertive"');
    await stateOf(gate, 'verified');
    expect(gate.getAttribute('aria-live')).to.equal('assertive');
  });

  it('404 from the token route: anonymous, and no exchange at all', async () => {
    const s = await scenario({ token: [{ status: 404, body: 'Not Found', type: 'text/plain' }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'anonymous');
    await expectShows(gate, 'anonymous');
    expect(await requests(s, 'exchange')).to.have.length(0);
  });

  it('401 expired: fetches one fresh token, retries once with it, and is verified', async () => {
    const s = await scenario({
      token: [{ body: 'old.token.1' }, { body: 'fresh.token.2' }],
      exchange: [{ status: 401, body: { error: 'invalid_token', code: 'expired' } }, {}],
    });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    await expectShows(gate, 'verified');
    const exchanges = await requests(s, 'exchange');
    expect(exchanges.map((r) => r.body)).to.deep.equal(['old.token.1', 'fresh.token.2']);
    expect(await requests(s, 'token')).to.have.length(2);
  });

  it('401 expired twice: denied after exactly one renewal', async () => {
    const s = await scenario({ exchange: [{ status: 401, body: { error: 'invalid_token', code: 'expired' } }] });
    const gate = await gateFor(s);
    const events = eventsOf(gate);
    await stateOf(gate, 'denied');
    expect(await requests(s, 'token')).to.have.length(2);
    expect(await requests(s, 'exchange')).to.have.length(2);
    expect(events.map((e) => [e.type, e.detail])).to.deep.equal([
      ['bc-denied', { status: 401, error: 'invalid_token', code: 'expired' }],
    ]);
  });

  for (const [label, step, detail] of [
    [
      '401 signature',
      { status: 401, body: { error: 'invalid_token', code: 'signature' } },
      { status: 401, error: 'invalid_token', code: 'signature' },
    ],
    ['401 without a JSON body', { status: 401, body: 'nope', type: 'text/plain' }, { status: 401 }],
    ['403 forbidden', { status: 403, body: { error: 'forbidden' } }, { status: 403, error: 'forbidden' }],
  ] as [string, Step, object][]) {
    it(`${label}: denied, without retrying`, async () => {
      const s = await scenario({ exchange: [step] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'denied');
      await expectShows(gate, 'denied');
      expect(events.map((e) => [e.type, e.detail])).to.deep.equal([['bc-denied', detail]]);
      expect(await requests(s, 'exchange')).to.have.length(1);
      expect(await requests(s, 'token')).to.have.length(1);
    });
  }

  for (const status of [400, 405, 413, 415, 404]) {
    it(`${status} from the exchange: error at once, no retries`, async () => {
      const s = await scenario({ exchange: [{ status, body: { error: 'bad_request' } }] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'error');
      await expectShows(gate, 'error');
      expect(await requests(s, 'exchange')).to.have.length(1);
      expect(events).to.have.length(1);
      expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'status', status });
    });
  }

  it('500: retries with backoff, then error', async () => {
    const s = await scenario({ exchange: [{ status: 500, body: { error: 'server_error' } }] });
    const gate = await gateFor(s);
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    expect(await requests(s, 'exchange')).to.have.length(3);
    expect(events.map((e) => e.type)).to.deep.equal(['bc-error']);
    expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'status', status: 500 });
  });

  it('503 then 200: the retry succeeds', async () => {
    const s = await scenario({ exchange: [{ status: 503 }, { status: 502 }, {}] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    expect(await requests(s, 'exchange')).to.have.length(3);
  });

  it('429: retried like a 5xx', async () => {
    const s = await scenario({ exchange: [{ status: 429 }, {}] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('a bounded number of retries: `retries` 0 means one attempt', async () => {
    useEnvironment({ retries: 0 });
    const s = await scenario({ exchange: [{ status: 500 }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'error');
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('a network error on the exchange: retries, then error', async () => {
    const errors = captureErrors();
    try {
      const s = await scenario({ exchange: [{ drop: true }] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'error');
      expect(await requests(s, 'exchange')).to.have.length(3);
      expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'network' });
      expect(events[0]!.detail.cause).to.be.instanceOf(TypeError);
    } finally {
      errors.restore();
    }
  });

  it('a network error on the token route: retries, then error', async () => {
    const s = await scenario({ token: [{ drop: true }] });
    const fetches = recordFetches();
    // Served by the second origin, which never reuses a connection (see backend.mjs).
    const gate = await mountGate(
      `<bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.crossOriginTokenUrl}">${CONTENT}</bc-customer-gate>`,
    );
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    // The element's own attempts: the first and two retries. The server may see more, since Firefox
    // resends a GET whose connection dropped before deciding it failed (one of ours became ten there).
    expect(fetches.filter((url) => url.startsWith(s.crossOriginTokenUrl))).to.have.length(3);
    expect(await requests(s, 'token')).to.have.length.of.at.least(3);
    expect(fetches.filter((url) => url.startsWith(s.endpoint))).to.have.length(0);
    expect(await requests(s, 'exchange')).to.have.length(0);
    expect(events[0]!.detail).to.include({ stage: 'token', reason: 'network' });
  });

  it('token route 500: retries, then error; 403: error at once', async () => {
    const a = await scenario({ token: [{ status: 500 }] });
    const gateA = await gateFor(a);
    await stateOf(gateA, 'error');
    expect(await requests(a, 'token')).to.have.length(3);

    const b = await scenario({ token: [{ status: 403 }] });
    const gateB = await gateFor(b);
    await stateOf(gateB, 'error');
    expect(await requests(b, 'token')).to.have.length(1);
    expect(await requests(b, 'exchange')).to.have.length(0);
  });

  it('timeout: a request slower than `timeout` ms is abandoned, retried, then error', async () => {
    const s = await scenario({ exchange: [{ delay: 2000 }] });
    const gate = await gateFor(s, 'timeout="80"');
    const events = eventsOf(gate);
    const started = performance.now();
    await stateOf(gate, 'error');
    expect(performance.now() - started).to.be.below(1500);
    expect(await requests(s, 'exchange')).to.have.length(3);
    expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'timeout' });
  });

  it('a slow request within `timeout` is not abandoned', async () => {
    const s = await scenario({ exchange: [{ delay: 150 }] });
    const gate = await gateFor(s, 'timeout="2000"');
    await stateOf(gate, 'verified');
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  for (const [label, step] of [
    ['malformed JSON', { body: '{"customer": {', type: 'application/json' }],
    ['JSON without a customer', { body: { storeHash: 'abc123' } }],
    ['JSON null', { body: 'null', type: 'application/json' }],
  ] as [string, Step][]) {
    it(`200 with ${label}: error, fail closed`, async () => {
      const s = await scenario({ exchange: [step] });
      const gate = await gateFor(s);
      const events = eventsOf(gate);
      await stateOf(gate, 'error');
      await expectShows(gate, 'error');
      expect(events[0]!.detail).to.include({ stage: 'exchange', reason: 'malformed' });
      expect(await requests(s, 'exchange')).to.have.length(1);
    });
  }

  for (const [label, body] of [
    ['an empty body', ''],
    ['JSON without a token', '{"jwt":"x"}'],
    ['broken JSON', '{"token":'],
    ['an oversized token', 'a'.repeat(5000)],
  ] as [string, string][]) {
    it(`token route 200 with ${label}: error, no exchange`, async () => {
      const s = await scenario({ token: [{ body, type: 'text/plain' }] });
      const gate = await gateFor(s);
      await stateOf(gate, 'error');
      expect(await requests(s, 'exchange')).to.have.length(0);
    });
  }

  it('token route answering JSON {"token"}: the token inside is exchanged', async () => {
    const s = await scenario({ token: [{ body: { token: 'json.wrapped.token' } }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    expect((await requests(s, 'exchange'))[0]!.body).to.equal('json.wrapped.token');
  });

  it('the retry button in the error slot calls refresh()', async () => {
    const s = await scenario({ exchange: [{ status: 400 }, {}] });
    const gate = await gateFor(s);
    const events = eventsOf(gate);
    await stateOf(gate, 'error');
    gate.querySelector<HTMLButtonElement>('[data-bc-retry]')!.click();
    expect(gate.state).to.equal('loading');
    await stateOf(gate, 'verified');
    await expectShows(gate, 'verified');
    expect(events.map((e) => e.type)).to.deep.equal(['bc-error', 'bc-verified']);
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('a [data-bc-retry] outside the error state does nothing', async () => {
    const s = await scenario();
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    gate.querySelector<HTMLButtonElement>('[data-bc-retry]')!.click();
    expect(gate.state).to.equal('verified');
    await seen(s, 'exchange', 1);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });
});

describe('events', () => {
  beforeEach(() => resetEnvironment());

  it('bc-verified: once, bubbling and composed, with the server response as detail', async () => {
    const response = {
      customer: { id: 7, email: 'a@example.com', groupId: null },
      storeHash: 'abc123',
      expiresAt: Math.floor(Date.now() / 1000) + 900,
      data: { plan: 'gold' },
    };
    const s = await scenario({ exchange: [{ body: response }] });
    const atDocument = record(document);
    const gate = await gateFor(s);
    await stateOf(gate, 'verified');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mine = eventsOf(gate);
    expect(atDocument.filter((e) => e.target === gate)).to.deep.equal(mine);
    expect(mine.map((e) => e.type)).to.deep.equal(['bc-verified']);
    expect(mine[0]!.bubbles).to.equal(true);
    expect(mine[0]!.composed).to.equal(true);
    expect(mine[0]!.detail).to.deep.equal(response);
  });

  it('crosses a shadow root (composed)', async () => {
    const s = await scenario({ token: [{ status: 404 }] });
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const root = host.attachShadow({ mode: 'open' });
    const events = record(host);
    // The gate connects with the innerHTML assignment, after the listener is in place.
    root.innerHTML = gateHtml(s);
    await stateOf(root.querySelector('bc-customer-gate')!, 'anonymous');
    expect(events.map((e) => e.type)).to.deep.equal(['bc-anonymous']);
    expect(events[0]!.detail).to.equal(null);
  });

  it('refresh(): loading again, then a new transition and a new event', async () => {
    const s = await scenario({ exchange: [{}, { status: 403, body: { error: 'forbidden' } }, {}] });
    const gate = await gateFor(s);
    const events = eventsOf(gate);
    await stateOf(gate, 'verified');
    gate.refresh();
    expect(gate.state).to.equal('loading');
    expect(rendered(gate.querySelector('#stamped'))).to.equal(false);
    await stateOf(gate, 'denied');
    expect(gate.querySelector('#stamped')).to.equal(null);
    gate.refresh();
    await stateOf(gate, 'verified');
    expect(events.map((e) => e.type)).to.deep.equal(['bc-verified', 'bc-denied', 'bc-verified']);
    expect(await requests(s, 'exchange')).to.have.length(3);
  });

  it('refresh() while loading joins the request in flight', async () => {
    const s = await scenario({ exchange: [{ delay: 200 }] });
    const gate = await gateFor(s);
    await stateOf(gate, 'loading');
    gate.refresh();
    gate.refresh();
    await stateOf(gate, 'verified');
    expect(await requests(s, 'token')).to.have.length(1);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });
});
