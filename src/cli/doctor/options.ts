/** What the doctor is asked to check: built by the command from its flags, read by every check. */

export interface EndToEnd {
  clientSecret: string;
  customerId: number;
  storeHash: string;
}

export interface DoctorOptions {
  storefront: URL;
  /** Checked instead of the endpoints found on the page. */
  endpoint?: URL;
  /** Checked instead of the client IDs found on the page. */
  clientId?: string;
  alsoOrigins: readonly string[];
  timeoutMs: number;
  maxPageBytes: number;
  /** Needs `endpoint`: a signed token is never sent to a URL read from the page. */
  endToEnd?: EndToEnd;
  /** The `www` twin of an origin; tests point it at a loopback server. Default `twinOrigin` (transport.ts). */
  twinOf?: (origin: URL) => { origin: string } | { none: string };
}
