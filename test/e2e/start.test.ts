// demo/start.mjs over real sockets, without a browser: what startDemo serves, the app's CORS
// allow-list, port errors, and `node demo/start.mjs` as a process (banner, signals, no auto-start
// on import).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDemo, type DemoHandle } from '../../demo/start.mjs';
import { root } from './browser.js';

const PAGES = ['/', '/account.html', '/shop.html', '/cart.html', '/members.html'];

let demo: DemoHandle;
before(async () => {
  demo = await startDemo({ storefrontPort: 0, appPort: 0, quiet: true });
});
after(async () => {
  await demo?.close();
});

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

interface Run {
  child: ReturnType<typeof spawn>;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, DEMO_SKIP_BUILD: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('startDemo', () => {
  it('runs the storefront and the app on two different origins of loopback', () => {
    const storefront = new URL(demo.storefrontUrl);
    const app = new URL(demo.appUrl);
    assert.equal(storefront.hostname, 'localhost');
    assert.equal(app.hostname, '127.0.0.1');
    assert.notEqual(storefront.origin, app.origin);
    assert.equal(demo.app.endpoint, `${app.origin}/customer-gate`);
    assert.equal(demo.app.fragmentEndpoint, `${app.origin}/customer-gate/fragment`);
    // The dev command prints a handle's URL strings: only these two are listed.
    assert.deepEqual(Object.keys(demo).sort(), ['appUrl', 'storefrontUrl']);
  });

  it('renders every page with its placeholders filled, for a guest and for a customer', async () => {
    const cookie = demo.storefront.signIn(1);
    for (const path of PAGES) {
      for (const headers of [{}, { Cookie: cookie }] as Array<Record<string, string>>) {
        const response = await fetch(demo.url(path), { headers });
        assert.equal(response.status, 200, path);
        const body = await response.text();
        assert.doesNotMatch(body, /\{\{/, `${path} has a placeholder left`);
        if (path !== '/') assert.match(body, /<bc-customer-gate/, path);
      }
    }
    const guest = await (await fetch(demo.url('/account.html'))).text();
    assert.match(guest, /logged-in="false"/);
    assert.match(guest, new RegExp(`endpoint="${demo.app.endpoint}"`));
    const signedIn = await (await fetch(demo.url('/account.html'), { headers: { Cookie: cookie } })).text();
    assert.match(signedIn, /logged-in="true"/);
    assert.match(signedIn, /Ann Carter/);
    const members = await (await fetch(demo.url('/members.html'))).text();
    assert.match(members, new RegExp(`endpoint="${demo.app.fragmentEndpoint}"`));
    demo.storefront.reset();
  });

  it('serves both builds of the element and Lit for the import map', async () => {
    for (const path of [
      '/dist/cdn/bc-customer-gate.js',
      '/dist/element/index.js',
      '/vendor/@lit/reactive-element/reactive-element.js',
      '/vendor/@lit/reactive-element/css-tag.js',
    ]) {
      const response = await fetch(demo.url(path));
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/, path);
    }
  });

  it('the app answers the storefront origin only, and never with a wildcard', async () => {
    const token = await (
      await fetch(
        `${new URL(demo.storefrontUrl).origin}/customer/current.jwt?app_client_id=demo-client-id-not-a-real-app`,
        {
          headers: { Cookie: demo.storefront.signIn(2) },
        },
      )
    ).text();
    const storefrontOrigin = new URL(demo.storefrontUrl).origin;
    const ok = await fetch(demo.app.endpoint, {
      method: 'POST',
      body: token,
      headers: { Origin: storefrontOrigin, 'Content-Type': 'text/plain' },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), storefrontOrigin);
    const body = (await ok.json()) as { customer: { id: number }; data: { products: Array<{ name: string }> } };
    assert.equal(body.customer.id, 2);
    assert.deepEqual(
      body.data.products.map((p) => p.name),
      ['Harbor Espresso Blend, 1 kg', 'Swiss Water Decaf, 250 g', '58 mm Tamper'],
    );

    for (const origin of ['http://127.0.0.1:1', demo.app.origin, storefrontOrigin.replace('localhost', '127.0.0.1')]) {
      const refused = await fetch(demo.app.endpoint, {
        method: 'POST',
        body: token,
        headers: { Origin: origin, 'Content-Type': 'text/plain' },
      });
      assert.equal(refused.status, 403, origin);
      assert.equal(refused.headers.get('access-control-allow-origin'), null, origin);
      assert.doesNotMatch(await refused.text(), /Espresso/, origin);
    }
    demo.storefront.reset();
  });

  it('app.stop() refuses connections and app.start() listens again on the same port', async () => {
    await demo.app.stop();
    await assert.rejects(fetch(demo.appUrl));
    await demo.app.start();
    assert.equal((await fetch(demo.appUrl)).status, 200);
  });

  it('a port in use fails with one line naming the variable to change, and leaves nothing listening', async () => {
    const { server, port } = await occupy();
    const listening = () => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;
    const before = listening();
    try {
      await assert.rejects(startDemo({ storefrontPort: port, appPort: 0, quiet: true }), {
        message: `Port ${port} (the storefront) is already in use: set STOREFRONT_PORT (bc-customer-gate dev: --port) to a free port, or to 0 to pick one.`,
      });
      await assert.rejects(startDemo({ storefrontPort: 0, appPort: port, quiet: true }), {
        message: `Port ${port} (the app backend) is already in use: set APP_PORT (bc-customer-gate dev: --app-port) to a free port, or to 0 to pick one.`,
      });
      // The storefront that did start was closed again.
      await until(() => listening() === before, 'the failed servers to close', 2000);
    } finally {
      server.close();
    }
  });

  it('refuses bad ports from options and from the environment', async () => {
    await assert.rejects(
      startDemo({ storefrontPort: 70_000, quiet: true }),
      /"storefrontPort" must be a port number from 0 to 65535/,
    );
    await assert.rejects(startDemo({ appPort: -1, quiet: true }), /"appPort" must be a port number/);
    await assert.rejects(
      startDemo({ storefrontPort: 9123, appPort: 9123, quiet: true }),
      /need different ports \(both are 9123\)/,
    );
    const saved = process.env.STOREFRONT_PORT;
    try {
      for (const bad of ['abc', '80.5', '-1', '65536', '8080x']) {
        process.env.STOREFRONT_PORT = bad;
        await assert.rejects(startDemo({ appPort: 0, quiet: true }), {
          message: `STOREFRONT_PORT must be a port number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(bad)}.`,
        });
      }
    } finally {
      if (saved === undefined) delete process.env.STOREFRONT_PORT;
      else process.env.STOREFRONT_PORT = saved;
    }
  });
});

describe('node demo/start.mjs', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prints both URLs and what to open, serves, and stops cleanly on ${signal}`, async () => {
      const demoRun = run(['demo/start.mjs'], { STOREFRONT_PORT: '0', APP_PORT: '0' });
      try {
        await until(() => demoRun.stdout().includes('Press Ctrl-C to stop.'), 'the banner');
        const storefrontUrl = /Storefront \(mock Stencil store\): +(http:\/\/localhost:\d+\/)/.exec(
          demoRun.stdout(),
        )?.[1];
        const appUrl = /App backend \(exchange endpoint\): +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(demoRun.stdout())?.[1];
        assert.ok(storefrontUrl && appUrl, demoRun.stdout());
        assert.match(demoRun.stdout(), /account\.html +Theme template/);
        assert.match(demoRun.stdout(), /public demo values/);
        assert.equal((await fetch(`${storefrontUrl}account.html`)).status, 200);
        assert.equal((await fetch(appUrl)).status, 200);
        demoRun.child.kill(signal);
        assert.equal(await demoRun.exited, 0, demoRun.stderr());
        assert.match(demoRun.stdout(), /Demo stopped\.\n$/);
        assert.equal(demoRun.stderr(), '');
        await assert.rejects(fetch(storefrontUrl));
      } finally {
        demoRun.child.kill('SIGKILL');
      }
    });
  }

  it("logs the app's store API calls and cache hits, and never the access token", async () => {
    const demoRun = run(['demo/start.mjs'], { STOREFRONT_PORT: '0', APP_PORT: '0' });
    try {
      await until(() => demoRun.stdout().includes('Press Ctrl-C to stop.'), 'the banner');
      const storefrontUrl = /Storefront \(mock Stencil store\): +(http:\/\/localhost:\d+\/)/.exec(
        demoRun.stdout(),
      )![1]!;
      const appUrl = /App backend \(exchange endpoint\): +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(demoRun.stdout())![1]!;
      assert.match(demoRun.stdout(), /Store API \(mock of BigCommerce\): +http:\/\/127\.0\.0\.1:\d+/);
      const login = await fetch(`${storefrontUrl}login?customer=2&return=/`, { redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';', 1)[0]!;
      const origin = new URL(storefrontUrl).origin;
      for (let i = 0; i < 2; i++) {
        const token = await (
          await fetch(`${origin}/customer/current.jwt?app_client_id=demo-client-id-not-a-real-app`, {
            headers: { Cookie: cookie },
          })
        ).text();
        const answer = await fetch(`${appUrl}customer-gate`, {
          method: 'POST',
          body: token,
          headers: { Origin: origin },
        });
        assert.equal(answer.status, 200);
      }
      await until(() => (demoRun.stdout().match(/app: verified customer 2/g) ?? []).length === 2, 'two exchanges');
      const lines = demoRun
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('store api:'));
      assert.deepEqual(
        lines.map((line) => line.replace(/\?.*$/, '').replace(/ \(\d+ ms.*$/, '')),
        // Cold: orders, the lines of the orders needed (the cancelled one is skipped), one catalog call.
        // Warm: the cache answers, no call.
        [
          'store api: cache miss for customer 2 on demo42',
          'store api: GET /stores/demo42/v2/orders',
          'store api: GET /stores/demo42/v2/orders/1051/products',
          'store api: GET /stores/demo42/v2/orders/998/products',
          'store api: GET /stores/demo42/v3/catalog/products',
          'store api: cache hit for customer 2 on demo42',
        ],
      );
      assert.match(lines[1]!, /customer_id=2/);
      assert.match(lines[1]!, /sort=date_created(%3A|:)desc/);
      assert.doesNotMatch(demoRun.stdout() + demoRun.stderr(), /demo-store-api-token/);
    } finally {
      demoRun.child.kill('SIGKILL');
    }
  });

  it('a port in use: one line on stderr, exit status 1, no stack trace', async () => {
    const { server, port } = await occupy();
    try {
      const demoRun = run(['demo/start.mjs'], { STOREFRONT_PORT: '0', APP_PORT: String(port) });
      assert.equal(await demoRun.exited, 1);
      assert.equal(
        demoRun.stderr(),
        `error: Port ${port} (the app backend) is already in use: set APP_PORT (bc-customer-gate dev: --app-port) to a free port, or to 0 to pick one.\n`,
      );
      assert.equal(demoRun.stdout(), '');
    } finally {
      server.close();
    }
  });

  it('importing it starts nothing', async () => {
    const demoRun = run(
      ['--input-type=module', '-e', "await import('./demo/start.mjs'); console.log('imported');"],
      {},
    );
    assert.equal(await demoRun.exited, 0);
    assert.equal(demoRun.stdout(), 'imported\n');
  });
});
