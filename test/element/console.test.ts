// Configuration mistakes are reported once per page, say what to fix, and never include a token:
// in the development build, whose entry points import the hints (src/element/hints.ts), as this file
// does. console-production.test.ts checks that the production build says nothing.
// Its own file (its own page): the once-per-page record starts empty here.
import { expect } from '@open-wc/testing';
import '../../src/element/hints.js';
import {
  type BcCustomerGate,
  captureErrors,
  eventsOf,
  mount,
  mountGate,
  requests,
  resetEnvironment,
  scenario,
  sleep,
  stateOf,
} from './helpers.js';

describe('console errors', () => {
  let errors: ReturnType<typeof captureErrors>;
  beforeEach(() => {
    resetEnvironment();
    errors = captureErrors();
  });
  afterEach(() => errors.restore());

  it('attributes a framework sets right after connecting are not reported missing', async () => {
    const s = await scenario();
    const host = await mount('');
    const gate = document.createElement('bc-customer-gate') as BcCustomerGate;
    host.append(gate);
    gate.setAttribute('client-id', 'test-client');
    gate.endpoint = s.endpoint;
    gate.tokenUrl = s.tokenUrl;
    await stateOf(gate, 'verified');
    expect(errors.messages).to.deep.equal([]);
  });

  it('missing client-id or endpoint: error state, and one console error per page naming both', async () => {
    const s = await scenario();
    const root = await mount(`
      <bc-customer-gate endpoint="${s.endpoint}" token-url="${s.tokenUrl}"></bc-customer-gate>
      <bc-customer-gate client-id="x" token-url="${s.tokenUrl}"></bc-customer-gate>
      <bc-customer-gate></bc-customer-gate>`);
    const gates = [...root.querySelectorAll('bc-customer-gate')];
    for (const gate of gates) {
      expect(gate.state).to.equal('error');
      expect(eventsOf(gate).map((e) => [e.type, e.detail.stage, e.detail.reason])).to.deep.equal([
        ['bc-error', 'config', 'config'],
      ]);
    }
    expect(errors.messages).to.have.length(1);
    expect(errors.messages[0]).to.match(/<bc-customer-gate>: .*client-id/);
    const later = await mountGate('<bc-customer-gate client-id="y"></bc-customer-gate>');
    expect(later.state).to.equal('error');
    expect(errors.messages).to.have.length(1);
    await sleep(50);
    expect(await requests(s)).to.deep.equal([]);
  });

  it('an exchange blocked by CORS: error, and one console error naming the origin to allow', async () => {
    const token = 'secret.token.value';
    const s = await scenario({ token: [{ body: token }], cors: false });
    const gate = await mountGate(
      `<bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.tokenUrl}"></bc-customer-gate>`,
    );
    await stateOf(gate, 'error');
    // The requests did reach the server; the browser withheld the answers.
    expect(await requests(s, 'exchange')).to.have.length(3);
    expect(eventsOf(gate)[0]!.detail).to.include({ stage: 'exchange', reason: 'network' });
    expect(errors.messages).to.have.length(1);
    const [message] = errors.messages;
    expect(message).to.include(location.origin);
    expect(message).to.include('`origins`');
    expect(message).to.include('connect-src');
    expect(message).to.include(new URL(s.endpoint).origin);
    expect(message).to.not.include(token);

    // Another session (another client ID) failing against the same endpoint says nothing new.
    const second = await mountGate(
      `<bc-customer-gate client-id="other" endpoint="${s.endpoint}" token-url="${s.tokenUrl}"></bc-customer-gate>`,
    );
    await stateOf(second, 'error');
    expect(await requests(s, 'exchange')).to.have.length(6);
    expect(errors.messages).to.have.length(1);
  });

  it('a failing token route is not mistaken for CORS', async () => {
    const s = await scenario({ token: [{ status: 500 }] });
    const gate = await mountGate(
      `<bc-customer-gate client-id="c" endpoint="${s.endpoint}" token-url="${s.tokenUrl}"></bc-customer-gate>`,
    );
    await stateOf(gate, 'error');
    expect(errors.messages).to.deep.equal([]);
  });
});
