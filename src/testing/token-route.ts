/**
 * The mock storefront's Current Customer route (`/customer/current.jwt`): the signed-in customer's
 * token, and the misbehaviour tests switch on to see how its callers cope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_ID_PARAM, TOKEN_LIFETIME_SECONDS } from '../protocol.js';
import { mintCustomerToken } from './mint.js';
import { methodNotAllowed, NO_STORE, send, sendJson, sendText } from './respond.js';
import type { StorefrontCustomer } from './template.js';

/** Store hash used for tokens when {@link StorefrontBehaviour.otherStore} is `true`. */
export const OTHER_STORE_HASH = 'other-store';

/**
 * How the token route misbehaves, for tests of its callers. All off by default; set with
 * `MockStorefront.behave`. Options that change the token apply to signed-in customers only;
 * guests still get `404`.
 */
export interface StorefrontBehaviour {
  /** Wait this many milliseconds before answering each token request. */
  delayMs?: number;
  /** Never answer token requests. The caller must time out or abort; `close()` still ends them. */
  hang?: boolean;
  /** Answer every token request with this status (400–599, e.g. 500, 503, 429) and a small error body. */
  errorStatus?: number;
  /** Sign tokens with a different secret: a verifier fails with code `signature`. */
  wrongSecret?: boolean;
  /** Issue tokens for another store (`true`: {@link OTHER_STORE_HASH}): a verifier fails with code `store`. */
  otherStore?: boolean | string;
  /** Issue tokens that expired two minutes ago: a verifier fails with code `expired`. */
  expired?: boolean;
  /** Answer `200` with a body that is no token: an HTML page as text, or truncated JSON when JSON is asked for. */
  malformedBody?: boolean;
  /** Claims to add or replace in each token (`undefined` removes one), as `mintCustomerToken`'s `claims`. */
  claims?: Record<string, unknown>;
}

/** What the route signs with: the app's and the store's identity. */
export interface TokenIssuer {
  clientId: string;
  clientSecret: string;
  storeHash: string;
}

const WRONG_SECRET = 'not-the-client-secret-of-this-app';

export class TokenRoute {
  readonly #issuer: TokenIssuer;
  #behaviour: StorefrontBehaviour = {};
  /** Set by close(): a delayed answer still pending is then dropped. */
  #closed = false;
  /** Delays in progress, so close() can end them at once. */
  #waits = new Map<NodeJS.Timeout, () => void>();

  constructor(issuer: TokenIssuer) {
    this.#issuer = issuer;
  }

  get behaviour(): StorefrontBehaviour {
    return { ...this.#behaviour };
  }

  /** Replaces the behaviour; `{}` restores normal service. Throws a TypeError for bad options. */
  behave(next: StorefrontBehaviour): void {
    this.#behaviour = readBehaviour(next);
  }

  open(): void {
    this.#closed = false;
  }

  /** Ends every delay now; the requests waiting on them get no answer. */
  close(): void {
    this.#closed = true;
    for (const [timer, resolve] of this.#waits) {
      clearTimeout(timer);
      resolve();
    }
    this.#waits.clear();
  }

  /**
   * Answers one token request for `customer` (`null` for a guest). Resolves `true` when a token was
   * sent, including a deliberately bad one.
   */
  async answer(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    customer: StorefrontCustomer | null,
  ): Promise<boolean> {
    response.setHeader('Cache-Control', NO_STORE);
    response.setHeader('Vary', 'Accept, Cookie');
    if (request.method !== 'GET') {
      methodNotAllowed(response, ['GET']);
      return false;
    }
    // The behaviour as it was when the request arrived: behave() during a delay does not change it.
    const behaviour = this.#behaviour;
    if (behaviour.delayMs) await this.#wait(behaviour.delayMs);
    if (this.#closed || response.destroyed) return false;
    if (behaviour.hang) return false; // the socket stays open until the client gives up or close() ends it

    const json = prefersJson(request.headers.accept);
    const refusal = this.#refusal(behaviour, url);
    if (refusal) return refuse(response, json, refusal);
    if (!customer) return refuse(response, json, [404, 'not_found', 'No customer is signed in.']);
    if (behaviour.malformedBody) {
      if (json) send(response, 200, 'application/json; charset=utf-8', '{"token":"eyJhbGciOi');
      else send(response, 200, 'text/html; charset=utf-8', '<!DOCTYPE html><title>Oops</title><p>Not a token.</p>');
      return true;
    }
    const token = await this.#mint(behaviour, customer);
    if (this.#closed || response.destroyed) return false;
    if (json) sendJson(response, 200, { token });
    else send(response, 200, 'text/plain; charset=utf-8', token);
    return true;
  }

  /** Why the request gets no token whoever is signed in, or undefined. */
  #refusal(behaviour: StorefrontBehaviour, url: URL): Refusal | undefined {
    if (behaviour.errorStatus) return [behaviour.errorStatus, 'server_error', 'The storefront failed on purpose.'];
    const clientIds = url.searchParams.getAll(CLIENT_ID_PARAM);
    if (clientIds.length === 0) {
      return [400, 'invalid_client_id', `Missing ${CLIENT_ID_PARAM}: add ?${CLIENT_ID_PARAM}=<your app's client ID>.`];
    }
    if (clientIds.length !== 1 || clientIds[0] !== this.#issuer.clientId) {
      return [400, 'invalid_client_id', `${CLIENT_ID_PARAM} is not the client ID this storefront was configured with.`];
    }
    return undefined;
  }

  #mint(behaviour: StorefrontBehaviour, customer: StorefrontCustomer): Promise<string> {
    const { clientId, clientSecret, storeHash } = this.#issuer;
    let tokenStore = storeHash;
    if (behaviour.otherStore === true) tokenStore = OTHER_STORE_HASH;
    else if (behaviour.otherStore) tokenStore = behaviour.otherStore;
    const expiredBy = behaviour.expired ? TOKEN_LIFETIME_SECONDS + 120 : 0;
    return mintCustomerToken({
      clientId,
      clientSecret: behaviour.wrongSecret ? WRONG_SECRET : clientSecret,
      storeHash: tokenStore,
      customer: { id: customer.id, email: customer.email, groupId: customer.groupId ?? null },
      issuedAt: Math.floor(Date.now() / 1000) - expiredBy,
      ...(behaviour.claims ? { claims: behaviour.claims } : {}),
    });
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waits.delete(timer);
        resolve();
      }, ms);
      this.#waits.set(timer, resolve);
    });
  }
}

/** A refused token request: status, error name (in a JSON answer) and message. */
type Refusal = readonly [status: number, error: string, message: string];

/** Answers a refusal as JSON when JSON was asked for, else as text; a refusal issues no token. */
function refuse(response: ServerResponse, json: boolean, [status, error, message]: Refusal): false {
  if (json) sendJson(response, status, { error, message });
  else sendText(response, status, message);
  return false;
}

function readBehaviour(next: StorefrontBehaviour): StorefrontBehaviour {
  if (!next || typeof next !== 'object') throw new TypeError('bc-customer-gate: behave() takes an object of options.');
  const { delayMs, errorStatus } = next;
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)) {
    throw new TypeError('bc-customer-gate: "delayMs" must be a non-negative number of milliseconds.');
  }
  if (errorStatus !== undefined && (!Number.isInteger(errorStatus) || errorStatus < 400 || errorStatus > 599)) {
    throw new TypeError('bc-customer-gate: "errorStatus" must be an HTTP error status from 400 to 599.');
  }
  if (
    next.otherStore === '' ||
    (next.otherStore !== undefined && typeof next.otherStore !== 'boolean' && typeof next.otherStore !== 'string')
  ) {
    throw new TypeError('bc-customer-gate: "otherStore" must be true or a store hash.');
  }
  return { ...next, ...(next.claims ? { claims: { ...next.claims } } : {}) };
}

/**
 * Whether `Accept` ranks `application/json` above `text/plain` (https://httpwg.org/specs/rfc9110.html#field.accept).
 * The most specific matching range sets each type's weight; a tie goes to text, the documented shape.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';');
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map((s) => s.trim());
      if (key?.toLowerCase() === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      }
    }
    return { type: type.trim().toLowerCase(), q };
  });
  const weight = (mime: string) => {
    const group = `${mime.split('/')[0]}/*`;
    let best = 0;
    let specificity = -1;
    for (const range of ranges) {
      const s = range.type === mime ? 2 : range.type === group ? 1 : range.type === '*/*' ? 0 : -1;
      if (s > specificity) {
        specificity = s;
        best = range.q;
      }
    }
    return best;
  };
  const json = weight('application/json');
  return json > 0 && json > weight('text/plain');
}
