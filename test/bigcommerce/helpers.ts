// Shared pieces of the store API tests: a mock API per test file, a fetch that counts sequential
// round trips (a round starts when a request is sent while none is in flight), and error matching.
import assert from 'node:assert/strict';
import { StoreApiError, type StoreApiErrorCode } from '../../src/bigcommerce/index.js';

/** A fetch over real sockets that counts requests and sequential rounds. */
export function countingFetch() {
  const stats = { requests: 0, rounds: 0, inFlight: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (stats.inFlight === 0) stats.rounds += 1;
    stats.inFlight += 1;
    stats.requests += 1;
    try {
      return await globalThis.fetch(input, init);
    } finally {
      stats.inFlight -= 1;
    }
  };
  return { fetch, stats };
}

/** Asserts that `promise` rejects with a StoreApiError of `code`, whose message matches `message`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: StoreApiErrorCode,
  message?: RegExp,
): Promise<StoreApiError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected a StoreApiError "${code}", got an answer`),
    (error) => (caught = error),
  );
  assert.ok(caught instanceof StoreApiError, `expected a StoreApiError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}
