/**
 * Checks of the values every store call takes: store hash, URLs, time limits. Bad input is refused
 * with a {@link StoreApiError} `invalid_options` whose message says what to pass instead.
 */
import { isLoopbackHttp } from '../loopback.js';
import { StoreApiError } from './errors.js';

/** BigCommerce store hashes are short lowercase letters and digits (`abc123xyz0`); a little leeway. */
const STORE_HASH = /^[A-Za-z0-9_-]{1,64}$/;
/** What an `X-Auth-Token` header may hold: visible ASCII, no spaces. */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;

export function invalid(message: string): StoreApiError {
  return new StoreApiError('invalid_options', `bc-customer-gate: ${message}`);
}

export function readStoreHash(value: unknown, name = 'storeHash'): string {
  if (typeof value !== 'string' || !STORE_HASH.test(value)) {
    throw invalid(
      `"${name}" must be the store's hash (letters and digits, as in "stores/abc123"), ` +
        `got ${typeof value === 'string' ? `"${value.slice(0, 70)}"` : typeof value}.`,
    );
  }
  return value;
}

export function readPositiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`"${name}" must be a positive integer, got ${typeof value === 'number' ? value : typeof value}.`);
  }
  return value;
}

export function readInteger(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(`"${name}" must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}

/** An https URL, or http to this machine (tests, the demo); never credentials in it. */
export function readUrl(value: unknown, name: string, fallback: string): URL {
  if (value === undefined) return new URL(fallback);
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !(url.protocol === 'https:' || isLoopbackHttp(url)) || url.username || url.password) {
    throw invalid(`"${name}" must be an https URL (http only to localhost), such as "${fallback}".`);
  }
  return url;
}

/** A usable `X-Auth-Token` value; the message never shows the value. */
export function checkAccessToken(value: unknown, from: string): string {
  if (typeof value !== 'string' || !TOKEN_TEXT.test(value)) {
    throw new StoreApiError(
      'access_token',
      `bc-customer-gate: ${from} gave no usable access token (a non-empty string without spaces).`,
    );
  }
  return value;
}

export function readFetch(value: unknown): typeof globalThis.fetch {
  if (value === undefined) return globalThis.fetch.bind(globalThis);
  if (typeof value !== 'function') throw invalid('"fetch" must be a fetch function.');
  return value as typeof globalThis.fetch;
}

export function readSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw invalid('"signal" must be an AbortSignal.');
  return value;
}
