// The element's entry points import on a server: Node (and frameworks that render client components
// there, like Next.js) gets the same names with no DOM touched, nothing defined, no global added.
// Each check imports in a fresh Node process, so nothing else loaded earlier can hide a side effect.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url);

/** Imports `specifier` by the package's own name in a new process; what it exports and adds to globalThis. */
function importFresh(specifier: string): { exports: string[]; added: string[]; symbols: number } {
  const script = `
    const before = new Set(Reflect.ownKeys(globalThis));
    const module = await import(${JSON.stringify(specifier)});
    const added = Reflect.ownKeys(globalThis).filter((key) => !before.has(key));
    console.log(JSON.stringify({
      exports: Object.keys(module).sort(),
      added: added.filter((key) => typeof key === 'string'),
      symbols: added.length - added.filter((key) => typeof key === 'string').length,
    }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(output);
}

describe('importing the element in Node', () => {
  for (const specifier of ['bc-customer-gate', 'bc-customer-gate/element']) {
    it(`${specifier}: no error, the same names, nothing added to globalThis`, () => {
      const { exports, added, symbols } = importFresh(specifier);
      assert.deepEqual(exports, ['BcCustomerGate', 'GateError', 'POLICY_NAME']);
      assert.deepEqual(added, []);
      assert.equal(symbols, 0);
    });
  }

  it('the stand-in class says where the element runs; GateError and POLICY_NAME are the real ones', async () => {
    const { BcCustomerGate, GateError, POLICY_NAME } = await import('bc-customer-gate');
    assert.throws(() => new (BcCustomerGate as unknown as new () => object)(), {
      name: 'TypeError',
      message: /runs in a browser/,
    });
    assert.equal(POLICY_NAME, 'bc-customer-gate');
    const error = new GateError('exchange', 'status', 429);
    assert.equal(error.message, 'exchange failed: status 429');
    assert.equal(typeof customElements, 'undefined');
  });
});
