// `bc-customer-gate doctor` end to end: the built CLI against real loopback servers, one healthy
// configuration and one deliberately broken configuration per check, each named with its fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDemo, type DemoHandle } from '../../demo/start.mjs';
import {
  app,
  CLIENT_ID,
  CLIENT_SECRET,
  gatePage,
  serve,
  storefront,
  STORE_HASH,
  type Running,
} from './doctor-servers.js';
import { assertNoStack, assertUsageError, runCli, type CliResult } from './run-cli.js';

type Storefront = Awaited<ReturnType<typeof storefront>>;
let shop: Storefront;
let healthy: Running;
const others: Running[] = [];

const HEALTHY_CSP = (appOrigin: string) =>
  `default-src 'self'; script-src 'nonce-r4nd0m' https://cdn.jsdelivr.net; connect-src 'self' ${appOrigin}; ` +
  `style-src 'self' 'unsafe-inline'; require-trusted-types-for 'script'; trusted-types bc-customer-gate`;

before(async () => {
  shop = await storefront();
  healthy = await app([shop.origin]);
});

after(async () => {
  await Promise.all([shop.close(), healthy.close(), ...others.map((server) => server.close())]);
});

async function extra(server: Promise<Running>): Promise<Running> {
  const running = await server;
  others.push(running);
  return running;
}

/** Serves `html` at a fresh path and runs the doctor on it. */
let pageCount = 0;
async function doctor(
  html: string,
  args: string[] = [],
  headers: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<CliResult> {
  const path = `/page-${++pageCount}.html`;
  shop.pages.set(path, { html, headers });
  const timeout = args.includes('--timeout') ? [] : ['--timeout', '3000'];
  const result = await runCli(['doctor', '--storefront', `${shop.origin}${path}`, ...timeout, ...args], {
    env,
    timeoutMs: 30_000,
  });
  assertNoStack(result);
  return result;
}

const columns = (text: string) => [...text].reduce((sum, char) => sum + (char.codePointAt(0)! >= 0x1100 ? 2 : 1), 0);

/**
 * The checklist with its wrapped lines joined again: a title continues on lines indented 2, a note
 * on lines indented 6, a fix on lines indented 9. report.ts wraps at 80 columns: at a space, two
 * columns short of the edge, or mid-word when a line reaches the edge.
 */
function unwrap(text: string): string {
  const out: string[] = [];
  let hang: string | null = null;
  let previous = '';
  for (const text_ of text.split('\n')) {
    if (hang !== null && text_.startsWith(hang) && text_[hang.length] !== ' ') {
      out[out.length - 1] += (columns(previous) >= 79 ? '' : ' ') + text_.slice(hang.length);
      previous = text_;
      continue;
    }
    previous = text_;
    out.push(text_);
    hang = /^[✓✗!-] |^bc-customer-gate doctor: /.test(text_)
      ? '  '
      : text_.startsWith('    fix: ')
        ? ' '.repeat(9)
        : /^ {4}\S/.test(text_)
          ? ' '.repeat(6)
          : null;
  }
  return out.join('\n');
}

/** The output line that starts with `mark` and matches `pattern`, and the fix line under it. */
function line(result: CliResult, mark: '✓' | '✗' | '!' | '-', pattern: RegExp): { title: string; fix: string } {
  const lines = unwrap(result.stdout).split('\n');
  const index = lines.findIndex((text) => text.startsWith(`${mark} `) && pattern.test(text));
  assert.notEqual(index, -1, `no "${mark}" line matching ${pattern} in:\n${result.stdout}`);
  let fix = '';
  for (let i = index + 1; i < lines.length && lines[i]!.startsWith('    '); i++) {
    if (lines[i]!.startsWith('    fix: ')) fix = lines[i]!.slice(9);
  }
  return { title: lines[index]!, fix };
}

describe('bc-customer-gate doctor: a healthy configuration', () => {
  it('passes every check and exits 0', async () => {
    const page = gatePage({
      endpoint: `${healthy.origin}/`,
      script:
        '<script type="module" nonce="r4nd0m" src="https://cdn.jsdelivr.net/npm/bc-customer-gate@0.1.0/dist/cdn/bc-customer-gate.js"></script>',
    });
    const result = await doctor(page, ['--client-id', CLIENT_ID], {
      'Content-Security-Policy': HEALTHY_CSP(healthy.origin),
    });
    assert.equal(result.code, 0, result.stdout);
    assert.doesNotMatch(result.stdout, /^✗/m);
    line(result, '✓', /1 <bc-customer-gate> tag/);
    line(
      result,
      '✓',
      /Script loads the element: ".*bc-customer-gate@0\.1\.0.*" on line \d+ \(type "module", nonce present\)/,
    );
    line(result, '✓', /CSP allows the element's script .*script-src/);
    line(result, '✓', /CSP allows connecting to the token route .*connect-src/);
    line(result, '✓', /CSP allows connecting to the endpoint .*connect-src/);
    line(result, '✓', /CSP Trusted Types \(enforced\) allow/);
    line(result, '✓', /Token route \/customer\/current\.jwt: 404 for a guest/);
    line(
      result,
      '✓',
      new RegExp(
        `Endpoint .* from ${shop.origin}: 401 "signature" as expected, CORS exact, no-store, Vary: Origin \\(401 in \\d+ ms\\)`,
      ),
    );
    line(result, '-', /www twin: not checked \(localhost has no www twin/);
    assert.match(result.stdout, /^Ready: every required check passed/m);
  });

  it('--json prints the same checks for CI, ok true', async () => {
    const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }), ['--json']);
    assert.equal(result.code, 0, result.stdout);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; title: string }>;
    };
    assert.equal(report.ok, true);
    assert.ok(report.checks.some((check) => check.id === 'endpoint.origin' && check.status === 'pass'));
    assert.ok(report.checks.every((check) => check.status !== 'fail'));
  });

  it('the demo storefront and app pass (account page: inline module import; members page: the widget)', async () => {
    const demo: DemoHandle = await startDemo({ storefrontPort: 0, appPort: 0, quiet: true });
    try {
      for (const path of ['/account.html', '/members.html', '/cart.html']) {
        const result = await runCli(['doctor', '--storefront', demo.url(path)]);
        assert.equal(result.code, 0, `${path}\n${result.stdout}`);
        line(result, '✓', /Endpoint .*401 "signature" as expected/);
      }
      const members = await runCli(['doctor', '--storefront', demo.url('/members.html')]);
      line(members, '✓', /1 from the Page Builder widget/);
      // End to end with the demo's public development secret: status and shape only, never data or the token.
      const e2e = await runCli(
        [
          'doctor',
          '--storefront',
          demo.url('/account.html'),
          '--endpoint',
          demo.app.endpoint,
          '--customer-id',
          '1',
          '--store',
          'demo42',
        ],
        {
          env: { BC_CLIENT_SECRET: 'demo-client-secret-public-never-use-in-production' },
        },
      );
      assert.equal(e2e.code, 0, e2e.stdout);
      line(e2e, '!', /End to end: sent .* a token minted with BC_CLIENT_SECRET/);
      line(e2e, '✓', /End to end from .*: verified, 200 application\/json/);
      assert.match(
        unwrap(e2e.stdout),
        /shape: \{ customer: \{ id: number, email: string, groupId: null \}, storeHash: string, expiresAt: number, data: /,
      );
      assert.doesNotMatch(e2e.stdout + e2e.stderr, /ann\.carter|demo-client-secret|eyJ/);
    } finally {
      await demo.close();
    }
  });
});

describe('bc-customer-gate doctor: broken configurations, each named with its fix', () => {
  it('an origin the endpoint does not allow (--also-origin, as a www twin would be)', async () => {
    const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }), [
      '--also-origin',
      'https://www.shop.example',
    ]);
    assert.equal(result.code, 1);
    line(result, '✓', new RegExp(`from ${shop.origin}: 401`));
    const refused = line(result, '✗', /from https:\/\/www\.shop\.example: origin refused \(403 in \d+ ms\)/);
    assert.match(refused.fix, /Add https:\/\/www\.shop\.example to the handler's origins option/);
  });

  it("the storefront origin itself missing from the endpoint's origins", async () => {
    const elsewhere = await extra(app(['https://store.example.com']));
    const result = await doctor(gatePage({ endpoint: `${elsewhere.origin}/` }));
    assert.equal(result.code, 1);
    const refused = line(result, '✗', new RegExp(`from ${shop.origin}: origin refused \\(403 in \\d+ ms\\)`));
    assert.match(refused.fix, new RegExp(`Add ${shop.origin} to the handler's origins`));
  });

  it('a CSP whose connect-src (or default-src) does not allow the endpoint', async () => {
    const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }), [], {
      'Content-Security-Policy': "default-src 'self'; script-src https://cdn.jsdelivr.net",
    });
    assert.equal(result.code, 1);
    const blocked = line(result, '✗', /CSP blocks connecting to the endpoint .* \(default-src in the header policy\)/);
    assert.match(blocked.fix, new RegExp(`Add ${healthy.origin} to connect-src`));
    line(result, '✓', /CSP allows connecting to the token route/);
  });

  it('a CSP with nonces and a script without one', async () => {
    const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }), [], {
      'Content-Security-Policy': `script-src 'nonce-abc' 'strict-dynamic'; connect-src 'self' ${healthy.origin}`,
    });
    assert.equal(result.code, 1);
    const blocked = line(result, '✗', /CSP blocks the element's script/);
    assert.match(blocked.fix, /Add nonce="\{\{nonce\}\}" to the script tag/);
  });

  it('a nonce policy in <meta> blocking the inline module that imports the element', async () => {
    const head = `<meta http-equiv="Content-Security-Policy" content="script-src 'nonce-xyz'">`;
    const result = await doctor(
      gatePage({
        endpoint: `${healthy.origin}/`,
        head,
        script: "<script type=module>import 'bc-customer-gate';</script>",
      }),
    );
    assert.equal(result.code, 1);
    line(result, '✓', /Script imports the element: an inline module imports "bc-customer-gate"/);
    const blocked = line(result, '✗', /CSP blocks the inline module .*<meta> policy/);
    assert.match(blocked.fix, /nonce="\{\{nonce\}\}"/);
  });

  it("Trusted Types enforced without the element's policy names", async () => {
    const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }), [], {
      'Content-Security-Policy': "require-trusted-types-for 'script'; trusted-types dompurify",
    });
    assert.equal(result.code, 1);
    const blocked = line(result, '✗', /Trusted Types forbid the policy "bc-customer-gate"/);
    assert.match(blocked.fix, /Add "bc-customer-gate" to the trusted-types list/);
  });

  it('a redirecting endpoint: reported with where it goes, never followed', async () => {
    let followed = 0;
    const target = await extra(
      serve((_request, response) => {
        followed++;
        response.end();
      }),
    );
    const redirecting = await extra(
      serve((_request, response) => {
        response.writeHead(307, { Location: `${target.origin}/customer-gate` });
        response.end();
      }),
    );
    const result = await doctor(gatePage({ endpoint: `${redirecting.origin}/old` }));
    assert.equal(result.code, 1);
    const redirect = line(result, '✗', new RegExp(`redirects \\(307\\) to "${target.origin}/customer-gate"`));
    assert.match(redirect.fix, /Set the gates' endpoint to the final URL/);
    assert.equal(followed, 0, 'the doctor followed the redirect');
  });

  it('a wrong client ID: against --client-id, and end to end (audience)', async () => {
    const page = gatePage({ endpoint: `${healthy.origin}/`, clientId: 'someone-elses-app' });
    const result = await doctor(page, ['--client-id', CLIENT_ID]);
    assert.equal(result.code, 1);
    const wrong = line(
      result,
      '✗',
      new RegExp(`Gates use client ID "someone-elses-app", not --client-id "${CLIENT_ID}"`),
    );
    assert.match(wrong.fix, /Set every gate's client-id to your app's client ID/);
    const fromEnv = await doctor(page, [], {}, { BC_CLIENT_ID: CLIENT_ID });
    assert.equal(fromEnv.code, 1);
    line(fromEnv, '✗', /Gates use client ID "someone-elses-app"/);

    const e2e = await doctor(
      page,
      ['--endpoint', `${healthy.origin}/`, '--customer-id', '7', '--store', STORE_HASH],
      {},
      { BC_CLIENT_SECRET: CLIENT_SECRET },
    );
    assert.equal(e2e.code, 1);
    const refused = line(e2e, '✗', /End to end from .*: token refused \(401, code "audience"\)/);
    assert.match(refused.fix, /verifies tokens for another client ID than "someone-elses-app"/);
    assert.ok(!e2e.stdout.includes(CLIENT_SECRET) && !e2e.stderr.includes(CLIENT_SECRET), 'the secret was printed');
    assert.doesNotMatch(unwrap(e2e.stdout), /eyJ[\w-]+\.eyJ/, 'a token was printed');
  });

  it('end to end with the right client ID: the shape of the answer, never its data', async () => {
    const e2e = await doctor(
      gatePage({ endpoint: `${healthy.origin}/` }),
      ['--endpoint', `${healthy.origin}/`, '--customer-id', '7', '--store', STORE_HASH],
      {},
      {
        BC_CLIENT_SECRET: CLIENT_SECRET,
      },
    );
    assert.equal(e2e.code, 0, e2e.stdout);
    assert.match(
      unwrap(e2e.stdout),
      /shape: \{ customer: \{ id: number, email: string, groupId: null \}, storeHash: string, expiresAt: number, data: \{ products: \[\{ sku: string, name: string \}\] ×1 \} \}/,
    );
    assert.doesNotMatch(unwrap(e2e.stdout), /secret product name|SKU-1|customer-7@/);
  });

  it('a page without the script', async () => {
    const result = await doctor(
      gatePage({ endpoint: `${healthy.origin}/`, script: '<script src="/theme.js"></script>' }),
    );
    assert.equal(result.code, 1);
    const missing = line(result, '✗', /No script on the page loads the element/);
    assert.match(missing.fix, /<script type="module" src="https:\/\/cdn\.jsdelivr\.net\/npm\/bc-customer-gate@/);
  });

  it('a page with two different endpoints: both named, and the stale one fails', async () => {
    const stale = await extra(
      serve((_request, response) => {
        response.writeHead(404, { 'Content-Type': 'text/html' });
        response.end('<h1>Not found</h1>');
      }),
    );
    const gates = ['/', '/v1/gate']
      .map(
        (path, i) =>
          `<bc-customer-gate client-id="${CLIENT_ID}" endpoint="${i === 0 ? healthy.origin : stale.origin}${path}"></bc-customer-gate>`,
      )
      .join('\n');
    const result = await doctor(gatePage({ endpoint: '', gates }));
    assert.equal(result.code, 1);
    const two = line(result, '!', /2 different endpoints on one page/);
    assert.ok(two.title.includes(`${healthy.origin}/`) && two.title.includes(`${stale.origin}/v1/gate`));
    line(result, '✓', new RegExp(`Endpoint ${healthy.origin}/ from`));
    const notEndpoint = line(
      result,
      '✗',
      new RegExp(
        `Endpoint ${stale.origin}/v1/gate from .*: not an exchange endpoint's answer \\(404 in \\d+ ms, "text/html"\\)`,
      ),
    );
    assert.match(notEndpoint.fix, /route where createCustomerGateHandler runs/);
  });

  it('an endpoint that hangs: bounded by --timeout', async () => {
    const hanging = await extra(serve(() => {}));
    const started = Date.now();
    const result = await doctor(gatePage({ endpoint: `${hanging.origin}/` }), ['--timeout', '400']);
    const elapsed = Date.now() - started;
    assert.equal(result.code, 1);
    const timeout = line(result, '✗', /Endpoint .*: no answer within 400 ms/);
    assert.match(timeout.fix, /raise --timeout/);
    assert.ok(elapsed < 8000, `took ${elapsed} ms`);
  });

  it('a huge page: read up to the cap, reported, never buffered whole', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const huge = await extra(
      serve((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.write(gatePage({ endpoint: `${healthy.origin}/` }).replace('</body></html>', '<p>'));
        // Endless: only the reader's stopping ends it.
        const pump = () => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', pump);
        };
        response.on('close', () => response.removeAllListeners('drain'));
        pump();
      }, 'localhost'),
    );
    const result = await runCli(
      ['doctor', '--storefront', `${huge.origin}/`, '--max-page-bytes', String(1024 * 1024), '--timeout', '5000'],
      { timeoutMs: 30_000 },
    );
    assertNoStack(result);
    line(result, '!', /Page is larger than 1 MiB: only the first 1 MiB were read and checked/);
    line(result, '✓', /1 <bc-customer-gate> tag/);
    assert.ok(huge.bytesSent < 16 * 1024 * 1024, `the server sent ${huge.bytesSent} bytes`);
  });

  // Every host in these tests is on loopback: the hostile values go to our own servers or nowhere.
  it('a hostile page: terminal escape sequences in attribute values are never printed raw', async () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2J\u001b[1A\u202eevil\u009b31m';
    const gates = `<bc-customer-gate client-id="${evil}" endpoint="${healthy.origin}/${evil}" logged-in="${evil}" token-url="https://evil.example/${evil}"></bc-customer-gate>`;
    const page = gatePage({
      endpoint: '',
      gates,
      head: `<meta http-equiv="Content-Security-Policy" content="connect-src ${evil}">`,
      script: `<script type="${evil}" src="https://cdn.jsdelivr.net/npm/bc-customer-gate@${evil}/dist/cdn/bc-customer-gate.js"></script>`,
    });
    for (const args of [
      ['--timeout', '2000'],
      ['--json', '--timeout', '2000'],
    ]) {
      // Node refuses C0 controls in a header; a C1 control passes as a Latin-1 byte.
      const result = await doctor(page, args, { 'X-Note': '\u009b2J' });
      assert.equal(result.code, 1);
      for (const output of [result.stdout, result.stderr]) {
        assert.doesNotMatch(
          output,
          /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
          `raw control characters in: ${JSON.stringify(output)}`,
        );
      }
      assert.match(result.stdout, /\\u001b/);
    }
    const text = await doctor(page, ['--timeout', '2000']);
    line(text, '✗', /A gate's token-url is on another origin/);
    line(text, '✗', /A gate's logged-in is neither "true" nor "false"/);
  });

  it('missing CORS headers (a proxy that drops them) and a cacheable answer', async () => {
    const stripped = await extra(
      serve((_request, response) => {
        response.writeHead(401, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ error: 'invalid_token', code: 'signature' }));
      }),
    );
    const result = await doctor(gatePage({ endpoint: `${stripped.origin}/` }));
    assert.equal(result.code, 1);
    const cors = line(
      result,
      '✗',
      /no Access-Control-Allow-Origin.*; Cache-Control lacks no-store.*; Vary lacks Origin/,
    );
    assert.match(cors.fix, /drops Access-Control-Allow-Origin/);
  });

  it('a token route that answers an HTML page (headless storefront)', async () => {
    shop.routes.token = (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<!doctype html><div id="__next"></div>');
    };
    try {
      const result = await doctor(gatePage({ endpoint: `${healthy.origin}/` }));
      assert.equal(result.code, 1);
      const route = line(result, '✗', /Token route \/customer\/current\.jwt: answers an HTML page/);
      assert.match(route.fix, /no Current Customer route/);
    } finally {
      shop.routes.token = null;
    }
  });

  it('an endpoint nobody listens on', async () => {
    const gone = await serve(() => {});
    await gone.close();
    const result = await doctor(gatePage({ endpoint: `${gone.origin}/` }));
    assert.equal(result.code, 1);
    const refused = line(result, '✗', /connection refused/);
    assert.match(refused.fix, /Start the endpoint/);
  });

  it('TLS: a certificate browsers would refuse, and plain http where https was expected', async () => {
    // A throwaway self-signed certificate for localhost, made for this test only.
    const dir = mkdtempSync(join(tmpdir(), 'doctor-tls-'));
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(made.status, 0, `openssl failed: ${made.stderr}`);
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_request, response) => response.end('<p>hi</p>'),
    );
    rmSync(dir, { recursive: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const result = await runCli([
        'doctor',
        '--storefront',
        `https://localhost:${(server.address() as AddressInfo).port}/`,
        '--timeout',
        '3000',
      ]);
      assertNoStack(result);
      assert.equal(result.code, 1);
      const tls = line(
        result,
        '✗',
        /Page https:\/\/localhost:\d+\/: TLS failed: the certificate was not accepted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
      );
      assert.match(tls.fix, /certificate browsers accept/);
    } finally {
      server.closeAllConnections();
      server.close();
    }

    const plain = await doctor(gatePage({ endpoint: `https://127.0.0.1:${healthy.port}/` }));
    assert.equal(plain.code, 1);
    line(plain, '✗', /Endpoint https:\/\/127\.0\.0\.1:\d+\/ from .*: TLS failed: no TLS handshake/);
  });

  it('a page that is not there', async () => {
    const result = await runCli(['doctor', '--storefront', `${shop.origin}/missing.html`]);
    assert.equal(result.code, 1);
    line(result, '✗', /answered 404 to a guest/);
  });
});

describe('bc-customer-gate doctor: usage', () => {
  it('bad arguments exit 2 with the usage line', async () => {
    assertUsageError(await runCli(['doctor']), /Missing --storefront/);
    assertUsageError(
      await runCli(['doctor', '--storefront', 'http://store.example.com/']),
      /must use https \(plain http is accepted only on localhost/,
    );
    assertUsageError(await runCli(['doctor', '--storefront', 'not a url']), /--storefront must be an absolute URL/);
    assertUsageError(
      await runCli(['doctor', '--storefront', 'https://s.example/', '--endpoint', 'http://app.example/']),
      /--endpoint must use https/,
    );
    assertUsageError(
      await runCli(['doctor', '--storefront', 'https://s.example/', '--timeout', '0']),
      /--timeout must be a whole number/,
    );
    const e2e = ['--storefront', 'https://s.example/', '--endpoint', 'https://app.example/gate'];
    assertUsageError(await runCli(['doctor', ...e2e, '--customer-id', '1', '--store', 'abc']), /BC_CLIENT_SECRET/);
    assertUsageError(
      await runCli(['doctor', ...e2e, '--customer-id', '1'], { env: { BC_CLIENT_SECRET: 'x' } }),
      /needs --store/,
    );
    assertUsageError(
      await runCli(['doctor', ...e2e, '--store', 'abc'], { env: { BC_CLIENT_SECRET: 'x' } }),
      /--store goes with --customer-id/,
    );
    // A signed token never goes to an endpoint read from the page.
    assertUsageError(
      await runCli(['doctor', '--storefront', 'https://s.example/', '--customer-id', '1', '--store', 'abc'], {
        env: { BC_CLIENT_SECRET: 'x' },
      }),
      /needs --endpoint/,
    );
    assertUsageError(await runCli(['doctor', '--storefront', 'https://s.example/', 'extra']), /Unexpected argument/);
  });

  it('--help describes every option; the top-level help lists doctor', async () => {
    const result = await runCli(['doctor', '--help']);
    assert.equal(result.code, 0);
    for (const flag of [
      '--storefront',
      '--endpoint',
      '--client-id',
      '--also-origin',
      '--timeout',
      '--customer-id',
      '--store',
      '--json',
    ])
      assert.ok(result.stdout.includes(flag), flag);
    assert.match((await runCli(['--help'])).stdout, /^ {2}doctor {2}/m);
  });
});
