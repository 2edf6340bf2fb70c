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
