// Property-based tests: the `html` tag's escaping, read back the way a browser reads it (parse5,
// the HTML standard's parser, and the WHATWG URL parser). Generated script URLs in every spelling
// never survive in a URL attribute; ordinary http(s) URLs come through unchanged; and arbitrary
// values never add an element or an attribute. Replay with the FUZZ_SEED it prints.
import assert from 'node:assert/strict';
import { after, describe } from 'node:test';
import fc from 'fast-check';
import { html } from '../../src/server/index.js';
import { attributesOf, elementsOf, scriptUrlsIn } from '../server/html-oracle.js';
import { unicodeString } from './arbitraries.js';
import { createTally, FUZZ_SEED } from './run-property.js';

const BLOCKED = 'about:blank#blocked';

/** Builds a one-hole template at run time: `strings` as a tagged template would pass them. */
function template(...strings: string[]): TemplateStringsArray {
  return Object.assign([...strings], { raw: [...strings] }) as unknown as TemplateStringsArray;
}

// Where a URL lands: element, attribute, whether the browser splits the value into several URLs.
const PLACES: Array<{ open: string; close: string; name: string; list: boolean }> = [
  { open: '<a', close: '>x</a>', name: 'href', list: false },
  { open: '<img', close: '>', name: 'src', list: false },
  { open: '<iframe', close: '></iframe>', name: 'src', list: false },
  { open: '<form', close: '></form>', name: 'action', list: false },
  { open: '<button', close: '>x</button>', name: 'formaction', list: false },
  { open: '<object', close: '></object>', name: 'data', list: false },
  { open: '<video', close: '></video>', name: 'poster', list: false },
  { open: '<svg><a', close: '><text>x</text></a></svg>', name: 'xlink:href', list: false },
  { open: '<svg><a', close: '><text>x</text></a></svg>', name: 'href', list: false },
  { open: '<svg><a><set attributeName="href"', close: '/></a></svg>', name: 'to', list: false },
  { open: '<img', close: '>', name: 'srcset', list: true },
  { open: '<a', close: '>x</a>', name: 'ping', list: true },
];
const placeArb = fc.constantFrom(...PLACES);
const quoteArb = fc.constantFrom('"', "'", '');
const caseArb = fc.constantFrom('HREF', 'Href', 'href');

/** "javascript", "vbscript" or "data" in mixed case, with tabs and newlines anywhere inside. */
function spelled(scheme: string): fc.Arbitrary<string> {
  return fc
    .tuple(...[...scheme].map(() => fc.tuple(fc.boolean(), fc.constantFrom('', '', '', '\t', '\n', '\r', '\r\n'))))
    .map((parts) => parts.map(([upper, after], i) => (upper ? scheme[i]!.toUpperCase() : scheme[i]!) + after).join(''));
}

/** Leading C0 controls and spaces, which the URL parser strips. */
const leadingArb = fc
  .array(
    fc.integer({ min: 0, max: 0x20 }).map((code) => String.fromCharCode(code)),
    { maxLength: 3 },
  )
  .map((chars) => chars.join(''));

const scriptUrlArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      leadingArb,
      fc.oneof(spelled('javascript'), spelled('vbscript')),
      fc.constantFrom('', '\t', '\n'),
      unicodeString({ maxLength: 30 }),
    )
    .map(([lead, scheme, beforeColon, body]) => `${lead}${scheme}${beforeColon}:${body}`),
  fc
    .tuple(
      leadingArb,
      spelled('data'),
      fc.constantFrom(
        'text/html',
        'TEXT/HTML',
        'text/html;charset=utf-8',
        'image/svg+xml',
        'application/xhtml+xml',
        'text/xml',
        '',
        'text/plain',
      ),
      fc.constantFrom(',', ';base64,'),
      unicodeString({ maxLength: 30 }),
    )
    .map(([lead, scheme, type, sep, body]) => `${lead}${scheme}:${type}${sep}${body}`),
);

const { property, summary } = createTally('html fuzz');

describe(`html tag under generated values (FUZZ_SEED=${FUZZ_SEED})`, () => {
  after(summary);

  property(
    'no generated script URL survives in a URL attribute, whatever the spelling, quote or attribute',
    { numRuns: 1500, timeLimitMs: 3000 },
    () =>
      fc.asyncProperty(placeArb, quoteArb, scriptUrlArb, async (place, quote, url) => {
        const markup = html(
          template(`${place.open} ${place.name}=${quote}`, `${quote} ${place.close}`),
          url,
        ).toString();
        assert.deepEqual(scriptUrlsIn(markup), [], markup);
        // A list attribute splits on whitespace before parsing URLs, so a spelling with a tab in it is harmless there as is.
        if (!place.list) {
          const values = attributesOf(markup)
            .filter((a) => a.name === place.name)
            .map((a) => a.value);
          assert.deepEqual(values, [BLOCKED], markup);
        }
      }),
  );

  property(
    'a script URL split between static text (plain or as references) and values is still caught',
    { numRuns: 800, timeLimitMs: 2000 },
    () =>
      fc.asyncProperty(
        scriptUrlArb,
        fc.nat(),
        fc.nat(),
        fc.constantFrom('plain', 'decimal', 'hex'),
        caseArb,
        async (url, cut1, cut2, encoding, name) => {
          const chars = [...url];
          // At least the last character comes from a value: a URL written wholly in static markup is trusted.
          const a = cut1 % chars.length;
          const b = a + (cut2 % (chars.length - a));
          const encode = (text: string) =>
            encoding === 'plain'
              ? text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
              : [...text]
                  .map((c) =>
                    encoding === 'decimal' ? `&#${c.codePointAt(0)};` : `&#x${c.codePointAt(0)!.toString(16)};`,
                  )
                  .join('');
          // static prefix and three values: four pieces of one attribute
          const prefix = encode(chars.slice(0, a).join(''));
          const middle = chars.slice(a, b).join('');
          const rest = chars.slice(b).join('');
          const half = Math.floor(rest.length / 2);
          const markup = html(
            template(`<a ${name}="${prefix}`, '', '', '">x</a>'),
            middle,
            rest.slice(0, half),
            rest.slice(half),
          ).toString();
          assert.deepEqual(scriptUrlsIn(markup), [], markup);
        },
      ),
  );

  property('ordinary http(s) URLs come through unchanged, quoted or not', { numRuns: 800, timeLimitMs: 2000 }, () =>
    fc.asyncProperty(
      placeArb,
      quoteArb,
      fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true }),
      async (place, quote, url) => {
        const markup = html(
          template(`${place.open} ${place.name}=${quote}`, `${quote} ${place.close}`),
          url,
        ).toString();
        const values = attributesOf(markup)
          .filter((a) => a.name === place.name)
          .map((a) => a.value);
        assert.deepEqual(values, [url], markup);
      },
    ),
  );

  // Markup syntax, script and URL fragments, and any Unicode: what a hostile customer field holds.
  const hostileValueArb = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '"',
          "'",
          '`',
          '<',
          '>',
          '=',
          '&',
          '/',
          ' ',
          '\t',
          '\n',
          '</a>',
          '<script>alert(1)</script>',
          '<img src=x onerror=alert(1)>',
          ' onmouseover=alert(1) ',
          '-->',
          '<!--',
          ']]>',
          '</textarea>',
          '</title>',
          '&#106;',
          '&quot;',
          'javascript:alert(1)',
          'java\tscript:',
          '\u0000',
          'href=',
          '/>',
        ),
        unicodeString({ maxLength: 8 }),
      ),
      { maxLength: 5 },
    )
    .map((parts) => parts.join(''));

  const page = (v: string[]) =>
    html`<div class="${v[0]}" title=${v[1]}><a href="${v[2]}" data-x='${v[3]}'>${v[4]}</a><img src=${v[5]} srcset="${v[6]}" alt=${v[7]}><textarea>${v[8]}</textarea><!-- ${v[9]} --><title>${v[10]}</title><svg><a xlink:href="${v[11]}"><text>${v[12]}</text></a></svg><form action=${v[13]}><button formaction='${v[14]}'>${v[15]}</button></form></div>`.toString();
  const shape = (markup: string) => ({
    elements: elementsOf(markup),
    attributes: attributesOf(markup).map((a) => `${a.element}[${a.name}]`),
  });
  const benign = shape(page(Array.from({ length: 16 }, () => 'x')));

  property(
    'arbitrary values never add an element or an attribute, nor a script URL',
    { numRuns: 600, timeLimitMs: 3000 },
    () =>
      fc.asyncProperty(fc.array(hostileValueArb, { minLength: 16, maxLength: 16 }), async (values) => {
        const markup = page(values);
        assert.deepEqual(shape(markup), benign, markup);
        assert.deepEqual(scriptUrlsIn(markup), [], markup);
      }),
  );

  // Every place a value can land, and the ways a value can be wrapped in a nested fragment.
  const HOLES: Array<[string, string]> = [
    ['<p>', '</p>'],
    ['<ul>', '</ul>'],
    ['<textarea>', '</textarea>'],
    ['<button ', '>x</button>'],
    ['<button data-a="1" ', '>x</button>'],
    ['<a title=', '>x</a>'],
    ['<a title="', '">x</a>'],
    ["<a title='", "'>x</a>"],
    ['<a href=', '>x</a>'],
    ['<a href="', '">x</a>'],
    ['<img onerror=', '>'],
    ['<img onerror="', '">'],
    ['<iframe srcdoc="', '"></iframe>'],
    ['<style>', '</style>'],
    ['<svg><style>', '</style></svg>'],
    ['<script>', '</script>'],
    ['<!-- ', ' -->'],
    ['<', '>'],
    ['<a data-', '="1">x</a>'],
  ];
  const holeArb = fc.constantFrom(...HOLES);
  const plain = (v: string) => html`${v}`;
  const wrapperArb = fc.constantFrom<(v: string) => unknown>(
    plain,
    (v) => html`<b>${v}</b>`,
    (v) => [html`${v}`, html`<i>${v}</i>`],
    (v) => html`data-sku=${v}`,
    (v) => html`<b title=${v}>x</b>`,
    (v) => html`${html`${v}`}`,
  );
  const attempt = (run: () => unknown): string | TypeError => {
    try {
      return String(run());
    } catch (error) {
      if (error instanceof TypeError) return error;
      throw error;
    }
  };

  property(
    'a value wrapped in a nested fragment gets no more power than the same value given directly',
    { numRuns: 3000, timeLimitMs: 3000 },
    () =>
      fc.asyncProperty(holeArb, wrapperArb, hostileValueArb, async ([open, close], wrap, value) => {
        const nested = attempt(() => html(template(open, close), wrap(value)));
        const benign = attempt(() => html(template(open, close), wrap('x')));
        if (nested instanceof TypeError) return;
        if (benign instanceof TypeError) {
          // Only an empty fragment goes where a fragment may not, and it writes what an empty value does.
          assert.equal(String(wrap(value)), '', nested);
          assert.equal(nested, String(html(template(open, close), '')));
          return;
        }
        assert.deepEqual(shape(nested), shape(benign), nested);
        assert.deepEqual(scriptUrlsIn(nested), [], nested);
        // In element content, html`${v}` lands exactly as v itself would.
        if (wrap === plain) {
          assert.equal(nested, String(html(template(open, close), value)));
        }
      }),
  );
});
