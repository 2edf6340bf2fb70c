// What a user installs: every entry point in package.json exists after the build, is in the
// published file list, and the Node entry points load by the package's own name; the docs it ships
// link only to files it ships (npm shows them, and a reader of node_modules has nothing else).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { relativeLinks } from './docs/markdown.js';

const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  unpkg: string;
  jsdelivr: string;
  customElements: string;
  dependencies: Record<string, string>;
};

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = JSON.parse(
  execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
) as Array<{
  files: Array<{ path: string }>;
}>;
const published = new Set(packed[0]!.files.map((file) => file.path));

/** Every file package.json points at, as a path relative to the package root. */
const targets = [
  ...Object.values(pkg.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
  ...Object.values(pkg.bin),
  pkg.unpkg,
  pkg.jsdelivr,
  pkg.customElements,
].map((path) => path.replace(/^\.\//, ''));

describe('the published package', () => {
  it('has every file package.json names, built and in the published list', () => {
    assert.ok(targets.length >= 15, `only ${targets.length} targets`);
    for (const path of targets) {
      assert.ok(existsSync(new URL(path, root)), `${path} is missing: was the package built?`);
      assert.ok(published.has(path), `${path} is not published (check "files")`);
    }
  });

  it('publishes the license, the README and the built code, but no sources or tests', () => {
    for (const path of ['LICENSE', 'README.md', 'package.json']) assert.ok(published.has(path), path);
    // The README's links point into docs/ and at the security and benchmark pages, so those ship with it.
    for (const path of [
      'SECURITY.md',
      'BENCHMARKS.md',
      'docs/demo-account.png',
      'docs/element.md',
      'docs/server.md',
      'docs/recipes.md',
      'docs/cli.md',
      'docs/troubleshooting.md',
    ]) {
      assert.ok(published.has(path), `${path} is not published`);
    }
    for (const path of ['examples/complete-app/server.mjs', 'examples/complete-app/app.mjs']) {
      assert.ok(published.has(path), `${path} is not published`);
    }
    for (const path of published) {
      assert.ok(!/^(src|test|bench|scripts|node_modules|out)\//.test(path), `${path} should not be published`);
      assert.ok(!/\.test\./.test(path), `${path} should not be published`);
    }
  });

  it('links, in every shipped Markdown page, only files the package ships', () => {
    const pages = [...published].filter((path) => path.endsWith('.md'));
    for (const page of ['README.md', 'SECURITY.md', 'BENCHMARKS.md', 'docs/server.md'])
      assert.ok(pages.includes(page), `${page} is not published`);
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      for (const link of relativeLinks(page)) {
        const path = link.target.split('#')[0]!;
        if (path === '') continue; // an anchor on the same page
        checked++;
        const target = normalize(join(dirname(page), decodeURI(path)));
        // A link to a folder holds when the package ships something in it.
        const shipped = target.endsWith('/')
          ? [...published].some((file) => file.startsWith(target))
          : published.has(target);
        if (!shipped) broken.push(`${page}:${link.line} → ${link.target} (${target} is not published)`);
      }
    }
    assert.ok(checked >= 40, `only ${checked} links to other files checked`);
    assert.deepEqual(broken, []);
  });

  it('ships modules and declarations whose relative imports stay inside the package', () => {
    const broken: string[] = [];
    const code = [...published].filter((path) => /^demo\/.*\.(mjs|d\.mts)$/.test(path));
    assert.ok(code.includes('demo/start.d.mts'), 'demo/start.d.mts is not published');
    for (const file of code) {
      const text = readFileSync(new URL(file, root), 'utf8');
      for (const match of text.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = normalize(join(dirname(file), match[1]!));
        if (!published.has(target)) broken.push(`${file} imports ${match[1]} (${target} is not published)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('installs on Node 20 and newer, and the README names 22 and 24 as the supported LTS lines', () => {
    const engines = (pkg as unknown as { engines: { node: string } }).engines.node;
    assert.equal(engines, '>=20', 'Node 20 keeps working even though it reached end of life');
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    assert.match(readme, /\*\*Requirements:\*\* Node 22 or 24, the current LTS lines/);
  });

  it('states one browser floor: package.json, the README and docs/support.md agree, for an ES2022 build', () => {
    const floor = (pkg as unknown as { browserslist: string[] }).browserslist;
    assert.deepEqual(floor, ['safari >= 16.4', 'ios_saf >= 16.4', 'chrome >= 94', 'edge >= 94', 'firefox >= 93']);
    for (const page of ['README.md', 'docs/support.md']) {
      const text = readFileSync(new URL(page, root), 'utf8').replace(/\s+/g, ' ');
      assert.match(text, /Safari and iOS 16\.4, Chrome and Edge 94, Firefox 93/, page);
    }
    const rollup = readFileSync(new URL('rollup.config.mjs', root), 'utf8');
    assert.match(rollup, /ecma: 2022/);
  });

  it("depends at run time on Lit's ReactiveElement and jose only", () => {
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@lit/reactive-element', 'jose']);
  });

  it('has a command-line entry that runs under node', () => {
    for (const path of Object.values(pkg.bin)) {
      assert.match(readFileSync(new URL(path, root), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    }
  });

  it('loads its Node entry points by name, with the documented exports', async () => {
    const server = await import('bc-customer-gate/server');
    for (const name of [
      'createVerifier',
      'verifyCustomerToken',
      'CustomerTokenError',
      'createCustomerGateHandler',
      'toNodeListener',
      'html',
    ]) {
      assert.equal(typeof server[name as keyof typeof server], 'function', name);
    }
    const testing = await import('bc-customer-gate/testing');
    assert.equal(typeof testing.mintCustomerToken, 'function');
    assert.equal(typeof testing.createMockStorefront, 'function');
    const protocol = await import('bc-customer-gate/protocol');
    assert.deepEqual([...protocol.ALGORITHMS], ['HS256', 'HS512']);
    const widget = await import('bc-customer-gate/widget');
    assert.equal(typeof widget.installWidgetTemplate, 'function');
  });

  it('is ESM only, and its Node entry points load with require() where Node can require ES modules', () => {
    assert.equal((pkg as unknown as { type: string }).type, 'module');
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    // require(esm) is on by default from Node 20.19 and 22.12, as the README says.
    const canRequire = major >= 23 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
    const names = ['bc-customer-gate/server', 'bc-customer-gate/testing', 'bc-customer-gate/protocol'];
    const script = `for (const name of ${JSON.stringify(names)}) console.log(name, typeof require(name));`;
    const result = spawnSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    if (canRequire) {
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, names.map((name) => `${name} object\n`).join(''));
    } else {
      assert.match(result.stderr, /ERR_REQUIRE_ESM/);
    }
    const readme = readFileSync(new URL('README.md', root), 'utf8').replace(/\s+/g, ' ');
    assert.match(readme, /\*\*ESM only\*\*.*Node 20\.19\+, 22\.12\+ and 24/);
  });

  it('names the element in its custom elements manifest', () => {
    const manifest = JSON.parse(readFileSync(new URL(pkg.customElements, root), 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string }> }>;
    };
    const tags = manifest.modules
      .flatMap((mod) => mod.declarations ?? [])
      .map((decl) => decl.tagName)
      .filter(Boolean);
    assert.deepEqual(tags, ['bc-customer-gate']);
  });
});
