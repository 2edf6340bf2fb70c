// The README's server example must run as written: extract it, run it against the built package,
// and exchange a token with it over HTTP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { mintCustomerToken } from '../src/testing/mint.js';

const root = new URL('..', import.meta.url);

function codeBlockAfter(heading: string): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const at = readme.indexOf(heading);
  assert.ok(at !== -1, `README has no "${heading}" section`);
  const match = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(match, `no js code block after "${heading}"`);
  return match[1]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

describe('README', () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  after(() => children.forEach((child) => child.kill()));

  it('the node:http server example runs as written', async () => {
    // Inside the package folder, so `bc-customer-gate/server` resolves through its own exports map.
    const dir = new URL('out/readme/', root);
    mkdirSync(dir, { recursive: true });
    const file = new URL('server.mjs', dir);
    writeFileSync(file, codeBlockAfter('### Server: `node:http`'));

    const port = await freePort();
    const env = { ...process.env, BC_CLIENT_ID: 'readme-client', BC_CLIENT_SECRET: 'readme-secret', BC_STORE_HASH: 'abc123', PORT: String(port) };
    const child = spawn(process.execPath, [file.pathname], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));

    const token = await mintCustomerToken({
      clientId: 'readme-client',
      clientSecret: 'readme-secret',
      storeHash: 'abc123',
      customer: { id: 4927, email: 'john.doe@example.com' },
    });
    const post = (origin: string) =>
      fetch(`http://127.0.0.1:${port}/customer-gate`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'text/plain' },
        body: token,
      });

    let response: Response | undefined;
    for (let tries = 0; !response; tries++) {
      try {
        response = await post('https://store.example.com');
      } catch (error) {
        if (tries > 100 || child.exitCode !== null) throw new Error(`the example did not start: ${stderr}`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    assert.equal(response.status, 200, stderr);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://store.example.com');
    const body = await response.json();
    assert.equal(body.customer.id, 4927);
    assert.equal(body.storeHash, 'abc123');
    assert.deepEqual(body.data.products.map((p: { name: string }) => p.name), ['Ethiopia Guji, 250 g']);

    const refused = await post('https://evil.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  it('the node:http example bounds slow requests well below Node\'s 300 s default', () => {
    const code = codeBlockAfter('### Server: `node:http`');
    const setting = (name: string) => Number(new RegExp(`${name}:\\s*([\\d_]+)`).exec(code)?.[1]?.replace(/_/g, ''));
    const requestTimeout = setting('requestTimeout');
    const headersTimeout = setting('headersTimeout');
    assert.ok(requestTimeout > 0 && requestTimeout <= 30_000, `requestTimeout ${requestTimeout}`);
    assert.ok(headersTimeout > 0 && headersTimeout <= requestTimeout, `headersTimeout ${headersTimeout}`);
  });
});
