/**
 * Request header values the exchange and storefront suites share. Written out here rather than taken
 * from the protocol module, so a change there shows up as a failing test.
 */

/** The storefront origin the exchange suites allow. */
export const ORIGIN = 'https://shop.example.com';

/** The exchange body's type, exactly as the element sends it. */
export const TEXT = 'text/plain;charset=UTF-8';

/** What the endpoint answers JSON with. */
export const JSON_ANSWER = 'application/json; charset=utf-8';

/** An HTML form's body type. */
export const FORM = 'application/x-www-form-urlencoded';
export const FORM_HEADERS: Readonly<Record<string, string>> = { 'Content-Type': FORM };

/** An exchange request's headers as the element sends them from {@link ORIGIN}, plus `extra`. */
export function exchangeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { Origin: ORIGIN, 'Content-Type': TEXT, ...extra };
}
