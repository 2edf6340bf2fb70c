// HTML fragments cannot take over the page: every vector that once ran script or changed the page
// from a fragment, one test each, then generated fragments mixing them with ordinary markup.
import { expect, fixture } from '@open-wc/testing';
import { html } from 'lit';
import fc from 'fast-check';
import { parseFragment } from '../../src/element/fragment.js';
import { sleep } from './helpers.js';

declare global {
  interface Window {
    __pwned?: number;
  }
}

const RUN = 'top.__pwned=1';

/** Inserts a cleaned fragment into the page, clicks everything clickable in it, and waits. */
async function insert(markup: string): Promise<HTMLElement> {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  host.append(parseFragment(markup));
  for (const el of host.querySelectorAll<HTMLElement>('a, button, input[type=submit], area, svg a')) {
    // A click that would navigate this page away is stopped after the browser decided what to run.
    el.addEventListener('click', (event) => event.preventDefault(), { once: true });
    el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
  }
  await sleep(60);
  return host;
}

const VECTORS: Array<[string, string]> = [
  ['inline script', `<script>${RUN}</script>`],
  ['an event handler attribute', `<img src="data:," onerror="${RUN}"><svg onload="${RUN}"></svg>`],
  ['iframe srcdoc', `<iframe srcdoc="<script>${RUN}</script>"></iframe>`],
  ['iframe src javascript:', `<iframe src="javascript:${RUN}"></iframe>`],
  ['iframe src data:text/html', `<iframe src="data:text/html,<script>${RUN}</script>"></iframe>`],
  ['a href javascript:', `<a href="javascript:${RUN}">x</a>`],
  ['a href with tabs, newlines, case and entities', `<a href="&#x20;J&#x09;aVa&#x0A;sCrIpT&colon;${RUN}">x</a>`],
  ['form action javascript:', `<form action="javascript:${RUN}"><button>go</button></form>`],
  [
    'button formaction javascript:',
    `<form action="https://example.com/"><button formaction="javascript:${RUN}">go</button></form>`,
  ],
  ['SVG a with xlink:href javascript:', `<svg><a xlink:href="javascript:${RUN}"><text>x</text></a></svg>`],
  [
    'SVG animate setting href',
    `<svg><a><animate attributeName="href" values="javascript:${RUN}"/><text>x</text></a></svg>`,
  ],
  ['SVG set setting href', `<svg><a><set attributeName="href" to="javascript:${RUN}"/><text>x</text></a></svg>`],
  ['object and embed', `<object data="javascript:${RUN}"></object><embed src="javascript:${RUN}">`],
  [
    'a nested gate template with an inline handler',
    `<bc-customer-gate><template><img src="data:," onerror="${RUN}"></template></bc-customer-gate>`,
  ],
  ['a nested plain template', `<template><img src="data:," onerror="${RUN}"></template>`],
];

describe('fragments cannot take over the page', () => {
  beforeEach(() => void delete window.__pwned);

  for (const [label, markup] of VECTORS) {
    it(`${label}: runs nothing`, async () => {
      const host = await insert(markup);
      // A nested template's content would run once stamped: stamp it here to prove it cannot.
      for (const template of host.querySelectorAll('template'))
        host.append(document.importNode(template.content, true));
      await sleep(60);
      expect(window.__pwned).to.equal(undefined);
    });
  }

  it('<base href> cannot move the page base, so a later gate still resolves against the page', async () => {
    const before = document.baseURI;
    const host = await insert('<base href="https://evil.example/">');
    expect(document.baseURI).to.equal(before);
    expect(host.querySelector('base')).to.equal(null);
  });

  it('<meta http-equiv=refresh> is removed, so it cannot navigate the page', async () => {
    const host = await insert('<meta http-equiv="refresh" content="0;url=https://evil.example/">');
    expect(host.querySelector('meta')).to.equal(null);
    await sleep(200);
    expect(location.href).to.not.include('evil.example');
  });

  it('<link> is removed: a fragment loads nothing the page did not ask for', async () => {
    const host = await insert('<link rel="stylesheet" href="https://evil.example/x.css"><p>kept</p>');
    expect(host.querySelector('link')).to.equal(null);
    expect(host.querySelector('p')!.textContent).to.equal('kept');
  });

  it('ordinary content stays: links, images, tables, https forms, https iframes, styles', async () => {
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    host.append(
      parseFragment(`
        <a id="link" href="https://example.com/orders?id=1" target="_blank" rel="noopener">Orders</a>
        <a id="mail" href="mailto:help@example.com">Help</a>
        <a id="relative" href="/account.php">Account</a>
        <img id="img" src="https://cdn.example.com/a.png" srcset="https://cdn.example.com/a@2x.png 2x" alt="A">
        <img id="dataimg" src="data:image/png;base64,iVBORw0KGgo=" alt="">
        <table><tr><td id="cell" class="c" style="color:red" title="JavaScript: the good parts?">1</td></tr></table>
        <form id="form" action="https://app.example.com/reorder" method="post"><input name="q" value="1"><button formaction="https://app.example.com/b">Go</button></form>
        <iframe id="video" src="https://www.youtube-nocookie.com/embed/x" allow="fullscreen"></iframe>
        <svg id="svg" viewBox="0 0 1 1"><a href="https://example.com/"><text>t</text></a></svg>`),
    );
    expect(host.querySelector('#link')!.getAttribute('href')).to.equal('https://example.com/orders?id=1');
    expect(host.querySelector('#link')!.getAttribute('target')).to.equal('_blank');
    expect(host.querySelector('#mail')!.getAttribute('href')).to.equal('mailto:help@example.com');
    expect(host.querySelector('#relative')!.getAttribute('href')).to.equal('/account.php');
    expect(host.querySelector('#img')!.getAttribute('srcset')).to.equal('https://cdn.example.com/a@2x.png 2x');
    expect(host.querySelector('#dataimg')!.getAttribute('src')).to.match(/^data:image\/png/);
    expect(host.querySelector('#cell')!.getAttribute('style')).to.equal('color:red');
    expect(host.querySelector('#form')!.getAttribute('action')).to.equal('https://app.example.com/reorder');
    expect(host.querySelector('#form button')!.getAttribute('formaction')).to.equal('https://app.example.com/b');
    expect(host.querySelector('#video')!.getAttribute('src')).to.equal('https://www.youtube-nocookie.com/embed/x');
    expect(host.querySelector('#svg a')!.getAttribute('href')).to.equal('https://example.com/');
  });
});

describe('fragment fuzz: generated mixes of the vectors and ordinary markup', () => {
  // A fixed seed (the Node suites' default, test/fuzz/run-property.ts) so every run checks the same
  // cases; ?fuzzSeed=N on the test page explores others.
  const seed = Number(new URLSearchParams(location.search).get('fuzzSeed')) || 20_240_611;
  const runs = 150;

  const ordinary = fc.constantFrom(
    '<p>Hello <b>there</b></p>',
    '<a href="https://example.com/x">x</a>',
    '<img src="https://cdn.example.com/i.png" alt="">',
    '<table><tr><td>1</td></tr></table>',
    '<form action="https://example.com/f"><button>b</button></form>',
    '<ul><li>one</li><li>two</li></ul>',
  );
  const scheme = fc.constantFrom(
    'javascript:',
    'JAVASCRIPT:',
    ' java\tscript:',
    'jav&#x61;script:',
    'vbscript:',
    '&#x0A;javascript&colon;',
  );
  const attribute = fc.constantFrom(
    'href',
    'src',
    'action',
    'formaction',
    'xlink:href',
    'data',
    'poster',
    'background',
    'srcset',
  );
  const tag = fc.constantFrom(
    'a',
    'iframe',
    'form',
    'button',
    'img',
    'video',
    'object',
    'embed',
    'area',
    'svg a',
    'math a',
  );
  const vector = fc.oneof(
    fc.tuple(tag, attribute, scheme).map(([t, a, s]) => {
      const [outer, inner] = t.includes(' ') ? t.split(' ') : [null, t];
      const el = `<${inner} ${a}="${s}${RUN}">x</${inner}>`;
      return outer ? `<${outer}>${el}</${outer}>` : el;
    }),
    fc.constantFrom(...VECTORS.map(([, markup]) => markup)),
    fc.constantFrom(
      '<base href="https://evil.example/">',
      '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    ),
    fc
      .tuple(fc.constantFrom('onclick', 'onerror', 'OnLoad', 'onfocus'), fc.constantFrom('img', 'div', 'svg'))
      .map(([h, t]) => `<${t} ${h}="${RUN}" tabindex="0" autofocus></${t}>`),
  );
  const fragment = fc.array(fc.oneof(ordinary, vector), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

  it(`${runs} fragments: nothing runs, baseURI and location unchanged, ordinary content kept (seed ${seed})`, async () => {
    const base = document.baseURI;
    const href = location.href;
    const samples = fc.sample(fragment, { numRuns: runs, seed });
    for (const markup of samples) {
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      host.append(parseFragment(markup));
      for (const template of host.querySelectorAll('template'))
        host.append(document.importNode(template.content, true));
      for (const el of host.querySelectorAll('*')) {
        for (const { name, value } of el.attributes) {
          const folded = value.replace(/[\0- ]/g, '').toLowerCase();
          expect(/^on/i.test(name), `${name} kept in ${markup}`).to.equal(false);
          expect(/(java|vb)script:/.test(folded), `${name}="${value}" kept in ${markup}`).to.equal(false);
        }
      }
      expect(host.querySelector('script, base, meta, object, embed, iframe[srcdoc]'), markup).to.equal(null);
      // Ordinary pieces survive whole.
      if (markup.includes('<p>Hello')) expect(host.innerHTML).to.include('<p>Hello <b>there</b></p>');
      if (markup.includes('<a href="https://example.com/x">'))
        expect(host.querySelector('a[href="https://example.com/x"]'), markup).to.not.equal(null);
    }
    await sleep(100);
    expect(window.__pwned, `seed ${seed}`).to.equal(undefined);
    expect(document.baseURI).to.equal(base);
    expect(location.href).to.equal(href);
    console.log(`fragment fuzz: ${samples.length} cases, seed ${seed}`);
  });
});
