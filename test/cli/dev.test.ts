import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertNoStack, distDir, root, runCli } from './run-cli.js';

// `dev` loads demo/start.mjs from the package root, so each case runs a copy of the built package
// laid out as npm installs it, with or without a demo.
let scratch: string;

function makePackage(
  name: string,
  demo?: string,
  packageJson: object = { name: 'bc-customer-gate', version: '9.9.9', type: 'module' },
): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  cpSync(distDir, join(dir, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson));
  if (demo !== undefined) {
    mkdirSync(join(dir, 'demo'));
    writeFileSync(join(dir, 'demo', 'start.mjs'), demo);
  }
  return join(dir, 'dist', 'cli', 'main.js');
}

const FAKE_DEMO = `
export async function startDemo(options) {
  console.log('options ' + JSON.stringify(options));
  console.log('fake demo up; press Ctrl-C to stop');
  return {
    storefrontUrl: 'http://127.0.0.1:' + options.storefrontPort + '/',
    appUrl: 'http://127.0.0.1:' + options.appPort + '/',
    close: async () => console.log('closed by the CLI'),
  };
}
`;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bc-gate-cli-'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('bc-customer-gate dev', () => {
  it('says clearly when the demo is not installed', async () => {
    const cli = makePackage('no-demo');
    const result = await runCli(['dev'], { cli });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: the demo is not part of this installation \(.*demo\/start\.mjs is missing\)/);
    assertNoStack(result);
  });

  it('says clearly when demo/start.mjs does not export startDemo', async () => {
    const cli = makePackage('bad-demo', 'export const nothing = 1;\n');
    const result = await runCli(['dev'], { cli });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /does not export startDemo/);
  });

  it('maps --port and --app-port onto startDemo options and closes the demo on SIGINT', async () => {
    const cli = makePackage('with-demo', FAKE_DEMO);
    const child = spawn(process.execPath, [cli, 'dev', '--port', '4101', '--app-port', '4102'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dev did not start: ${stdout} ${stderr}`)), 10_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('press Ctrl-C to stop')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      'options {"storefrontPort":4101,"appPort":4102}\nfake demo up; press Ctrl-C to stop\nclosed by the CLI\nDemo stopped.\n',
    );
  });

  it('a demo that fails to start: its message in one line, and the process exits', async () => {
    const cli = makePackage(
      'throwing-demo',
      'export async function startDemo() { throw new Error("port 4101 is in use\\n  at somewhere (file.js:1:1)"); }\n',
    );
    const result = await runCli(['dev'], { cli, timeoutMs: 5_000 });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'error: port 4101 is in use\n');
    assertNoStack(result);
  });

  it('a demo module that throws on import: one line, not a stack trace', async () => {
    const cli = makePackage('broken-demo', 'throw new Error("cannot load the demo");\n');
    const result = await runCli(['dev'], { cli });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'bc-customer-gate: unexpected error: cannot load the demo\n');
    assertNoStack(result);
  });

  it('a broken package.json is an unexpected error, one line', async () => {
    const cli = makePackage('no-version', undefined, { name: 'bc-customer-gate', type: 'module' });
    const result = await runCli(['--version'], { cli });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'bc-customer-gate: unexpected error: bc-customer-gate: package.json has no "version".\n',
    );
  });
});
