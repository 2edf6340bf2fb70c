// loading="lazy": nothing happens until the gate is near the viewport.
import { expect } from '@open-wc/testing';
import { gateHtml, mount, requests, resetEnvironment, scenario, shownSlot, sleep, stateOf } from './helpers.js';
import type { BcCustomerGate } from './helpers.js';

describe('loading="lazy"', () => {
  beforeEach(() => resetEnvironment());
  afterEach(() => window.scrollTo(0, 0));

  it('stays idle, showing the loading slot, with zero requests until scrolled near', async () => {
    const s = await scenario();
    const root = await mount(
      `<div style="height: 3000px"></div>${gateHtml(s, '<p slot="loading">…</p>', 'loading="lazy"')}`,
    );
    const gate = root.querySelector<BcCustomerGate>('bc-customer-gate')!;
    await sleep(150);
    expect(gate.state).to.equal('idle');
    expect(gate.getAttribute('state')).to.equal('idle');
    expect(shownSlot(gate)).to.equal('loading');
    expect(await requests(s)).to.deep.equal([]);
    gate.scrollIntoView();
    await stateOf(gate, 'verified');
    expect(await requests(s)).to.have.length(2);
  });

  it('a lazy gate already in view starts at once', async () => {
    const s = await scenario();
    const root = await mount(gateHtml(s, '', 'loading="lazy"'));
    await stateOf(root.querySelector('bc-customer-gate')!, 'verified');
  });

  it('refresh() starts an idle gate', async () => {
    const s = await scenario();
    const root = await mount(`<div style="height: 3000px"></div>${gateHtml(s, '', 'loading="lazy"')}`);
    const gate = root.querySelector<BcCustomerGate>('bc-customer-gate')!;
    expect(gate.state).to.equal('idle');
    gate.refresh();
    await stateOf(gate, 'verified');
  });

  it('a gate without loading="lazy" starts even far below the fold', async () => {
    const s = await scenario();
    const root = await mount(`<div style="height: 3000px"></div>${gateHtml(s)}`);
    await stateOf(root.querySelector('bc-customer-gate')!, 'verified');
  });
});
