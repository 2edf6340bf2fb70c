/**
 * The loopback server lifecycle the test kit's mocks share: listen on a port (0 for a free one),
 * and close so that nothing outlives a test, hung requests and keep-alive connections included.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Every open connection of `server`, so `closeServer` can end them all. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Listens on `host` and `port`; resolves with the origin (an IPv6 host in brackets) and the port. */
export function listenOn(server: Server, port: number, host: string): Promise<{ origin: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({ origin: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound });
    });
  });
}

/** Stops listening and destroys every connection. Safe to call twice. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  const destroyAll = () => {
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  };
  if (!server.listening) {
    destroyAll();
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    destroyAll();
  });
}
