// The production build (the package's default export and dist/cdn/bc-customer-gate.js) prints no
// console hints: the mistakes that console.test.ts sees reported in the development build fail the
// same way here, with the same states and events, and the console stays empty.
import { expect } from '@open-wc/testing';
import { devHooks } from '../../src/element/dev-hooks.js';
import { captureErrors, eventsOf, mountGate, resetEnvironment, scenario, stateOf } from './helpers.js';

describe('console in the production build', () => {
  let errors: ReturnType<typeof captureErrors>;
  beforeEach(() => {
    resetEnvironment();
    errors = captureErrors();
  });
  afterEach(() => errors.restore());

  it('has no development hooks installed', () => {
    expect(devHooks.report).to.equal(undefined);
  });

  it('missing client-id or endpoint: error state and event, nothing printed', async () => {
    const gate = await mountGate('<bc-customer-gate></bc-customer-gate>');
    expect(gate.state).to.equal('error');
    expect(eventsOf(gate).map((e) => [e.type, e.detail.stage, e.detail.reason])).to.deep.equal([
      ['bc-error', 'config', 'config'],
    ]);
    expect(errors.messages).to.deep.equal([]);
  });

  it('an exchange blocked by CORS: error state and event, nothing printed', async () => {
    const s = await scenario({ cors: false });
    const gate = await mountGate(
      `<bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.tokenUrl}"></bc-customer-gate>`,
    );
    await stateOf(gate, 'error');
    expect(eventsOf(gate)[0]!.detail).to.include({ stage: 'exchange', reason: 'network' });
    expect(errors.messages).to.deep.equal([]);
  });
});
