// The exchange endpoint on node:http through toNodeListener, in a process of its own for the load
// test (test/load/bad-traffic.test.ts), which starts it with --expose-gc. It listens on a free port
// of 127.0.0.1 and answers its parent over IPC: the port once listening, and on request the heap
// after a full collection plus the count of server errors the handler reported.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { createCustomerGateHandler, toNodeListener } from '../../src/server/index.js';

export interface LoadServerConfig {
  clientId: string;
  clientSecret: string;
  stores: string[];
  origins: string[];
  /** `authorize` denies customers whose ID is a multiple of this. */
  denyEvery: number;
}

export type ParentMessage = { type: 'heap' } | { type: 'stop' };
export type ChildMessage =
  | { type: 'listening'; port: number }
  | { type: 'heap'; heapUsed: number; serverErrors: number };

const config = JSON.parse(process.env['LOAD_SERVER_CONFIG'] ?? 'null') as LoadServerConfig | null;
if (!config || !process.send)
  throw new Error('exchange-server.ts runs as a child of the load test, with LOAD_SERVER_CONFIG set.');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('exchange-server.ts needs --expose-gc.');

let serverErrors = 0;
const handler = createCustomerGateHandler({
  clientId: config.clientId,
  clientSecret: config.clientSecret,
  stores: config.stores,
  origins: config.origins,
  // Data derived only from the verified token, so the client can tell whose answer it got.
  authorize: ({ customer, storeHash }) =>
    customer.id % config.denyEvery === 0 ? false : { customerId: customer.id, email: customer.email, store: storeHash },
  onError: (_error, context) => {
    if (context.status >= 500) serverErrors++;
  },
});

const server = http.createServer(toNodeListener(handler));
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as AddressInfo).port });
});

function send(message: ChildMessage): void {
  process.send!(message);
}

process.on('message', async (message: ParentMessage) => {
  if (message.type === 'heap') {
    // Several full collections with a turn of the event loop between: finalisers run in between.
    for (let i = 0; i < 3; i++) {
      gc();
      await tick();
    }
    send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, serverErrors });
  } else if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
// The parent went away: do not linger.
process.on('disconnect', () => process.exit(0));
