/** Which URLs a storefront may use: https everywhere, plain http only on this machine. */

import { isLoopbackHttp } from '../../loopback.js';

export type Transport = 'https' | 'loopback' | 'insecure';

export function transportOf(url: URL): Transport {
  if (url.protocol === 'https:') return 'https';
  if (isLoopbackHttp(url)) return 'loopback';
  return 'insecure';
}

function isIp(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+(\.\d+){3}$/.test(hostname);
}

/**
 * The other spelling of a storefront's origin: `www.` added or removed. Null, with the reason, when
 * there is none to check (an IP address, localhost, a one-label name).
 */
export function twinOrigin(origin: URL): { origin: string } | { none: string } {
  const host = origin.hostname.toLowerCase();
  if (isIp(host)) return { none: 'an IP address has no www twin' };
  if (host === 'localhost' || host.endsWith('.localhost')) return { none: 'localhost has no www twin' };
  if (!host.includes('.')) return { none: 'a one-label host name has no www twin' };
  const twin = new URL(origin.origin);
  twin.hostname = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
  if (!twin.hostname.includes('.')) return { none: 'the name without www has no dot' };
  return { origin: twin.origin };
}
