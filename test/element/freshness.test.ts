// Freshness over the page's life: a tab that returns after a while, the back/forward cache, a gate
// joining a stale session, another tab seeing another shopper, and re-checks that keep the nodes.
// The page's visibility and lifecycle events are driven through the session's environment; the
// end-to-end suite covers the same with a real Back and real tabs.
import { expect } from '@open-wc/testing';
import {
  type FakeClock,
  installFakePage,
  type FakeVisibility,
  eventsOf,
  mountGates,
  rendered,
  requests,
  resetEnvironment,
  scenario,
  seen,
  sleep,
  stateOf,
  leaveTab,
  type Scenario,
} from './helpers.js';

const TEMPLATE =
  '<template><p class="secret">Orders of <span data-bc-field="customer.email"></span> <a href="#o">open</a></p></template>';

/** A JWT-shaped token naming `customer` at store `sub`; the element only reads who it names. */
function token(customer: number, sub = 'abc123'): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS512' })}.${part({ sub, customer: { id: customer, email: `c${customer}@example.com` } })}.c2ln`;
}

function answer(email: string, expiresAt: number, data: unknown = { n: 1 }) {
  return { body: { customer: { id: 1, email, groupId: null }, storeHash: 'abc123', expiresAt, data } };
}

const gates = (s: Scenario, count: number) => mountGates(s, count, TEMPLATE);

/** Every node removed from or added to `gate` from now on. */
function mutations(gate: Element): { removed: Node[]; added: Node[]; stop(): void } {
  const seenNodes = { removed: [] as Node[], added: [] as Node[] };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      seenNodes.removed.push(...record.removedNodes);
      seenNodes.added.push(...record.addedNodes);
    }
  });
  observer.observe(gate, { childList: true, subtree: true, characterData: true });
  return { ...seenNodes, stop: () => observer.disconnect() };
}

/** Counts animation frames in which `gate` renders text containing `text`. */
function framesShowing(gate: Element, text: string): { count: number; stop(): void } {
  let running = true;
  const result = {
    count: 0,
    stop: () => {
      running = false;
    },
  };
  const frame = () => {
    if (!running) return;
    for (const el of gate.querySelectorAll('.secret'))
      if (rendered(el) && el.textContent!.includes(text)) result.count++;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  return result;
}

describe('freshness (controlled clock and page lifecycle)', () => {
  let clock: FakeClock;
  let page: FakeVisibility;
  const seconds = () => Math.floor(clock.time / 1000);

  beforeEach(() => {
    ({ clock, page } = installFakePage());
  });
  afterEach(() => resetEnvironment());

  it('a tab back within staleAfter (5 s) sends nothing and keeps its content', async () => {
    const s = await scenario({ exchange: [answer('a@example.com', seconds() + 900)] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    leaveTab(page, clock, 5000);
    await sleep(50);
    expect(gate!.state).to.equal('verified');
    expect(await requests(s)).to.have.length(2);
  });

  it('a tab back after longer: hidden at once, asked again; the same answer keeps the same nodes', async () => {
    const s = await scenario({
      exchange: [
        answer('a@example.com', seconds() + 900),
        { ...answer('a@example.com', seconds() + 1800), delay: 150 },
      ],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const before = gate!.querySelector('.secret');
    const events = eventsOf(gate!);
    events.length = 0;
    page.set(false);
    clock.advance(5001);
    const changes = mutations(gate!);
    page.set(true);
    // From the moment of return until the answer, the old content is not rendered.
    expect(gate!.state).to.equal('loading');
    expect(rendered(before)).to.equal(false);
    await stateOf(gate!, 'verified');
    changes.stop();
    expect(gate!.querySelector('.secret')).to.equal(before);
    expect(rendered(before)).to.equal(true);
    expect(changes.removed).to.deep.equal([]);
    expect(changes.added).to.deep.equal([]);
    expect(await requests(s, 'token')).to.have.length(2);
    expect(await requests(s, 'exchange')).to.have.length(2);
    expect(events.map((e) => e.type)).to.deep.equal(['bc-verified']);
  });

  it('a tab back to another customer shows the new one and never the old after the return', async () => {
    const s = await scenario({
      exchange: [answer('a@example.com', seconds() + 900), { ...answer('b@example.com', seconds() + 900), delay: 100 }],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    leaveTab(page, clock, 60_000);
    const old = framesShowing(gate!, 'a@example.com');
    await seen(s, 'exchange', 2);
    await stateOf(gate!, 'verified');
    await sleep(50);
    old.stop();
    expect(old.count).to.equal(0);
    expect(gate!.querySelectorAll('.secret')).to.have.length(1);
    expect(gate!.querySelector('.secret')!.textContent).to.include('b@example.com');
  });

  it('a tab back after sign-out elsewhere: anonymous, the content removed', async () => {
    const s = await scenario({ token: [{}, { status: 404 }], exchange: [answer('a@example.com', seconds() + 900)] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    leaveTab(page, clock, 60_000);
    await stateOf(gate!, 'anonymous');
    expect(gate!.querySelector('.secret')).to.equal(null);
  });

  it('pagehide into the back/forward cache removes the content before the page is frozen; pageshow asks again', async () => {
    const s = await scenario({ token: [{}, { status: 404 }], exchange: [answer('a@example.com', seconds() + 900)] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    page.fire('pagehide');
    // Synchronously: nothing of the customer is left in the page that gets cached.
    expect(gate!.state).to.equal('idle');
    expect(gate!.querySelector('.secret')).to.equal(null);
    expect(gate!.textContent).to.not.include('a@example.com');
    await sleep(30);
    expect(await requests(s, 'token')).to.have.length(1);
    page.fire('pageshow');
    expect(gate!.state).to.equal('loading');
    await stateOf(gate!, 'anonymous');
    expect(await requests(s, 'token')).to.have.length(2);
  });

  it('pagehide aborts a verification in flight: its answer never shows', async () => {
    const s = await scenario({ exchange: [{ ...answer('a@example.com', seconds() + 900), delay: 200 }] });
    const [gate] = await gates(s, 1);
    await seen(s, 'exchange', 1);
    page.fire('pagehide');
    await sleep(300);
    expect(gate!.state).to.equal('idle');
    expect(gate!.querySelector('.secret')).to.equal(null);
  });

  it('a gate joining a session whose answer predates a long hide asks again instead of reusing it', async () => {
    const s = await scenario({
      exchange: [answer('a@example.com', seconds() + 900), answer('b@example.com', seconds() + 900)],
    });
    const [first] = await gates(s, 1);
    await stateOf(first!, 'verified');
    page.set(false);
    clock.advance(30_000);
    const [late] = await gates(s, 1);
    expect(late!.state).to.equal('loading');
    await stateOf(late!, 'verified');
    expect(late!.querySelector('.secret')!.textContent).to.include('b@example.com');
    expect(first!.querySelector('.secret')!.textContent).to.include('b@example.com');
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('a gate joining a fresh session reuses its answer', async () => {
    const s = await scenario({ exchange: [answer('a@example.com', seconds() + 900)] });
    await stateOf((await gates(s, 1))[0]!, 'verified');
    page.set(false);
    clock.advance(4000);
    const [late] = await gates(s, 1);
    expect(late!.state).to.equal('verified');
    expect(await requests(s)).to.have.length(2);
  });

  it('tells other tabs which shopper it saw, and asks again when another tab saw someone else', async () => {
    const s = await scenario({
      token: [{ body: token(7) }, { body: token(8) }],
      exchange: [answer('a@example.com', seconds() + 900), answer('b@example.com', seconds() + 900)],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    expect(page.told).to.deep.equal(['abc123/7']);
    // Another tab saw the same shopper: nothing to do.
    page.fire('shopper', 'abc123/7');
    await sleep(50);
    expect(await requests(s, 'token')).to.have.length(1);
    // Another tab saw customer 8: hide and ask at once, without waiting for a tab switch.
    page.fire('shopper', 'abc123/8');
    expect(rendered(gate!.querySelector('.secret'))).to.equal(false);
    await seen(s, 'exchange', 2);
    await stateOf(gate!, 'verified');
    expect(gate!.querySelector('.secret')!.textContent).to.include('b@example.com');
    expect(page.told).to.deep.equal(['abc123/7', 'abc123/8']);
  });

  it('a re-check that finds the same shopper tells no one, so two tabs that disagree ask each other once', async () => {
    const s = await scenario({ token: [{ body: token(7) }], exchange: [answer('a@example.com', seconds() + 900)] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    page.fire('shopper', 'abc123/9');
    await seen(s, 'exchange', 2);
    await stateOf(gate!, 'verified');
    await sleep(50);
    expect(page.told).to.deep.equal(['abc123/7']);
    expect(await requests(s, 'token')).to.have.length(2);
  });

  it('another tab saw no one signed in: this tab asks again and goes anonymous', async () => {
    const s = await scenario({
      token: [{ body: token(7) }, { status: 404 }],
      exchange: [answer('a@example.com', seconds() + 900)],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    page.fire('shopper', '');
    await stateOf(gate!, 'anonymous');
    expect(page.told).to.deep.equal(['abc123/7', '']);
  });

  it('a background re-check (before expiry) with the same answer removes and adds no node', async () => {
    const s = await scenario({
      exchange: [answer('a@example.com', seconds() + 900), answer('a@example.com', seconds() + 1800)],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const changes = mutations(gate!);
    const status = gate!.shadowRoot!.querySelector('[part=status]')!;
    const said = status.textContent;
    clock.advance(840_000);
    await seen(s, 'exchange', 2);
    await sleep(50);
    changes.stop();
    expect(gate!.state).to.equal('verified');
    expect(changes.removed).to.deep.equal([]);
    expect(changes.added).to.deep.equal([]);
    expect(status.textContent).to.equal(said);
  });

  it('a background re-check with other data replaces the nodes', async () => {
    const s = await scenario({
      exchange: [answer('a@example.com', seconds() + 900), answer('a@example.com', seconds() + 1800, { n: 2 })],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const before = gate!.querySelector('.secret');
    clock.advance(840_000);
    await seen(s, 'exchange', 2);
    await sleep(50);
    expect(gate!.querySelector('.secret')).to.not.equal(before);
    expect(before!.isConnected).to.equal(false);
  });

  it('ten gates on one session: a tab return costs one token request and one exchange', async () => {
    const s = await scenario({ exchange: [answer('a@example.com', seconds() + 900)] });
    const all = await gates(s, 10);
    await Promise.all(all.map((gate) => stateOf(gate, 'verified')));
    leaveTab(page, clock, 60_000);
    await Promise.all(all.map((gate) => stateOf(gate, 'verified')));
    expect(await requests(s, 'token')).to.have.length(2);
    expect(await requests(s, 'exchange')).to.have.length(2);
  });
});

describe("re-checks wait for the server's Retry-After, whatever starts them (controlled clock)", () => {
  let clock: FakeClock;
  let page: FakeVisibility;
  const seconds = () => Math.floor(clock.time / 1000);

  beforeEach(() => {
    ({ clock, page } = installFakePage());
  });
  afterEach(() => resetEnvironment());

  /** A gate whose first exchange got 429 with Retry-After: 120, then would be verified. */
  async function throttled() {
    const s = await scenario({
      token: [{ body: token(7) }],
      exchange: [{ status: 429, headers: { 'Retry-After': '120' } }, answer('a@example.com', seconds() + 900)],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'error');
    expect(eventsOf(gate!)[0]!.detail.retryAt).to.equal(clock.time + 120_000);
    return { s, gate: gate! };
  }

  it('a message, a tab return, pageshow and refresh() send nothing until then; then one check', async () => {
    const { s, gate } = await throttled();
    page.fire('shopper', 'abc123/8');
    leaveTab(page, clock, 60_000);
    page.fire('pagehide');
    page.fire('pageshow');
    gate.refresh();
    await sleep(100);
    expect(await requests(s, 'token')).to.have.length(1);
    expect(await requests(s, 'exchange')).to.have.length(1);
    expect(gate.state).to.equal('loading');
    clock.advance(60_000);
    await stateOf(gate, 'verified');
    expect(await requests(s, 'token')).to.have.length(2);
    expect(await requests(s, 'exchange')).to.have.length(2);
  });

  it('a burst of messages from other tabs costs at most one check every 5 s', async () => {
    const s = await scenario({ token: [{ body: token(7) }] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    page.fire('shopper', 'abc123/100');
    await seen(s, 'token', 2);
    await stateOf(gate!, 'verified');
    // Two seconds of messages, one every 100 ms, after that check.
    for (let i = 1; i <= 20; i++) {
      clock.advance(100);
      page.fire('shopper', `abc123/${100 + i}`);
      await sleep(5);
    }
    await sleep(100);
    expect(await requests(s, 'token')).to.have.length(2);
    // The one check they asked for goes out 5 s after the last.
    clock.advance(3000);
    await stateOf(gate!, 'verified');
    expect(await requests(s, 'token')).to.have.length(3);
  });
});

describe('messages on the real BroadcastChannel', () => {
  afterEach(() => resetEnvironment());

  it("after a 429 with Retry-After: 120, another script's messages cause no request", async () => {
    resetEnvironment();
    const s = await scenario({
      token: [{ body: token(7) }],
      exchange: [{ status: 429, headers: { 'Retry-After': '120' } }],
    });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'error');
    const channel = new BroadcastChannel('bc-customer-gate');
    try {
      for (let i = 0; i < 20; i++) {
        channel.postMessage(`abc123/${100 + i}`);
        await sleep(20);
      }
      await sleep(200);
    } finally {
      channel.close();
    }
    expect(await requests(s, 'token')).to.have.length(1);
    expect(await requests(s, 'exchange')).to.have.length(1);
  });

  it('a burst of messages, one every 25 ms, causes at most one check', async () => {
    resetEnvironment();
    const s = await scenario({ token: [{ body: token(7) }] });
    const [gate] = await gates(s, 1);
    await stateOf(gate!, 'verified');
    const channel = new BroadcastChannel('bc-customer-gate');
    try {
      for (let i = 0; i < 30; i++) {
        channel.postMessage(`abc123/${100 + i}`);
        await sleep(25);
      }
    } finally {
      channel.close();
    }
    expect((await requests(s, 'token')).length).to.be.at.most(2);
    expect((await requests(s, 'exchange')).length).to.be.at.most(2);
  });
});
