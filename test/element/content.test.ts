// What verified content looks like: stamped templates filled with text only, lists, HTML fragments
// inserted inert (and through Trusted Types where the page enforces them), and its removal.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import {
  type BcCustomerGate,
  eventsOf,
  gateHtml,
  mountGate,
  record,
  rendered,
  resetEnvironment,
  scenario,
  sleep,
  stateOf,
  type Scenario,
} from './helpers.js';

declare global {
  interface Window {
    __pwned?: number;
  }
}

const RESPONSE = {
  customer: { id: 42, email: 'shopper@example.com', groupId: '3' },
  storeHash: 'abc123',
  expiresAt: Math.floor(Date.now() / 1000) + 900,
  data: {
    plan: { name: 'Gold', seats: 3, active: true },
    products: [
      { name: 'Kettle', tags: ['kitchen', 'steel'] },
      { name: 'Teapot', tags: [] },
    ],
    tags: ['a', 'b', 'c'],
  },
};

async function verifiedGate(s: Scenario, inner: string): Promise<BcCustomerGate> {
  const gate = await mountGate(gateHtml(s, inner));
  await stateOf(gate, 'verified');
  return gate;
}

describe('templates and data-bc-field', () => {
  beforeEach(() => resetEnvironment());

  it('stamps templates after themselves and fills fields by path', async () => {
    const s = await scenario({ exchange: [{ body: RESPONSE }] });
    const gate = await verifiedGate(
      s,
      `<p slot="loading">…</p>
       <template><h2 id="hello">Hi <span data-bc-field="customer.email"></span></h2></template>
       <hr id="between">
       <template><p id="plan"><b data-bc-field="data.plan.name"></b> for <i data-bc-field="data.plan.seats"></i>: <u data-bc-field="data.plan.active"></u></p></template>`,
    );
    expect(gate.querySelector('#hello')!.textContent).to.equal('Hi shopper@example.com');
    expect(gate.querySelector('#plan')!.textContent).to.equal('Gold for 3: true');
    // Each template's content lands right after it, in order.
    const order = [...gate.children].map((el) => el.id || el.localName);
    expect(order).to.deep.equal(['p', 'template', 'hello', 'between', 'template', 'plan']);
    expect(rendered(gate.querySelector('#hello'))).to.equal(true);
  });

  it('missing, non-scalar and prototype paths fill nothing', async () => {
    const s = await scenario({ exchange: [{ body: RESPONSE }] });
    const gate = await verifiedGate(
      s,
      `<template>
        <span id="missing" data-bc-field="data.nope.deeper">placeholder</span>
        <span id="object" data-bc-field="data.plan">placeholder</span>
        <span id="proto" data-bc-field="__proto__.constructor.name">placeholder</span>
        <span id="ctor" data-bc-field="customer.constructor">placeholder</span>
        <span id="len" data-bc-field="customer.email.length">placeholder</span>
      </template>`,
    );
    for (const id of ['missing', 'object', 'proto', 'ctor', 'len']) {
      expect(gate.querySelector(`#${id}`)!.textContent, id).to.equal('');
    }
  });

  it('a value that looks like markup stays text and runs nothing', async () => {
    delete window.__pwned;
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const s = await scenario({
      exchange: [
        { body: { ...RESPONSE, customer: { ...RESPONSE.customer, email: evil }, data: { items: [{ name: evil }] } } },
      ],
    });
    const gate = await verifiedGate(
      s,
      `<template><p id="email" data-bc-field="customer.email"></p><ul data-bc-list="data.items"><li data-bc-field="name"></li></ul></template>`,
    );
    expect(gate.querySelector('#email')!.textContent).to.equal(evil);
    expect(gate.querySelector('li')!.textContent).to.equal(evil);
    expect(gate.querySelectorAll('img, script')).to.have.length(0);
    await sleep(100);
    expect(window.__pwned).to.equal(undefined);
  });

  it('data-bc-list repeats its children per item, nested lists resolved per item', async () => {
    const s = await scenario({ exchange: [{ body: RESPONSE }] });
    const gate = await verifiedGate(
      s,
      `<template>
        <ul id="products" data-bc-list="data.products">
          <li><b data-bc-field="name"></b><ol data-bc-list="tags"><li data-bc-field=""></li></ol></li>
        </ul>
        <ul id="tags" data-bc-list="data.tags"><li data-bc-field></li></ul>
        <ul id="none" data-bc-list="data.plan"><li>never</li></ul>
      </template>`,
    );
    const products = [...gate.querySelectorAll('#products > li')];
    expect(products.map((li) => li.querySelector('b')!.textContent)).to.deep.equal(['Kettle', 'Teapot']);
    expect([...products[0]!.querySelectorAll('ol > li')].map((li) => li.textContent)).to.deep.equal([
      'kitchen',
      'steel',
    ]);
    expect(products[1]!.querySelectorAll('ol > li')).to.have.length(0);
    expect([...gate.querySelectorAll('#tags > li')].map((li) => li.textContent)).to.deep.equal(['a', 'b', 'c']);
    // Not an array: no items, and the pattern itself is gone.
    expect(gate.querySelector('#none')!.children).to.have.length(0);
  });

  it('template content is never in the document before verification', async () => {
    const s = await scenario({ exchange: [{ delay: 300, body: RESPONSE }] });
    const gate = await mountGate(
      gateHtml(s, '<template><p id="secret" data-bc-field="customer.email"></p></template>'),
    );
    await stateOf(gate, 'loading');
    expect(document.getElementById('secret')).to.equal(null);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not every text node
    expect(gate.innerText).to.not.include('shopper');
    await stateOf(gate, 'verified');
    expect(document.getElementById('secret')!.textContent).to.equal('shopper@example.com');
  });

  it('leaving verified removes every stamped node; the templates stay for next time', async () => {
    const s = await scenario({
      exchange: [{ body: RESPONSE }, { status: 403, body: { error: 'forbidden' } }, { body: RESPONSE }],
    });
    const gate = await verifiedGate(
      s,
      '<p slot="denied" id="denied">No.</p><template><p class="stamped">1</p>text node<p class="stamped">2</p></template>',
    );
    expect(gate.querySelectorAll('.stamped')).to.have.length(2);
    gate.refresh();
    await stateOf(gate, 'denied');
    expect(gate.querySelectorAll('.stamped')).to.have.length(0);
    expect(gate.textContent).to.not.include('text node');
    expect(gate.querySelectorAll('template')).to.have.length(1);
    gate.refresh();
    await stateOf(gate, 'verified');
    expect(gate.querySelectorAll('.stamped')).to.have.length(2);
  });
});

describe('HTML fragments', () => {
  beforeEach(() => resetEnvironment());

  it('inserts the fragment; its scripts and inline handlers never run', async () => {
    delete window.__pwned;
    const fragment =
      '<section id="frag"><h3>Your orders</h3><img id="img" src="data:," onerror="window.__pwned=1" onload="window.__pwned=1"></section>' +
      '<script>window.__pwned=2</script><svg><script>window.__pwned=3</script></svg>';
    const s = await scenario({ exchange: [{ body: fragment, type: 'text/html; charset=utf-8' }] });
    const gate = await mountGate(gateHtml(s));
    const events = eventsOf(gate);
    await stateOf(gate, 'verified');
    expect(gate.shadowRoot!.querySelector('#frag h3')!.textContent).to.equal('Your orders');
    expect(rendered(gate.shadowRoot!.querySelector('#frag'))).to.equal(true);
    expect(gate.shadowRoot!.querySelectorAll('script')).to.have.length(0);
    expect(gate.shadowRoot!.querySelector('#img')!.getAttributeNames()).to.deep.equal(['id', 'src']);
    expect(events[0]!.detail).to.deep.equal({ html: fragment });
    await sleep(100);
    expect(window.__pwned).to.equal(undefined);
  });

  it('removes the fragment when leaving verified', async () => {
    const s = await scenario({ exchange: [{ body: '<p id="frag">mine</p>', type: 'text/html' }, { status: 403 }] });
    const gate = await mountGate(gateHtml(s));
    await stateOf(gate, 'verified');
    expect(gate.shadowRoot!.querySelector('#frag')).to.not.equal(null);
    gate.refresh();
    await stateOf(gate, 'denied');
    expect(gate.shadowRoot!.querySelector('#frag')).to.equal(null);
  });
});

describe('Trusted Types', () => {
  beforeEach(() => resetEnvironment());

  /** A page of its own that enforces Trusted Types with the given allowed policy names. */
  async function enforcingFrame(policies: string): Promise<HTMLIFrameElement> {
    const frame = await fixture<HTMLIFrameElement>(html`<iframe></iframe>`);
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    frame.srcdoc = `<!doctype html>
      <meta http-equiv="Content-Security-Policy" content="require-trusted-types-for 'script'; trusted-types ${policies}">
      <script type="module">
        import '/src/element/hints.ts'; // the development build's hints, for the render failure below
        import { BcCustomerGate } from '/src/element/index.ts';
        BcCustomerGate.environment = { retryDelay: 1 };
        window.ready = true;
      </script>
      <body></body>`;
    await loaded;
    const win = frame.contentWindow as Window & { ready?: boolean };
    const started = Date.now();
    while (!win.ready) {
      if (Date.now() - started > 4000) throw new Error('the frame never loaded the element');
      await sleep(10);
    }
    return frame;
  }

  function mountIn(frame: HTMLIFrameElement, s: Scenario): { gate: BcCustomerGate; events: CustomEvent[] } {
    const doc = frame.contentDocument!;
    const gate = doc.createElement('bc-customer-gate') as BcCustomerGate;
    gate.setAttribute('client-id', 'test-client');
    gate.setAttribute('endpoint', s.endpoint);
    gate.setAttribute('token-url', s.tokenUrl);
    const events = record(gate);
    doc.body.append(gate);
    return { gate, events };
  }

  it('inserts the fragment through the bc-customer-gate policy on an enforcing page', async () => {
    const s = await scenario({
      exchange: [{ body: '<p id="frag">Trusted</p><script>parent.__pwned=4</script>', type: 'text/html' }],
    });
    // Only the element's own policy: without lit-html, nothing else needs a name.
    const frame = await enforcingFrame('bc-customer-gate');
    // The frame really enforces: a plain string into innerHTML throws.
    let refused = '';
    try {
      frame.contentDocument!.body.innerHTML = '<b>x</b>';
    } catch (error) {
      refused = (error as Error).name;
    }
    expect(refused).to.equal('TypeError');
    const { gate } = mountIn(frame, s);
    await stateOf(gate, 'verified');
    expect(gate.shadowRoot!.querySelector('#frag')!.textContent).to.equal('Trusted');
    expect(gate.shadowRoot!.querySelectorAll('script')).to.have.length(0);
    await sleep(50);
    expect(window.__pwned).to.equal(undefined);
  });

  it('fails closed when the page does not allow the policy', async () => {
    const s = await scenario({ exchange: [{ body: '<p id="frag">Trusted</p>', type: 'text/html' }] });
    const frame = await enforcingFrame('some-other-policy');
    const errors: string[] = [];
    (frame.contentWindow as Window & typeof globalThis).console.error = (...args: unknown[]) =>
      void errors.push(args.join(' '));
    const { gate, events } = mountIn(frame, s);
    await stateOf(gate, 'error');
    expect(gate.shadowRoot!.querySelector('#frag')).to.equal(null);
    expect(events[0]!.detail).to.include({ stage: 'render' });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include('trusted-types bc-customer-gate');
  });
});
