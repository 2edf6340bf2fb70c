// Types for demo/start.mjs, for the end-to-end tests and `bc-customer-gate dev`.
import type { MockStoreApi, MockStorefront } from 'bc-customer-gate/testing';

export interface StartDemoOptions {
  /** Storefront port. Default: $STOREFRONT_PORT, else 8080. `0` picks a free port. */
  storefrontPort?: number;
  /** App backend port. Default: $APP_PORT, else 8081. `0` picks a free port. */
  appPort?: number;
  /** Interface both listen on. Default `127.0.0.1` (the storefront is then addressed as `localhost`). */
  host?: string;
  /** Print nothing (no banner, no exchange log). */
  quiet?: boolean;
}

export interface DemoAppRequest {
  method: string;
  path: string;
  /** Undefined until answered. */
  status: number | undefined;
}

export interface DemoAppStats {
  requests: DemoAppRequest[];
  /** Requests with this method (and path, when given). */
  count(method: string, path?: string): number;
}

export interface DemoApp {
  /** The JSON exchange endpoint's URL. */
  readonly endpoint: string;
  /** The HTML-fragment exchange endpoint's URL. */
  readonly fragmentEndpoint: string;
  readonly origin: string;
  /** Listens again on the same port after `stop()`. */
  start(): Promise<void>;
  /** Stops listening and cuts every connection, as if the app were down. */
  stop(): Promise<void>;
  /** A snapshot of the requests received since the last reset (method, path, status; never a body). */
  readonly stats: DemoAppStats;
  resetStats(): void;
}

export interface DemoHandle {
  /** The storefront's home page, e.g. `http://localhost:8080/`. */
  readonly storefrontUrl: string;
  /** The app backend, e.g. `http://127.0.0.1:8081/`. */
  readonly appUrl: string;
  readonly storefront: MockStorefront;
  readonly app: DemoApp;
  /** The mock store API the app reads orders and products from. */
  readonly storeApi: MockStoreApi;
  /** A storefront page's URL. */
  url(path: string): string;
  /** Stops the storefront, the app and the store API. Safe to call twice. */
  close(): Promise<void>;
}

export function startDemo(options?: StartDemoOptions): Promise<DemoHandle>;
