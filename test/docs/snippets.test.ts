// Every code snippet in README.md and docs/*.md is tested as written: each JavaScript block is
// type-checked against the built package's declarations, the servers are started and exchange a
// real token over HTTP, and the other languages are checked for what they claim.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../../scripts/free-port.mjs';
import { WORKER_BUILD } from '../../scripts/worker-bundle.mjs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { mintCustomerToken } from '../../src/testing/mint.js';
import { createMockStoreApi } from '../../src/testing/store-api.js';
import { cdnScriptUrl, widgetHtml } from '../../src/widget/template.js';
import { attribute, elements, liveNodes, parseDocument, renderWithPaper } from '../cli/paper.js';
import { blockUnder, codeBlocks, documentationPages, root, type CodeBlock } from './markdown.js';

// Inside the package folder, so `bc-customer-gate/...` resolves through the package's own exports map.
const dir = new URL('out/docs-snippets/', root);
// `text` and `console` (a transcript) are prose; every other language is checked below.
const LANGUAGES = new Set(['text', 'console', 'sh', 'bash', 'js', 'ts', 'json', 'css', 'handlebars', 'html', 'toml']);
const SCRIPT = new Set(['js', 'ts']);
const SHELL = new Set(['sh', 'bash']);

const CLIENT_ID = 'docs-client';
const SECRET = 'docs-secret';
const STORE = 'abc123';
const ORIGIN = 'https://store.example.com';
const env = { BC_CLIENT_ID: CLIENT_ID, BC_CLIENT_SECRET: SECRET, BC_STORE_HASH: STORE };

const allBlocks = () => documentationPages().flatMap(codeBlocks);

function fileFor(block: CodeBlock): URL {
  const ext = block.lang === 'ts' ? 'mts' : 'mjs';
  return new URL(`${block.page.replace(/[^\w]+/g, '-')}-L${block.line}.${ext}`, dir);
}

function write(block: CodeBlock): string {
  const file = fileFor(block);
  writeFileSync(file, block.code);
  return fileURLToPath(file);
}

const token = (customer: { id: number; email: string; groupId?: string }) =>
  mintCustomerToken({ clientId: CLIENT_ID, clientSecret: SECRET, storeHash: STORE, customer });

const exchange = (url: string, body: string, origin = ORIGIN) =>
  fetch(url, { method: 'POST', headers: { Origin: origin, 'Content-Type': 'text/plain' }, body });

const children: ChildProcess[] = [];

/** Starts a snippet that listens on $PORT and waits until it answers. */
async function startServer(file: string): Promise<{ url: string; stderr: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}/customer-gate`;
  for (let tries = 0; ; tries++) {
    try {
      await fetch(url, { method: 'OPTIONS' });
      return { url, stderr: () => stderr };
    } catch (error) {
      if (tries > 200 || child.exitCode !== null) throw new Error(`${file} did not start: ${stderr}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Imports a snippet module with the documented environment variables set. */
/** Runs `work` with the snippets' environment variables set, as a deployed app has them. */
async function withEnv<T>(work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const key of Object.keys(env)) if (!(key in saved)) delete process.env[key];
  }
}

function importSnippet(block: CodeBlock): Promise<Record<string, unknown>> {
  return withEnv(() => import(`${fileFor(block).href}?${Date.now()}`));
}

describe('documentation snippets', () => {
  before(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  });
  after(() => {
    for (const child of children) child.kill();
  });

  it('every block says its language, and only languages these tests check', () => {
    const blocks = allBlocks();
    assert.ok(blocks.length >= 30, `only ${blocks.length} blocks found`);
    for (const block of blocks) {
      assert.ok(
        LANGUAGES.has(block.lang),
        `${block.page}:${block.line}: \`\`\`${block.lang || '(none)'} is not one of ${[...LANGUAGES].join(', ')}`,
      );
    }
  });

  it('every JavaScript and TypeScript block type-checks against the built package', () => {
    const blocks = allBlocks().filter((block) => SCRIPT.has(block.lang));
    assert.ok(blocks.length >= 10, `only ${blocks.length} js blocks`);
    const files = blocks.map((block) => `./${fileFor(block).pathname.split('/').pop()}`);
    for (const block of blocks) write(block);
    // What the snippets take from their surroundings: a token in hand, the app's own data, and the
    // Deno and Bun globals (their type packages are not installed here).
    writeFileSync(
      new URL('globals.d.ts', dir),
      `declare const token: string;
declare function recentPurchases(storeHash: string, customerId: number): Promise<Array<{ name: string }>>;
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { port?: number }, handler: (request: Request) => Response | Promise<Response>): unknown;
};
declare const Bun: { serve(options: { port?: number; fetch(request: Request): Response | Promise<Response> }): unknown };
`,
    );
    writeFileSync(
      new URL('tsconfig.json', dir),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: ['node'],
          allowJs: true,
          checkJs: true,
          noEmit: true,
          skipLibCheck: true,
          // Plain JavaScript as users write it: wrong names, imports and option shapes are errors,
          // an unset environment variable is not.
          strict: false,
        },
        files: ['./globals.d.ts', ...files],
      }),
    );
    const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', root));
    const result = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.json', dir))], {
      encoding: 'utf8',
    });
    assert.equal(
      result.status,
      0,
      `type errors in documentation snippets (files under out/docs-snippets/ are named page-Lline):\n${result.stdout}${result.stderr}`,
    );
  });

  it('README: the node:http server answers a verified customer with their data, and refuses another origin', async () => {
    const server = await startServer(write(blockUnder('README.md', '2. The server verifies it', 'js')));
    const response = await exchange(server.url, await token({ id: 4927, email: 'john.doe@example.com' }));
    assert.equal(response.status, 200, server.stderr());
    assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN);
    const body = await response.json();
    assert.equal(body.customer.id, 4927);
    assert.equal(body.storeHash, STORE);
    assert.deepEqual(
      body.data.products.map((p: { name: string }) => p.name),
      ['Ethiopia Guji, 250 g'],
    );

    const refused = await exchange(
      server.url,
      await token({ id: 4927, email: 'john.doe@example.com' }),
      'https://evil.example',
    );
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  it("README: the node:http example bounds slow requests well below Node's 300 s default", () => {
    const { code } = blockUnder('README.md', '2. The server verifies it', 'js');
    const setting = (name: string) => Number(new RegExp(`${name}:\\s*([\\d_]+)`).exec(code)?.[1]?.replace(/_/g, ''));
    const requestTimeout = setting('requestTimeout');
    const headersTimeout = setting('headersTimeout');
    assert.ok(requestTimeout > 0 && requestTimeout <= 30_000, `requestTimeout ${requestTimeout}`);
    assert.ok(headersTimeout > 0 && headersTimeout <= requestTimeout, `headersTimeout ${headersTimeout}`);
    // Node enforces both timeouts only when it sweeps its connections (every 30 s by default).
    const interval = setting('connectionsCheckingInterval');
    assert.ok(interval > 0 && interval <= 2_000, `connectionsCheckingInterval ${interval}`);
  });

  it('README: the node:http server, saved as TypeScript, type-checks under strict', () => {
    const strict = new URL('strict/', dir);
    mkdirSync(strict, { recursive: true });
    writeFileSync(new URL('server.mts', strict), blockUnder('README.md', '2. The server verifies it', 'js').code);
    writeFileSync(
      new URL('tsconfig.json', strict),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['./server.mts'],
      }),
    );
    const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', root));
    const result = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.json', strict))], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `out/docs-snippets/strict/server.mts:\n${result.stdout}${result.stderr}`);
  });

  it('README: the node:http server refuses to start without its three variables, naming them', () => {
    const file = write(blockUnder('README.md', '2. The server verifies it', 'js'));
    const { BC_CLIENT_ID: _, ...without } = { ...process.env, ...env };
    const result = spawnSync(process.execPath, [file], { env: without, encoding: 'utf8', timeout: 10_000 });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /BC_CLIENT_ID, BC_CLIENT_SECRET and BC_STORE_HASH/);
  });

  it('README: the shell walkthrough (server, mint, curl) prints a verified customer', async () => {
    const server = blockUnder('README.md', '2. The server verifies it', 'js');
    const walkthrough = blockUnder('README.md', '2. The server verifies it', 'sh');
    const work = new URL('walkthrough/', dir);
    mkdirSync(new URL('bin/', work), { recursive: true });
    writeFileSync(new URL('server.mjs', work), server.code);
    // `npx bc-customer-gate` runs the built command line; the server listens on a free port; curl
    // retries while the background server is still starting.
    const cli = fileURLToPath(new URL('dist/cli/main.js', root));
    writeFileSync(
      new URL('bin/npx', work),
      `#!/bin/sh\n[ "$1" = bc-customer-gate ] || exit 127\nshift\nexec "${process.execPath}" "${cli}" "$@"\n`,
      { mode: 0o755 },
    );
    const port = await freePort();
    assert.match(walkthrough.code, /localhost:3000/);
    const script = [
      'curl() { for try in $(seq 100); do command curl "$@" && return 0; sleep 0.05; done; return 1; }',
      walkthrough.code.replaceAll('localhost:3000', `localhost:${port}`),
      'kill $! 2>/dev/null',
    ].join('\n');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-c', script], {
        cwd: fileURLToPath(work),
        env: { PATH: `${fileURLToPath(new URL('bin/', work))}:${process.env.PATH}`, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout);
    assert.equal(body.customer.id, 4927);
    assert.deepEqual(
      body.data.products.map((p: { name: string }) => p.name),
      ['Ethiopia Guji, 250 g'],
    );
  });

  it('recipes: the Express server answers a verified customer', async () => {
    const server = await startServer(write(blockUnder('docs/recipes.md', 'Server: Express', 'js')));
    const response = await exchange(server.url, await token({ id: 7, email: 'ann@example.com' }));
    assert.equal(response.status, 200, server.stderr());
    assert.deepEqual((await response.json()).data, { greeting: 'Hello, customer 7' });
    assert.equal((await exchange(server.url, 'not-a-token')).status, 401);
  });

  it('recipes: the Next.js route module exports POST and OPTIONS that exchange a token', async () => {
    const block = blockUnder('docs/recipes.md', 'Server: Next.js route handler', 'js');
    write(block);
    const route = (await importSnippet(block)) as Record<string, (request: Request) => Promise<Response>>;
    const url = 'https://app.example.com/customer-gate';
    // The recipe reads its configuration on the first request, so it is not needed at import (as in `next build`).
    const body = await token({ id: 9, email: 'b@example.com' });
    const post = await withEnv(() =>
      route.POST!(
        new Request(url, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'text/plain' }, body }),
      ),
    );
    assert.equal(post.status, 200);
    assert.equal((await post.json()).customer.id, 9);
    const preflight = await route.OPTIONS!(new Request(url, { method: 'OPTIONS', headers: { Origin: ORIGIN } }));
    assert.equal(preflight.status, 204);
  });

  it("server: the exchange example's authorize denies group 5 and returns the customer's purchases", async () => {
    const block = blockUnder('docs/server.md', 'The exchange endpoint', 'js');
    write(block);
    // The snippet reads BigCommerce's API with the store's token: here the mock store API, reached by
    // sending api.bigcommerce.com's requests to it over loopback.
    const api = createMockStoreApi({ seed: false });
    api.addStore({
      hash: STORE,
      tokens: { 'docs-store-token': ['store_v2_orders_read_only', 'store_v2_products_read_only'] },
    });
    api.addProduct(STORE, { id: 1, name: 'Docs Mug' });
    api.addOrder(STORE, { customerId: 3, createdAt: '2026-01-02T03:04:05Z', lines: [{ productId: 1, quantity: 2 }] });
    const apiUrl = await api.listen();
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) =>
      realFetch(
        String(input instanceof Request ? input.url : input).replace('https://api.bigcommerce.com', apiUrl),
        init,
      );
    process.env.BC_ACCESS_TOKEN = 'docs-store-token';
    try {
      const { handler } = (await importSnippet(block)) as { handler: (request: Request) => Promise<Response> };
      const call = async (customer: { id: number; email: string; groupId?: string }) =>
        handler(
          new Request('https://app.example.com/customer-gate', {
            method: 'POST',
            headers: { Origin: ORIGIN, 'Content-Type': 'text/plain' },
            body: await token(customer),
          }),
        );
      const allowed = await call({ id: 3, email: 'c@example.com', groupId: '1' });
      assert.equal(allowed.status, 200);
      const { products } = (await allowed.json()).data;
      assert.deepEqual(
        products.map((item: { name: string; quantity: number; purchasedAt: string }) => [
          item.name,
          item.quantity,
          item.purchasedAt,
        ]),
        [['Docs Mug', 2, '2026-01-02T03:04:05.000Z']],
      );
      assert.equal((await call({ id: 4, email: 'd@example.com', groupId: '5' })).status, 403);
      assert.ok(api.calls.some((c) => c.path === `/stores/${STORE}/v2/orders` && c.query.customer_id === '3'));
    } finally {
      globalThis.fetch = realFetch;
      delete process.env.BC_ACCESS_TOKEN;
      await api.close();
    }
  });

  it('testing: every example in docs/testing.md passes as a node:test file', () => {
    const blocks = codeBlocks(documentationPages().find((page) => page.endsWith('testing.md'))!).filter(
      (block) => block.lang === 'js',
    );
    assert.equal(blocks.length, 4);
    for (const block of blocks) {
      // A child run of its own, reporting as TAP (not to this runner, which NODE_TEST_CONTEXT would do).
      const { NODE_TEST_CONTEXT: _, ...childEnv } = process.env;
      const result = spawnSync(process.execPath, ['--test', '--test-reporter=tap', write(block)], {
        encoding: 'utf8',
        timeout: 60_000,
        env: childEnv,
      });
      assert.equal(result.status, 0, `${block.page}:${block.line}\n${result.stdout}${result.stderr}`);
      assert.match(result.stdout, /# fail 0/);
    }
  });

  it("server: the html tag example escapes the customer's email in the fragment", async () => {
    const block = blockUnder('docs/server.md', 'The `html` tag', 'js');
    write(block);
    const { fragmentHandler } = (await importSnippet(block)) as {
      fragmentHandler: (request: Request) => Promise<Response>;
    };
    const email = '<img src=x onerror=alert(1)>@example.com';
    const response = await fragmentHandler(
      new Request('https://app.example.com/customer-gate', {
        method: 'POST',
        headers: { Origin: ORIGIN, 'Content-Type': 'text/plain' },
        body: await token({ id: 5, email }),
      }),
    );
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    const body = await response.text();
    assert.ok(body.includes('&lt;img src=x onerror=alert(1)&gt;@example.com'), body);
    assert.ok(!body.includes('<img'), body);
  });

  it('every CSS block is the pre-upgrade rule the browser suite tests in the README', () => {
    const readmeRule = blockUnder('README.md', 'Before the script runs', 'css').code;
    const css = allBlocks().filter((block) => block.lang === 'css' && block.heading === 'Before the script runs');
    assert.ok(css.length >= 2);
    for (const block of css) assert.equal(block.code, readmeRule, `${block.page}:${block.line}`);
  });

  it("the Layout section's rules are the demo's, which the page benchmark measures", () => {
    const demo = readFileSync(new URL('demo/site/store.css', root), 'utf8').replace(/\s+/g, ' ');
    const blocks = allBlocks().filter((block) => block.lang === 'css' && block.heading === 'Layout');
    assert.equal(blocks.length, 2);
    for (const block of blocks) {
      const rules = block.code
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\s+/g, ' ')
        .trim();
      assert.ok(demo.includes(rules), `${block.page}:${block.line} is not in demo/site/store.css`);
    }
  });

  it('every JSON block parses', () => {
    for (const block of allBlocks().filter((b) => b.lang === 'json')) {
      assert.doesNotThrow(() => JSON.parse(block.code), `${block.page}:${block.line}`);
    }
  });
  it('the Scripts API example is a body BigCommerce takes, for a script that loads for every shopper and goes with the app', () => {
    const block = blockUnder('docs/recipes.md', 'Script Manager (CDN)', 'json');
    const body = JSON.parse(block.code) as Record<string, unknown>;
    // Field values from BigCommerce's Scripts API reference (reference/scripts.v3.yml).
    assert.ok(['src', 'script_tag'].includes(body.kind as string));
    assert.ok(['head', 'footer'].includes(body.location as string));
    assert.ok(['storefront', 'all_pages', 'checkout', 'order_confirmation'].includes(body.visibility as string));
    if (body.kind === 'script_tag')
      assert.equal(body.load_method, 'default', 'script_tag takes load_method default only');
    assert.ok(
      ['essential', 'functional'].includes(body.consent_category as string),
      'other categories wait for consent or never load',
    );
    assert.equal(body.auto_uninstall, true, 'the script goes when the app is uninstalled');
    const scripts = elements(liveNodes(parseDocument(body.html as string))).filter((el) => el.tagName === 'script');
    assert.equal(scripts.length, 1, 'a script_tag holds one script');
    assert.equal(attribute(scripts[0]!, 'type'), 'module');
    assert.equal(attribute(scripts[0]!, 'src'), cdnScriptUrl('VERSION'));
  });

  it('the widget template in the recipes is the one the package installs', () => {
    const block = blockUnder('docs/recipes.md', 'The widget template', 'handlebars');
    assert.equal(block.code, widgetHtml(cdnScriptUrl('VERSION')));
  });

  it('the placed widget in the recipes is what Stencil Paper renders from the template and those settings', async () => {
    const block = blockUnder('docs/recipes.md', 'Page Builder widget', 'html');
    const rendered = await renderWithPaper(widgetHtml(cdnScriptUrl('VERSION')), {
      clientId: 'YOUR_CLIENT_ID',
      endpoint: 'https://app.example.com/customer-gate/fragment',
      loadingText: 'Checking your account…',
      signedOutText: 'Sign in to see your member prices.',
      signInUrl: '/login.php',
      signInLinkText: 'Sign in',
      deniedText: 'Your account does not include member prices yet.',
      errorText: 'Could not load your member prices.',
      retryText: 'Try again',
      contentTemplate: '',
    });
    assert.equal(block.code, rendered);
  });

  it('every Stencil template snippet renders with Paper: the nonce on the script, the logged-in hint from {{customer}}', async () => {
    const stencil = allBlocks().filter(
      (block) => block.lang === 'handlebars' && /logged-in="\{\{#if customer\}\}/.test(block.code),
    );
    assert.ok(stencil.length >= 3, `only ${stencil.length} Stencil snippets`);
    for (const block of stencil) {
      for (const [customer, hint] of [
        [{ id: 1, email: 'a@example.com' }, 'true'],
        [undefined, 'false'],
      ] as const) {
        const html = await renderWithPaper(block.code, customer ? { customer } : {}, { nonce: 'n0nce' });
        const live = elements(liveNodes(parseDocument(html)));
        const where = `${block.page}:${block.line}`;
        const gate = live.find((el) => el.tagName === 'bc-customer-gate');
        assert.ok(gate, where);
        assert.equal(attribute(gate, 'logged-in'), hint, where);
        assert.ok(attribute(gate, 'client-id') && attribute(gate, 'endpoint'), where);
        for (const script of live.filter((el) => el.tagName === 'script'))
          assert.equal(attribute(script, 'nonce'), 'n0nce', where);
      }
    }
  });

  it('every command line in the docs uses options the command documents in its --help', () => {
    const cli = fileURLToPath(new URL('dist/cli/main.js', root));
    const helps = new Map<string, string>();
    let checked = 0;
    for (const block of allBlocks().filter((b) => SHELL.has(b.lang))) {
      const text = block.code.replace(/\\\n\s*/g, ' ');
      for (const match of text.matchAll(
        /bc-customer-gate ((?:widget )?[a-z]+)((?: +(?:"[^"]*"|'[^']*'|[^\s|;)#]+))*)/g,
      )) {
        const command = match[1]!;
        if (!helps.has(command)) {
          const help = spawnSync(process.execPath, [cli, ...command.split(' '), '--help'], { encoding: 'utf8' });
          assert.equal(
            help.status,
            0,
            `${block.page}:${block.line}: bc-customer-gate ${command} --help failed: ${help.stderr}`,
          );
          helps.set(command, help.stdout);
        }
        for (const flag of match[2]!.match(/--[a-z-]+/g) ?? []) {
          checked++;
          assert.match(
            helps.get(command)!,
            new RegExp(`^\\s+(?:-\\w, )?${flag}(?![\\w-])`, 'm'),
            `${block.page}:${block.line}: ${command} has no ${flag}`,
          );
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} options checked`);
  });
  it('recipes: the Cloudflare Worker, bundled with no Node built-ins, runs in workerd with its wrangler.toml', async () => {
    const block = blockUnder('docs/recipes.md', 'Server: Cloudflare Workers', 'js');
    const toml = blockUnder('docs/recipes.md', 'Server: Cloudflare Workers', 'toml').code;
    const entry = write(block);
    const bundle = await build({ ...WORKER_BUILD, entryPoints: [entry], absWorkingDir: fileURLToPath(root) });
    // The [vars] as written, and the compatibility date the docs give.
    const vars = Object.fromEntries(
      [...toml.slice(toml.indexOf('[vars]')).matchAll(/^(\w+) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const compatibilityDate = /^compatibility_date = "([\d-]+)"$/m.exec(toml)![1]!;
    assert.ok(vars.ALLOWED_ORIGINS?.includes(ORIGIN) && vars.ALLOWED_STORES && vars.BC_CLIENT_ID, JSON.stringify(vars));
    const mf = new Miniflare({
      host: '127.0.0.1',
      port: 0,
      modules: true,
      script: bundle.outputFiles[0]!.text,
      scriptPath: entry,
      compatibilityDate,
      compatibilityFlags: [],
      bindings: { ...vars, BC_CLIENT_SECRET: SECRET },
    });
    try {
      const base = await mf.ready;
      const mint = (storeHash: string) =>
        mintCustomerToken({
          clientId: vars.BC_CLIENT_ID!,
          clientSecret: SECRET,
          storeHash,
          customer: { id: 21, email: 'w@example.com' },
        });
      const url = new URL('/customer-gate', base).href;
      const response = await exchange(url, await mint(vars.ALLOWED_STORES!.split(',')[0]!.trim()));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), ORIGIN);
      assert.deepEqual((await response.json()).data, { plan: 'gold' });
      assert.equal((await exchange(url, await mint('otherstore'))).status, 401);
      assert.equal((await fetch(new URL('/elsewhere', base))).status, 404);
    } finally {
      await mf.dispose();
    }
  });
});
