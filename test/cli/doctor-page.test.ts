// The doctor's page scanner, www twins and answer shapes, without a network.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shapeOf, unsignedProbeToken } from '../../src/cli/doctor/endpoint.js';
import { decodeEntities, scanTags } from '../../src/cli/doctor/html.js';
import { describeFailure } from '../../src/cli/doctor/http.js';
import { importedSpecifier, scanPage } from '../../src/cli/doctor/page.js';
import { twinOrigin } from '../../src/cli/doctor/transport.js';
import { isLoopbackHost } from '../../src/loopback.js';
import { buildWidgetTemplate } from '../../src/widget/template.js';

describe('doctor: HTML scanning', () => {
  it('reads attributes quoted, unquoted and bare, decodes entities, keeps the first duplicate', () => {
    const [tag] = scanTags(
      `<bc-customer-gate client-id=abc endpoint='https://a.example/x?a=1&amp;b=2' logged-in="false" hidden client-id="second">`,
    );
    assert.equal(tag!.name, 'bc-customer-gate');
    assert.equal(tag!.attributes.get('client-id'), 'abc');
    assert.equal(tag!.attributes.get('endpoint'), 'https://a.example/x?a=1&b=2');
    assert.equal(tag!.attributes.get('hidden'), '');
    assert.equal(decodeEntities('&#x41;&#66;&quot;&unknown;'), 'AB"&unknown;');
  });

  it('skips comments and the inside of scripts; counts lines', () => {
    const tags = scanTags(
      '<p>\n<!-- <bc-customer-gate endpoint="commented"> -->\n<script>document.write("<bc-customer-gate>")</script>\n<bc-customer-gate>',
    );
    assert.deepEqual(
      tags.map((t) => [t.name, t.line]),
      [
        ['p', 1],
        ['script', 3],
        ['bc-customer-gate', 4],
      ],
    );
    assert.equal(tags[1]!.text, 'document.write("<bc-customer-gate>")');
  });

  it('finds the loader as a CDN script (with its pinned version) or an inline module import', () => {
    const scan = scanPage(`
      <script src="https://cdn.jsdelivr.net/npm/bc-customer-gate@1.2.3/dist/cdn/bc-customer-gate.js" nonce="n" integrity="sha384-x"></script>
      <script type="module">import { BcCustomerGate } from "bc-customer-gate";</script>
      <script type="module">import 'lit';</script>
      <script src="/theme-bundle.js"></script>`);
    assert.equal(scan.loaders.length, 2);
    assert.deepEqual(
      [scan.loaders[0]!.kind, scan.loaders[0]!.version, scan.loaders[0]!.nonce, scan.loaders[0]!.integrity],
      ['src', '1.2.3', 'n', 'sha384-x'],
    );
    assert.deepEqual([scan.loaders[1]!.kind, scan.loaders[1]!.specifier], ['import', 'bc-customer-gate']);
  });

  it('recognises the ways a module imports the element, and not look-alikes', () => {
    for (const [text, expected] of [
      ["import 'bc-customer-gate';", 'bc-customer-gate'],
      ['import "bc-customer-gate/element";', 'bc-customer-gate/element'],
      ["import { BcCustomerGate } from 'bc-customer-gate';", 'bc-customer-gate'],
      ["import * as gate from\n  'bc-customer-gate';", 'bc-customer-gate'],
      [
        "await import('https://cdn.jsdelivr.net/npm/bc-customer-gate@2.0.0/dist/cdn/bc-customer-gate.js');",
        'https://cdn.jsdelivr.net/npm/bc-customer-gate@2.0.0/dist/cdn/bc-customer-gate.js',
      ],
      ["console.log('bc-customer-gate');", null],
      ["reimport('bc-customer-gate');", null],
      ["import 'not-bc-customer-gate-at-all';", null],
      ["import x from 'lit'; const s = 'bc-customer-gate';", null],
    ] as const) {
      assert.equal(importedSpecifier(text), expected, text);
    }
  });

  it('scans a large hostile page of near-misses in linear time', () => {
    const pages = [
      `<script type="module">${'import '.repeat(150_000)}</script>`,
      `<script type="module">${"import x from 'bc-customer-gate ".repeat(30_000)}</script>`,
      `<style>${'bc-customer-gate:not(:defined) '.repeat(30_000)}</style>`,
      '<a '.repeat(300_000),
      `<x ${'a=b '.repeat(250_000)}>`,
    ];
    for (const html of pages) {
      const started = performance.now();
      scanPage(html);
      const elapsed = performance.now() - started;
      // Before the spans were bounded, a quarter of this took over ten seconds.
      assert.ok(elapsed < 3000, `${html.slice(0, 40)}…: ${Math.round(elapsed)} ms`);
    }
  });

  it('recognises the Page Builder widget template as rendered, and nothing else as one', () => {
    const template = buildWidgetTemplate({ version: '1.0.0' })
      .template.replace('{{clientId}}', 'abc')
      .replace('{{endpoint}}', 'https://app.example/gate');
    const widget = scanPage(template);
    assert.equal(widget.gates.length, 1);
    assert.equal(widget.gates[0]!.widget, true);
    assert.equal(widget.styleRules.length, 1);
    const theme = scanPage(
      '<style>bc-customer-gate:not(:defined) > :not([slot="loading"]) { display: none; }</style><bc-customer-gate></bc-customer-gate>',
    );
    assert.equal(theme.gates[0]!.widget, false);
  });

  it('collects <meta> policies and tells Stencil from Next.js pages', () => {
    const scan = scanPage(
      '<meta http-equiv="content-security-policy" content="connect-src \'self\'"><script id="__NEXT_DATA__"></script>',
    );
    assert.deepEqual(scan.metaPolicies, ["connect-src 'self'"]);
    assert.equal(scan.platform, 'nextjs');
    assert.equal(
      scanPage('<script src="https://cdn11.bigcommerce.com/s-abc/stencil/theme.js"></script>').platform,
      'stencil',
    );
  });
});

describe('doctor: transport and www twins', () => {
  it('loopback is localhost, 127.0.0.0/8 and [::1] only', () => {
    for (const host of ['localhost', '127.0.0.1', '127.9.8.7', '[::1]']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]'])
      assert.ok(!isLoopbackHost(host), host);
  });

  it('adds or strips www., and has none for IPs, localhost and one-label names', () => {
    assert.deepEqual(twinOrigin(new URL('https://store.example.com/a')), { origin: 'https://www.store.example.com' });
    assert.deepEqual(twinOrigin(new URL('https://www.store.example.com:8443/a')), {
      origin: 'https://store.example.com:8443',
    });
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://localhost:8080/',
      'http://[::1]/',
      'https://intranet/',
      'https://www.com/',
    ]) {
      assert.ok('none' in twinOrigin(new URL(url)), url);
    }
  });
});

describe('doctor: probe token and answer shapes', () => {
  it('the probe token is a well-formed HS512 JWT for the client ID, with a canonical 64-byte signature', () => {
    const [header, payload, signature] = unsignedProbeToken('my-client').split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'HS512', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims['aud'], 'my-client');
    assert.equal(claims['operation'], 'current_customer');
    assert.equal(Buffer.from(signature!, 'base64url').length, 64);
    assert.equal(Buffer.from(signature!, 'base64url').toString('base64url'), signature);
    assert.notEqual(unsignedProbeToken('my-client'), unsignedProbeToken('my-client'));
  });

  it('shows keys and types, never values; data keyed by data is only counted', () => {
    const shape = shapeOf({
      customer: { id: 4, email: 'ann@example.com', groupId: null },
      data: { bought: { 'SKU-1': [1], 'SKU-2': [] }, list: [{ name: 'secret' }] },
    });
    assert.equal(
      shape,
      '{ customer: { id: number, email: string, groupId: null }, data: { bought: object(2 keys), list: [{ name: string }] ×1 } }',
    );
    assert.doesNotMatch(shape, /ann@|SKU|secret/);
  });
});

describe('doctor: network failures in words', () => {
  const fetchError = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

  it('names DNS, refused, reset, TLS, bad ports and timeouts, and quotes no server text', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        fetchError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND app.example' }),
        'dns',
        /does not resolve \(DNS ENOTFOUND\)/,
      ],
      [fetchError({ code: 'ECONNREFUSED' }), 'refused', /connection refused/],
      [fetchError({ errors: [{ code: 'ECONNREFUSED' }] }), 'refused', /connection refused/],
      [fetchError({ code: 'UND_ERR_SOCKET' }), 'reset', /closed before a complete answer/],
      [fetchError({ code: 'CERT_HAS_EXPIRED' }), 'tls', /certificate was not accepted \(CERT_HAS_EXPIRED\)/],
      [fetchError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'tls', /certificate was not accepted/],
      [fetchError({ message: 'bad port' }), 'port', /bad port/],
      [
        Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
        'timeout',
        /no answer within 250 ms/,
      ],
      [
        fetchError({ code: 'EWHATEVER', message: '\u001b[2J server words' }),
        'other',
        /^the request failed \(EWHATEVER\)$/,
      ],
    ];
    for (const [error, kind, pattern] of cases) {
      const failure = describeFailure(error, 250);
      assert.equal(failure.kind, kind, failure.message);
      assert.match(failure.message, pattern);
      assert.doesNotMatch(failure.message, /app\.example|server words/);
    }
  });
});
