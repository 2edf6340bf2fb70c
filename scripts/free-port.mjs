// A TCP port free on loopback right now, for a child process that must be told its port up front
// (a WebDriver, `next start`, a documented server). Another process could take it before the child
// binds; on a test machine that race is rare enough, and the child's own error says so.
import { createServer } from 'node:net';

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}
