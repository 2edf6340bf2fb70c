/**
 * The mock storefront's request accounting. Requests are kept with their response so the status is
 * read when a snapshot is taken: the client may see a response before 'finish' fires. Never holds
 * cookies or tokens.
 */
import type { ServerResponse } from 'node:http';

const MAX_LOGGED_REQUESTS = 1000;

/** One request the storefront received. */
export interface StorefrontRequestRecord {
  method: string;
  /** Path and query as sent. */
  path: string;
  /** Status answered, or `undefined` while pending or when the connection closed before an answer. */
  status: number | undefined;
}

/** Request accounting, a snapshot. */
export interface StorefrontStats {
  /** Requests to the token route, whatever their outcome. */
  tokenRequests: number;
  /** `200` responses carrying a token (including deliberately bad tokens). */
  tokensIssued: number;
  /** The last 1000 requests, oldest first. Never holds cookies or tokens. */
  requests: StorefrontRequestRecord[];
}

export class RequestLog {
  tokenRequests = 0;
  tokensIssued = 0;
  #requests: Array<{ method: string; path: string; response: ServerResponse }> = [];

  add(method: string, path: string, response: ServerResponse): void {
    this.#requests.push({ method, path, response });
    if (this.#requests.length > MAX_LOGGED_REQUESTS) this.#requests.shift();
  }

  reset(): void {
    this.tokenRequests = 0;
    this.tokensIssued = 0;
    this.#requests = [];
  }

  snapshot(): StorefrontStats {
    return {
      tokenRequests: this.tokenRequests,
      tokensIssued: this.tokensIssued,
      requests: this.#requests.map(({ method, path, response }) => ({
        method,
        path,
        status: response.headersSent ? response.statusCode : undefined,
      })),
    };
  }
}
