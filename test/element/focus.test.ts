// Focus never falls to <body> when a gate changes state, and what assistive technology hears: a
// short status from the gate's live region, never the revealed content read aloud.
import { expect } from '@open-wc/testing';
import {
  type BcCustomerGate,
  FakeClock,
  FakeVisibility,
  mount,
  mountGate,
  gateHtml,
  resetEnvironment,
  scenario,
  sleep,
  stateOf,
  leaveTab,
  useEnvironment,
} from './helpers.js';

const SLOTS = `
  <p slot="loading">Checking your account…</p>
  <p slot="anonymous">Sign in to see your orders.</p>
  <p slot="denied">Your plan does not include   this.</p>
  <p slot="error">Could not load this. <button data-bc-retry>Try again</button></p>
  <template><table><tr><td data-bc-field="customer.email"></td><td><a href="#order">Order 1</a></td></tr></table></template>`;

const statusOf = (gate: BcCustomerGate) => gate.shadowRoot!.querySelector('[part=status]')!;

/** A clock and page lifecycle the test drives, as the gates' environment. */
function fakePage(): { clock: FakeClock; page: FakeVisibility } {
  const clock = new FakeClock();
  const page = new FakeVisibility();
  useEnvironment({ ...clock.environment(), ...page.environment() });
  return { clock, page };
}

describe('focus', () => {
  afterEach(() => resetEnvironment());

  it('retry that works: focus moves from the button to the gate itself, never to <body>', async () => {
    const s = await scenario({ exchange: [{ status: 400 }, { delay: 100 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'error');
    const button = gate.querySelector('button')!;
    button.focus();
    button.click();
    expect(gate.state).to.equal('loading');
    expect(document.activeElement).to.equal(gate);
    expect(gate.getAttribute('tabindex')).to.equal('-1');
    await stateOf(gate, 'verified');
    await sleep(20);
    expect(document.activeElement).to.equal(gate);
  });

  it('retry that fails again: focus goes back to the retry button', async () => {
    const s = await scenario({ exchange: [{ status: 400 }, { status: 400, delay: 100 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'error');
    const button = gate.querySelector('button')!;
    button.focus();
    button.click();
    expect(document.activeElement).to.equal(gate);
    await stateOf(gate, 'loading');
    await stateOf(gate, 'error');
    expect(document.activeElement).to.equal(button);
  });

  it('focus on a link in the content survives a tab return with the same answer', async () => {
    const { clock, page } = fakePage();
    const s = await scenario({ exchange: [{}, { delay: 100 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'verified');
    const link = gate.querySelector('a')!;
    link.focus();
    leaveTab(page, clock, 60_000);
    expect(document.activeElement).to.equal(gate);
    await stateOf(gate, 'verified');
    expect(document.activeElement).to.equal(link);
  });

  it('focus in the content when the shopper turns out signed out: the gate keeps it', async () => {
    const { clock, page } = fakePage();
    const s = await scenario({ token: [{}, { status: 404 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'verified');
    gate.querySelector('a')!.focus();
    leaveTab(page, clock, 60_000);
    await stateOf(gate, 'anonymous');
    expect(document.activeElement).to.equal(gate);
  });

  it('focus outside the gate is left alone', async () => {
    const s = await scenario({ exchange: [{ status: 400 }, {}] });
    const wrapper = await mount(`<input id="outside">${gateHtml(s, SLOTS)}`);
    const gate = wrapper.querySelector('bc-customer-gate')!;
    const input = wrapper.querySelector('input')!;
    await stateOf(gate, 'error');
    input.focus();
    gate.refresh();
    await stateOf(gate, 'verified');
    expect(document.activeElement).to.equal(input);
    expect(gate.hasAttribute('tabindex')).to.equal(false);
  });
});

describe('announcements', () => {
  afterEach(() => resetEnvironment());

  it('verified: a short status, not the content; the host is no live region', async () => {
    const s = await scenario();
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'verified');
    const status = statusOf(gate);
    expect(status.getAttribute('role')).to.equal('status');
    expect(status.textContent).to.equal('Loaded');
    expect(gate.hasAttribute('aria-live')).to.equal(false);
  });

  it('the author sets the words with `announce`, or silences them with announce=""', async () => {
    const s = await scenario();
    const wrapper = await mount(
      gateHtml(s, SLOTS, 'announce="Recently purchased loaded"') + gateHtml(await scenario(), SLOTS, 'announce=""'),
    );
    const [named, silent] = wrapper.querySelectorAll('bc-customer-gate');
    await stateOf(named!, 'verified');
    await stateOf(silent!, 'verified');
    expect(statusOf(named!).textContent).to.equal('Recently purchased loaded');
    expect(statusOf(silent!).textContent).to.equal('');
  });

  it('ten gates in a list say it once', async () => {
    const s = await scenario();
    const wrapper = await mount(Array.from({ length: 10 }, () => gateHtml(s, SLOTS)).join(''));
    const all = [...wrapper.querySelectorAll('bc-customer-gate')];
    await Promise.all(all.map((gate) => stateOf(gate, 'verified')));
    expect(all.map((gate) => statusOf(gate).textContent).filter(Boolean)).to.deep.equal(['Loaded']);
  });

  it('denied and error read their own slot, whitespace folded', async () => {
    const wrapper = await mount(
      gateHtml(await scenario({ exchange: [{ status: 403, body: { error: 'forbidden' } }] }), SLOTS) +
        gateHtml(await scenario({ exchange: [{ status: 400 }] }), SLOTS),
    );
    const [denied, failed] = wrapper.querySelectorAll('bc-customer-gate');
    await stateOf(denied!, 'denied');
    await stateOf(failed!, 'error');
    expect(statusOf(denied!).textContent).to.equal('Your plan does not include this.');
    expect(statusOf(failed!).textContent).to.equal('Could not load this. Try again');
  });

  it('anonymous at first says nothing; signed out after content says so', async () => {
    const guest = await mountGate(gateHtml(await scenario({ token: [{ status: 404 }] }), SLOTS));
    await stateOf(guest, 'anonymous');
    expect(statusOf(guest).textContent).to.equal('');
    const s = await scenario({ token: [{}, { status: 404 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'verified');
    gate.refresh();
    await stateOf(gate, 'anonymous');
    expect(statusOf(gate).textContent).to.equal('Sign in to see your orders.');
  });

  it('loading says nothing (aria-busy says it), and the same answer again is not announced again', async () => {
    const s = await scenario({ exchange: [{}, { delay: 100 }] });
    const gate = await mountGate(gateHtml(s, SLOTS));
    await stateOf(gate, 'verified');
    gate.refresh();
    expect(statusOf(gate).textContent).to.equal('');
    expect(gate.getAttribute('aria-busy')).to.equal('true');
    await stateOf(gate, 'verified');
    await sleep(1100);
    expect(statusOf(gate).textContent).to.equal('');
  });
});
