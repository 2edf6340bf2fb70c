// The doctor's CSP matcher against the examples and algorithms of CSP Level 3
// (https://w3c.github.io/webappsec-csp/): §2.2 parsing, §6.7 matching, §6.8 fallback, §8.1 several policies.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  allowsAllInline,
  allowsTrustedTypesPolicy,
  externalScriptVerdict,
  governingDirective,
  hostPartMatches,
  inlineElementMatches,
  integrityMatches,
  parsePolicy,
  parsePolicyList,
  pathPartMatches,
  portPartMatches,
  schemePartMatches,
  urlMatchesExpression,
  urlMatchesSourceList,
} from '../../src/cli/doctor/csp.js';
import { connectCheck, scriptCheck, trustedTypesCheck, TRUSTED_TYPES_NAMES } from '../../src/cli/doctor/policy.js';
import { POLICY_NAME } from '../../src/element/policy.js';

const self = new URL('https://example.com/page');
const matches = (url: string, expression: string, origin: URL = self) =>
  urlMatchesExpression(new URL(url), expression, origin);
const list = (text: string) => text.split(/\s+/).filter(Boolean);

describe('CSP parsing (§2.2)', () => {
  it('lowercases directive names, keeps the first of duplicates, skips empty tokens', () => {
    const policy = parsePolicy(
      "ScRiPt-sRc 'none'; script-src https://a.example ;; connect-src 'self' ",
      'header',
      'enforce',
    )!;
    assert.deepEqual([...policy.directives.keys()], ['script-src', 'connect-src']);
    assert.deepEqual(policy.directives.get('script-src'), ["'none'"]);
    assert.deepEqual(policy.directives.get('connect-src'), ["'self'"]);
  });

  it('splits a header holding several policies on commas; an empty one is dropped', () => {
    const policies = parsePolicyList("default-src 'self', connect-src https://a.example,  ", 'header', 'enforce');
    assert.equal(policies.length, 2);
    assert.equal(parsePolicy(' ; ', 'header', 'enforce'), null);
  });

  it('skips a directive with non-ASCII characters', () => {
    const policy = parsePolicy('connect-src https://ü.example; img-src *', 'header', 'enforce')!;
    assert.equal(policy.directives.has('connect-src'), false);
    assert.equal(policy.directives.has('img-src'), true);
  });
});

describe('scheme-part matching (§6.7.2.9)', () => {
  it('allows a secure upgrade, never a downgrade', () => {
    assert.ok(schemePartMatches('http', 'https'));
    assert.ok(schemePartMatches('HTTP', 'http'));
    assert.ok(!schemePartMatches('https', 'http'));
    for (const b of ['ws', 'wss', 'http', 'https']) assert.ok(schemePartMatches('ws', b), b);
    assert.ok(schemePartMatches('wss', 'https'));
    assert.ok(!schemePartMatches('wss', 'http'));
  });

  it('"https:" and "https://example.com/" do not match http://example.com/ (the spec\'s note)', () => {
    assert.ok(!matches('http://example.com/', 'https:'));
    assert.ok(!matches('http://example.com/', 'https://example.com/'));
    assert.ok(matches('https://example.com/', 'http://example.com'));
  });
});

describe('host-part matching (§6.7.2.10)', () => {
  it('*.example.com matches www.example.com but not example.com; not the other way round', () => {
    assert.ok(hostPartMatches('*.example.com', 'www.example.com'));
    assert.ok(hostPartMatches('*.example.com', 'a.b.example.com'));
    assert.ok(!hostPartMatches('*.example.com', 'example.com'));
    assert.ok(!hostPartMatches('www.example.com', '*.example.com'));
    assert.ok(hostPartMatches('WWW.Example.com', 'www.example.com'));
  });

  it('an IP address matches only the same address written out, never a wildcard', () => {
    assert.ok(matches('http://127.0.0.1:8081/x', 'http://127.0.0.1:8081'));
    assert.ok(!matches('http://127.0.0.1:8081/x', 'http://*:8081'));
    assert.ok(!matches('http://127.0.0.2:8081/x', 'http://127.0.0.1:8081'));
  });
});

describe('port-part matching (§6.7.2.11)', () => {
  it('an absent port means the default port; * means any', () => {
    assert.ok(portPartMatches(null, new URL('https://example.com/')));
    assert.ok(!portPartMatches(null, new URL('https://example.com:8443/')));
    assert.ok(portPartMatches('*', new URL('https://example.com:8443/')));
    assert.ok(portPartMatches('443', new URL('https://example.com/')));
    assert.ok(portPartMatches('8443', new URL('https://example.com:8443/')));
  });

  it('http://example.com:80 matches http://example.com:80 and https://example.com:443 (§1.3)', () => {
    assert.ok(matches('http://example.com:80/', 'http://example.com:80'));
    assert.ok(matches('https://example.com:443/', 'http://example.com:80'));
    assert.ok(!matches('https://example.com:8443/', 'http://example.com:80'));
  });
});

describe('path-part matching (§6.7.2.12)', () => {
  it('"/subdirectory/" matches "/subdirectory/file"; a path without a trailing slash is exact', () => {
    assert.ok(pathPartMatches('/subdirectory/', '/subdirectory/file'));
    assert.ok(!pathPartMatches('/subdirectory/file', '/subdirectory/'));
    assert.ok(pathPartMatches('/path/to/file.js', '/path/to/file.js'));
    assert.ok(!pathPartMatches('/path/to/file.js', '/path/to/file.js/more'));
    assert.ok(pathPartMatches('/', ''));
    assert.ok(pathPartMatches('/a%20b/', '/a b/c'));
  });

  it("https://*.example.com:12/path/to/file.js (the grammar's example) matches only that file", () => {
    const expression = 'https://*.example.com:12/path/to/file.js';
    assert.ok(matches('https://cdn.example.com:12/path/to/file.js', expression));
    assert.ok(!matches('https://cdn.example.com:12/path/to/other.js', expression));
    assert.ok(!matches('https://cdn.example.com/path/to/file.js', expression));
  });

  it('connect-src https://example.com/ allows any path on that origin (the connect-src example)', () => {
    assert.ok(urlMatchesSourceList(new URL('https://example.com/customer-gate'), list('https://example.com/'), self));
    assert.ok(!urlMatchesSourceList(new URL('https://example.org/'), list('https://example.com/'), self));
  });
});

describe('source lists (§6.7.2.7, §6.7.2.8)', () => {
  it("'none' alone matches nothing; with other expressions it has no effect", () => {
    assert.ok(!urlMatchesSourceList(new URL('https://example.com/'), ["'none'"], self));
    assert.ok(urlMatchesSourceList(new URL('https://example.com/'), ["'none'", 'https://example.com'], self));
  });

  it('an empty directive (`script-src` with no value) matches nothing', () => {
    const policy = parsePolicy('script-src', 'header', 'enforce')!;
    assert.ok(!urlMatchesSourceList(new URL('https://example.com/a.js'), policy.directives.get('script-src')!, self));
  });

  it("* matches HTTP(S) URLs and the page's own scheme, but not data: unless listed (`default-src * data:`)", () => {
    assert.ok(matches('https://anywhere.example/x', '*'));
    assert.ok(matches('http://anywhere.example/x', '*'));
    assert.ok(!matches('data:text/plain,hi', '*'));
    assert.ok(urlMatchesSourceList(new URL('data:text/plain,hi'), list('* data:'), self));
    assert.ok(matches('ftp://files.example/x', '*', new URL('ftp://files.example/')));
  });

  it("a schemeless host-source takes the page's scheme and allows its upgrade", () => {
    const httpPage = new URL('http://shop.example/');
    assert.ok(matches('http://api.example/x', 'api.example', httpPage));
    assert.ok(matches('https://api.example/x', 'api.example', httpPage));
    assert.ok(!matches('http://api.example/x', 'api.example', self));
  });

  it("'self' matches the page's origin and its secure upgrade, not another port or host", () => {
    assert.ok(matches('https://example.com/customer/current.jwt', "'self'"));
    assert.ok(matches('wss://example.com/socket', "'self'"));
    const httpPage = new URL('http://example.com/');
    assert.ok(matches('https://example.com/x', "'self'", httpPage));
    assert.ok(matches('ws://example.com/x', "'self'", httpPage));
    assert.ok(!matches('https://example.com:8443/x', "'self'"));
    assert.ok(!matches('https://www.example.com/x', "'self'"));
    assert.ok(matches('https://example.com/x', "'SELF'"));
  });
});

describe('fallback (§6.8)', () => {
  it('connect-src falls back to default-src; script-src-elem to script-src, then default-src', () => {
    const policy = parsePolicy("default-src 'self'; script-src https://cdn.example", 'header', 'enforce')!;
    assert.equal(governingDirective(policy, 'connect-src')!.name, 'default-src');
    assert.equal(governingDirective(policy, 'script-src-elem')!.name, 'script-src');
    assert.equal(governingDirective(parsePolicy('img-src *', 'header', 'enforce')!, 'connect-src'), null);
  });
});

describe('inline behaviour and elements (§6.7.3)', () => {
  it("the spec's lists that allow all inline behaviour, and those that do not", () => {
    assert.ok(allowsAllInline(list("'unsafe-inline' http://a.com http://b.com"), 'script'));
    assert.ok(allowsAllInline(list("'unsafe-inline'"), 'script'));
    assert.ok(!allowsAllInline(list("'sha512-321cba' 'nonce-abc'"), 'script'));
    assert.ok(!allowsAllInline(list("http://example.com 'unsafe-inline' 'nonce-abc'"), 'script'));
    for (const text of ["'unsafe-inline' 'strict-dynamic'", "http://example.com 'strict-dynamic' 'unsafe-inline'"]) {
      assert.ok(!allowsAllInline(list(text), 'script'), text);
      assert.ok(allowsAllInline(list(text), 'style'), text);
    }
  });

  it('an inline script matches by exact nonce or by its hash (base64 or base64url)', () => {
    const text = "import 'bc-customer-gate';";
    const digest = createHash('sha256').update(text, 'utf8').digest('base64');
    assert.ok(inlineElementMatches(list("'nonce-abc123'"), 'script', { nonce: 'abc123', text }));
    assert.ok(!inlineElementMatches(list("'nonce-abc123'"), 'script', { nonce: 'ABC123', text }));
    assert.ok(!inlineElementMatches(list("'nonce-abc123'"), 'script', { nonce: null, text }));
    assert.ok(inlineElementMatches([`'sha256-${digest}'`], 'script', { nonce: null, text }));
    const url = digest.replace(/\+/g, '-').replace(/\//g, '_');
    assert.ok(inlineElementMatches([`'sha256-${url}'`], 'script', { nonce: null, text }));
    assert.ok(!inlineElementMatches([`'sha256-${digest}'`], 'script', { nonce: null, text: `${text} ` }));
  });

  it('an external script: nonce, then integrity metadata, then strict-dynamic, then its URL', () => {
    const src = { url: new URL('https://cdn.example/bc-customer-gate.js'), nonce: null, integrity: null };
    assert.equal(externalScriptVerdict(list('https://cdn.example'), src, self), 'url');
    assert.equal(externalScriptVerdict(list("'self'"), src, self), 'blocked');
    assert.equal(externalScriptVerdict(list("'nonce-n1' https://cdn.example"), { ...src, nonce: 'n1' }, self), 'nonce');
    assert.equal(
      externalScriptVerdict(list("'nonce-n1' 'strict-dynamic' https://cdn.example"), src, self),
      'blocked-strict-dynamic',
    );
    assert.equal(
      externalScriptVerdict(list("'sha384-abc' 'sha384-def'"), { ...src, integrity: 'sha384-abc' }, self),
      'integrity',
    );
  });

  it('integrity metadata matches only when every hash in it is listed (§6.7.2.4)', () => {
    assert.ok(integrityMatches('sha384-abc', list("'sha384-abc'")));
    assert.ok(!integrityMatches('sha384-abc sha512-xyz', list("'sha384-abc'")));
    assert.ok(!integrityMatches('sha384-abc', list("'sha256-abc'")));
    assert.ok(!integrityMatches('', list("'sha384-abc'")));
  });
});

describe('several policies (§8.1) and what the element needs', () => {
  const page = new URL('https://example.com/');
  const both = parsePolicyList(
    "default-src 'self' http://example.com http://example.net; connect-src 'none', connect-src http://example.com/; script-src http://example.com/",
    'header',
    'enforce',
  );

  it("the spec's example: the connection to example.com is blocked by the first policy", () => {
    const check = connectCheck(both, new URL('http://example.com/customer-gate'), page, 'endpoint');
    assert.equal(check.status, 'fail');
    assert.match(check.title, /connect-src in the header policy #1/);
    assert.match(check.fix!, /Add http:\/\/example\.com to connect-src/);
  });

  it("the spec's example: a script from example.com passes both policies, one from example.net does not", () => {
    const loader = (specifier: string) => ({
      line: 1,
      kind: 'src' as const,
      specifier,
      type: 'module',
      nonce: null,
      integrity: null,
      version: null,
      text: null,
    });
    assert.equal(scriptCheck(both, loader('http://example.com/bc-customer-gate.js'), page).status, 'pass');
    assert.equal(scriptCheck(both, loader('http://example.net/bc-customer-gate.js'), page).status, 'fail');
  });

  it('a Report-Only policy warns instead of failing', () => {
    const policies = parsePolicyList("connect-src 'self'", 'header', 'report');
    assert.equal(connectCheck(policies, new URL('https://app.example/x'), page, 'endpoint').status, 'warn');
  });
});

describe('Trusted Types', () => {
  it("names the element's own policy as src/element/fragment.ts does", () => {
    assert.deepEqual([...TRUSTED_TYPES_NAMES], [POLICY_NAME]);
  });

  it("a trusted-types directive allows listed names or *; 'none' allows none", () => {
    const policy = (text: string) => parsePolicy(text, 'header', 'enforce')!;
    assert.ok(allowsTrustedTypesPolicy(policy('trusted-types dompurify bc-customer-gate'), 'bc-customer-gate'));
    assert.ok(!allowsTrustedTypesPolicy(policy('trusted-types dompurify'), 'bc-customer-gate'));
    assert.ok(allowsTrustedTypesPolicy(policy("trusted-types * 'allow-duplicates'"), 'bc-customer-gate'));
    assert.ok(!allowsTrustedTypesPolicy(policy("trusted-types 'none'"), 'bc-customer-gate'));
    assert.ok(!allowsTrustedTypesPolicy(policy('trusted-types'), 'bc-customer-gate'));
    assert.ok(!allowsTrustedTypesPolicy(policy('trusted-types BC-CUSTOMER-GATE'), 'bc-customer-gate'));
    assert.ok(allowsTrustedTypesPolicy(policy("require-trusted-types-for 'script'"), 'bc-customer-gate'));
  });

  it('the check: enforced and missing names fail; no Trusted Types directives, no check', () => {
    const fail = trustedTypesCheck(
      parsePolicyList("require-trusted-types-for 'script'; trusted-types dompurify", 'header', 'enforce'),
    )!;
    assert.equal(fail.status, 'fail');
    assert.match(fail.title, /forbid the policy "bc-customer-gate" the element creates/);
    const pass = trustedTypesCheck(
      parsePolicyList(
        "require-trusted-types-for 'script'; trusted-types dompurify bc-customer-gate",
        'header',
        'enforce',
      ),
    )!;
    assert.equal(pass.status, 'pass');
    assert.equal(trustedTypesCheck(parsePolicyList("script-src 'self'", 'header', 'enforce')), null);
  });
});
