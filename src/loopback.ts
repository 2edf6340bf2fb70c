/**
 * Which hosts are this machine: plain http to them never crosses a network, so the package accepts
 * it there (development, tests, the demo) and asks for https everywhere else. One definition for
 * the server's origin check, the widget and the command line.
 */

/** localhost, 127.0.0.0/8 and [::1], as the WHATWG URL parser spells them (lower-cased, IPv4 normalised). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** An `http:` URL to a loopback host. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
