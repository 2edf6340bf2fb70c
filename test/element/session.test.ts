// The shared session: what goes over the wire, how many requests N gates cost, re-verification
// before expiry with a controlled clock, and that gates which go away leave nothing running.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import {
  type BcCustomerGate,
  CountedTimers,
  collectUncaught,
  installFakePage,
  type FakeClock,
  FakeVisibility,
  attrs,
  eventsOf,
  mount,
  mountGates,
  mountGate,
  record,
  requests,
  resetEnvironment,
  scenario,
  seen,
  sleep,
  stateOf,
  useEnvironment,
  type Scenario,
} from './helpers.js';

const TEMPLATE =
  '<template><p class="secret">Hi <span data-bc-field="customer.email"></span> <b data-bc-field="data.n"></b></p></template>';

function verified(email: string, expiresAt: number, n = 1) {
  return { body: { customer: { id: 1, email, groupId: null }, storeHash: 'abc123', expiresAt, data: { n } } };
}

const gates = (s: Scenario, count: number, extra = '') => mountGates(s, count, TEMPLATE, extra);

describe('the wire', () => {
  beforeEach(() => resetEnvironment());

  it('token request: GET with app_client_id, Accept text/plain, and the storefront session cookie', async () => {
    // biome-ignore lint/suspicious/noDocumentCookie: the storefront session cookie, as Stencil sets it
    document.cookie = 'SHOP_SESSION_TOKEN=probe; path=/';
    try {
      const s = await scenario();
      const [gate] = await gates(s, 1);
      await stateOf(gate!, 'verified');
      const [token] = await requests(s, 'token');
      expect(token!.method).to.equal('GET');
      expect(token!.query).to.deep.equal({ app_client_id: 'test-client' });
      expect(token!.headers.accept).to.equal('text/plain');
      expect(token!.headers.cookie).to.include('SHOP_SESSION_TOKEN=probe');
    } finally {
      // biome-ignore lint/suspicious/noDocumentCookie: removes the cookie set above
      document.cookie = 'SHOP_SESSION_TOKEN=; path=/; max-age=0';
    }
  });

  it('a token-url with its own query keeps it and adds app_client_id', async () => {
    const s = await scenario();
    const gate = await mountGate(
      `<bc-customer-gate client-id="abc" endpoint="${s.endpoint}" token-url="${s.tokenUrl}?channel=2"></bc-customer-gate>`,
    );
    await stateOf(gate, 'verified');
    expect((await requests(s, 'token'))[0]!.query).to.deep.equal({ channel: '2', app_client_id: 'abc' });
  });

  it('exchange: a cross-origin simple POST of the raw token, no preflight, no cookies, no custom headers', async () => {
    const s = await scenario({ token: [{ body: 'header.payload.signature' }] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const log = await requests(s, 'exchange');
    // An OPTIONS here would be a preflight: the backend answers it, so it would be logged.
    expect(log.map((r) => r.method)).to.deep.equal(['POST']);
    const [post] = log;
    expect(post!.body).to.equal('header.payload.signature');
    expect(post!.headers['content-type']).to.equal('text/plain;charset=UTF-8');
    expect(post!.headers.origin).to.equal(location.origin);
    expect(post!.headers.cookie).to.equal(undefined);
    expect(post!.headers.authorization).to.equal(undefined);
    expect(Object.keys(post!.headers).filter((name) => name.startsWith('x-'))).to.deep.equal([]);
    // The backend never sends Access-Control-Allow-Credentials, so a credentialed request would
    // have failed CORS: reaching `verified` shows the exchange went without credentials.
  });
});

describe('one session per page', () => {
  beforeEach(() => resetEnvironment());

  it('N gates with the same token URL, client ID and endpoint: one token request, one exchange', async () => {
    const s = await scenario({ exchange: [{ delay: 50 }] });
    const all = await gates(s, 6);
    for (const gate of all) await stateOf(gate, 'verified');
    for (const gate of all) expect(gate.querySelector('.secret')!.textContent).to.equal('Hi shopper@example.com ');
    await sleep(50);
    expect(await requests(s, 'token')).to.have.length(1);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('every gate fires its own event once', async () => {
    const s = await scenario();
    const all = await gates(s, 3);
    const events = all.map((gate) => eventsOf(gate));
    for (const gate of all) await stateOf(gate, 'verified');
    expect(events.map((list) => list.map((e) => e.type))).to.deep.equal([
      ['bc-verified'],
      ['bc-verified'],
      ['bc-verified'],
    ]);
  });

  it('a gate added later gets the known result without new requests', async () => {
    const s = await scenario();
    const [first] = await gates(s, 1);
    await stateOf(first!, 'verified');
    const late = document.createElement('bc-customer-gate');
    late.innerHTML = TEMPLATE;
    for (const [name, value] of [
      ['client-id', 'test-client'],
      ['endpoint', s.endpoint],
      ['token-url', s.tokenUrl],
    ]) {
      late.setAttribute(name!, value!);
    }
    const events = record(late);
    first!.after(late);
    expect(late.state).to.equal('verified');
    expect(late.querySelector('.secret')!.textContent).to.equal('Hi shopper@example.com ');
    expect(events.map((e) => e.type)).to.deep.equal(['bc-verified']);
    await sleep(50);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('a gate added while the first is loading joins the request in flight', async () => {
    const s = await scenario({ exchange: [{ delay: 200 }] });
    const [first] = await gates(s, 1);
    await seen(s, 'token', 1);
    const late = document.createElement('bc-customer-gate');
    late.setAttribute('client-id', 'test-client');
    late.setAttribute('endpoint', s.endpoint);
    late.setAttribute('token-url', s.tokenUrl);
    first!.after(late);
    expect(late.state).to.equal('loading');
    await stateOf(late, 'verified');
    expect(await requests(s, 'token')).to.have.length(1);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('a different client ID is a different session', async () => {
    const s = await scenario();
    const container = await mount(
      `<bc-customer-gate ${attrs(s, 'one')}></bc-customer-gate><bc-customer-gate ${attrs(s, 'two')}></bc-customer-gate>`,
    );
    for (const gate of container.querySelectorAll('bc-customer-gate')) await stateOf(gate, 'verified');
    const tokens = await requests(s, 'token');
    expect(tokens.map((r) => r.query.app_client_id).sort()).to.deep.equal(['one', 'two']);
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('logged-in="false": anonymous with zero requests', async () => {
    const s = await scenario();
    const [gate] = await gates(s, 1, 'logged-in="false"');
    expect(gate!.state).to.equal('anonymous');
    await sleep(150);
    expect(await requests(s)).to.deep.equal([]);
    // Control: the same scenario does answer a gate without the hint.
    const [other] = await gates(s, 1);
    await stateOf(other!, 'verified');
    expect(await requests(s)).to.have.length(2);
  });

  it('a gate moved within the page keeps its session and costs no requests', async () => {
    const s = await scenario();
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const elsewhere = await fixture<HTMLDivElement>(html`<div></div>`);
    elsewhere.append(gate!);
    await sleep(50);
    expect(gate!.state).to.equal('verified');
    expect(gate!.querySelector('.secret')).to.not.equal(null);
    expect(await requests(s)).to.have.length(2);
  });

  it('changing an attribute starts over with the new configuration', async () => {
    const a = await scenario();
    const b = await scenario({ token: [{ status: 404 }] });
    const [gate] = await gates(a, 1);
    await stateOf(gate!, 'verified');
    gate!.setAttribute('token-url', b.tokenUrl);
    await stateOf(gate!, 'anonymous');
    expect(gate!.querySelector('.secret')).to.equal(null);
    expect(await requests(b, 'token')).to.have.length(1);
  });
});

describe('gates that go away', () => {
  const errors = collectUncaught();
  afterEach(() => resetEnvironment());

  it('removed mid-flight: the request is abandoned and no timer, listener or error remains', async () => {
    const timers = new CountedTimers();
    const visibility = new FakeVisibility();
    useEnvironment({ ...timers.environment(), ...visibility.environment() });
    const s = await scenario({ exchange: [{ delay: 300 }] });
    const all = await gates(s, 2);
    const events = all.map((gate) => eventsOf(gate));
    await seen(s, 'exchange', 1);
    expect(timers.active.size).to.equal(1); // the exchange's timeout
    for (const gate of all) gate.remove();
    await sleep(0);
    expect(timers.active.size).to.equal(0);
    expect(visibility.listeners.size).to.equal(0);
    await sleep(400);
    expect(events.flat()).to.deep.equal([]);
    for (const gate of all) {
      expect(gate.state).to.equal('loading');
      expect(gate.querySelector('.secret')).to.equal(null);
    }
    expect(errors).to.deep.equal([]);
  });

  it('removed while waiting to retry: the backoff timer is cleared', async () => {
    const timers = new CountedTimers();
    useEnvironment({ ...timers.environment(), retryDelay: 5000 });
    const s = await scenario({ exchange: [{ status: 503 }] });
    const [gate] = await gates(s, 1);
    await seen(s, 'exchange', 1);
    await sleep(30);
    expect(timers.active.size).to.equal(1); // the backoff
    gate!.remove();
    await sleep(0);
    expect(timers.active.size).to.equal(0);
    expect(errors).to.deep.equal([]);
  });

  it('removed after verification: the re-verification timer and visibility listener go too', async () => {
    const timers = new CountedTimers();
    const visibility = new FakeVisibility();
    useEnvironment({ ...timers.environment(), ...visibility.environment() });
    const s = await scenario();
    const all = await gates(s, 3);
    for (const gate of all) await stateOf(gate, 'verified');
    expect(timers.active.size).to.equal(1);
    expect(visibility.listeners.size).to.equal(1);
    all[0]!.remove();
    all[1]!.remove();
    await sleep(0);
    // One subscriber left: the session keeps running.
    expect(timers.active.size).to.equal(1);
    all[2]!.remove();
    await sleep(0);
    expect(timers.active.size).to.equal(0);
    expect(visibility.listeners.size).to.equal(0);
  });

  it('a removed gate that returns starts a new session', async () => {
    const s = await scenario();
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const parent = gate!.parentElement!;
    gate!.remove();
    await sleep(0);
    parent.append(gate!);
    await stateOf(gate!, 'loading', 100);
    await stateOf(gate!, 'verified');
    expect(await requests(s, 'exchange')).to.have.length(2);
  });
});

describe('expiry and re-verification (controlled clock)', () => {
  let clock: FakeClock;
  let visibility: FakeVisibility;
  const seconds = () => Math.floor(clock.time / 1000);

  beforeEach(() => {
    ({ clock, page: visibility } = installFakePage({ refreshBefore: 60_000 }));
  });
  afterEach(() => resetEnvironment());

  async function verifiedGate(s: Scenario): Promise<BcCustomerGate> {
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    return gate!;
  }

  it('verifies again 60 s before expiresAt, in the background, and shows the new data', async () => {
    const s = await scenario({
      exchange: [verified('a@example.com', seconds() + 900, 1), verified('a@example.com', seconds() + 1800, 2)],
    });
    const gate = await verifiedGate(s);
    const events = record(gate);
    expect(gate.querySelector('b')!.textContent).to.equal('1');
    expect(clock.pending()).to.deep.equal([840_000]);
    clock.advance(839_999);
    await sleep(50);
    expect(await requests(s, 'exchange')).to.have.length(1);
    clock.advance(1);
    // Background re-verification: the content stays while it runs.
    expect(gate.state).to.equal('verified');
    await seen(s, 'exchange', 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gate.state).to.equal('verified');
    expect(gate.querySelector('b')!.textContent).to.equal('2');
    expect(await requests(s, 'token')).to.have.length(2);
    // Same state, so no new event; the next check is scheduled from the new expiry.
    expect(events).to.deep.equal([]);
    // New expiry 1800 s after the start, now 840 s in, 60 s early: 900 s from now.
    expect(clock.pending()).to.deep.equal([900_000]);
  });

  it('a customer who signed out elsewhere loses the content at re-verification', async () => {
    const s = await scenario({ token: [{}, { status: 404 }], exchange: [verified('a@example.com', seconds() + 900)] });
    const gate = await verifiedGate(s);
    const events = record(gate);
    expect(gate.querySelector('.secret')).to.not.equal(null);
    clock.advance(840_000);
    await stateOf(gate, 'anonymous');
    expect(gate.querySelector('.secret')).to.equal(null);
    expect(events.map((e) => e.type)).to.deep.equal(['bc-anonymous']);
    expect(clock.pending()).to.deep.equal([]);
  });

  it('a failed re-verification fails closed', async () => {
    const s = await scenario({ exchange: [verified('a@example.com', seconds() + 900), { status: 403 }] });
    const gate = await verifiedGate(s);
    clock.advance(840_000);
    await stateOf(gate, 'denied');
    expect(gate.querySelector('.secret')).to.equal(null);
  });

  it('a hidden page waits; returning after expiry verifies at once', async () => {
    const s = await scenario({ token: [{}, { status: 404 }], exchange: [verified('a@example.com', seconds() + 900)] });
    const gate = await verifiedGate(s);
    visibility.set(false);
    clock.advance(2 * 3600_000);
    await sleep(50);
    expect(await requests(s, 'token')).to.have.length(1);
    expect(gate.state).to.equal('verified');
    visibility.set(true);
    await stateOf(gate, 'anonymous');
    expect(await requests(s, 'token')).to.have.length(2);
  });

  it('returning to the tab within staleAfter, before the re-verification is due, sends nothing', async () => {
    const s = await scenario({ exchange: [verified('a@example.com', seconds() + 900)] });
    await verifiedGate(s);
    visibility.set(false);
    clock.advance(5_000);
    visibility.set(true);
    await sleep(50);
    expect(await requests(s)).to.have.length(2);
  });

  it('429 with Retry-After: waits exactly that long before retrying', async () => {
    const s = await scenario({
      exchange: [{ status: 429, headers: { 'Retry-After': '7' } }, verified('a@example.com', seconds() + 900)],
    });
    const [gate] = await gates(s, 1);
    await seen(s, 'exchange', 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(clock.pending()).to.deep.equal([7000]);
    clock.advance(6999);
    await sleep(50);
    expect(await requests(s, 'exchange')).to.have.length(1);
    clock.advance(1);
    await stateOf(gate!, 'verified');
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('429 with a Retry-After beyond the longest wait: error now, no retry', async () => {
    const s = await scenario({ exchange: [{ status: 429, headers: { 'Retry-After': '3600' } }] });
    const [gate] = await gates(s, 1);
    const events = eventsOf(gate!);
    await stateOf(gate!, 'error');
    expect(events[0]!.detail).to.include({ reason: 'status', status: 429 });
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('backoff doubles per attempt, with jitter', async () => {
    useEnvironment({
      ...clock.environment(),
      ...visibility.environment(),
      retryDelay: 1000,
      retries: 3,
      random: () => 0,
    });
    const s = await scenario({ exchange: [{ status: 503 }] });
    const [gate] = await gates(s, 1);
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await seen(s, 'exchange', attempt);
      await new Promise((resolve) => setTimeout(resolve, 30));
      waits.push(...clock.pending());
      clock.advance(clock.pending()[0]!);
    }
    // random() = 0 gives the low end of each window: half of 1 s, 2 s, 4 s.
    expect(waits).to.deep.equal([500, 1000, 2000]);
    await stateOf(gate!, 'error');
    expect(await requests(s, 'exchange')).to.have.length(4);
  });
});
