import type { TokenErrorCode } from '../protocol.js';

/**
 * The one error the verifier throws for a refused token. `code` is stable and safe to branch on;
 * `message` says what to fix. Neither ever contains the token or the client secret.
 */
export class CustomerTokenError extends Error {
  override readonly name = 'CustomerTokenError';
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isCustomerTokenError(value: unknown): value is CustomerTokenError {
  return value instanceof CustomerTokenError;
}

/** Longest token-supplied value a message quotes, in characters; real store hashes are about ten. */
export const MAX_QUOTED_LENGTH = 64;

/**
 * A value from a signed token, quoted for an error message that ends up in a log. The signature
 * proves who made the token, not that its strings are harmless: a newline or an ANSI escape would
 * forge a log line. So the value is cut to {@link MAX_QUOTED_LENGTH} characters and quoted JSON-style,
 * with everything outside printable ASCII (controls, line and paragraph separators, bidi overrides)
 * written as a `\uXXXX` escape.
 */
export function quoteTokenValue(value: string): string {
  const cut = value.length > MAX_QUOTED_LENGTH;
  const quoted = JSON.stringify(cut ? value.slice(0, MAX_QUOTED_LENGTH) : value).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut ? `${quoted}...` : quoted;
}
