import { SignJWT } from 'jose';
import { ISSUER, OPERATION, TOKEN_LIFETIME_SECONDS, type Algorithm } from '../protocol.js';

export interface MintCustomer {
  id: number;
  email: string;
  /** Sent as BigCommerce sends it: a string. Omit for a customer in no group. */
  groupId?: string | number | null;
}

export interface MintOptions {
  clientId: string;
  clientSecret: string;
  storeHash: string;
  customer: MintCustomer;
  /** Lifetime in seconds. Default 900, as BigCommerce issues them. */
  expiresIn?: number;
  /** `iat` in seconds since the epoch. Default now. */
  issuedAt?: number;
  /** Default `HS512`, which real tokens use. */
  algorithm?: Algorithm;
  /**
   * Claims to add or replace, for tests of bad tokens; a value of `undefined` removes the claim.
   * Applied last, so it can break anything.
   */
  claims?: Record<string, unknown>;
}

const encoder = new TextEncoder();

/**
 * Mints a token shaped exactly like the one `/customer/current.jwt` returns, for tests and local
 * development. Never use it to sign tokens a production verifier should accept.
 */
export async function mintCustomerToken(options: MintOptions): Promise<string> {
  const { clientId, clientSecret, storeHash, customer } = options;
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    customer: {
      id: customer.id,
      email: customer.email,
      ...(customer.groupId === undefined || customer.groupId === null ? {} : { group_id: String(customer.groupId) }),
    },
    iss: ISSUER,
    sub: storeHash,
    iat,
    exp: iat + (options.expiresIn ?? TOKEN_LIFETIME_SECONDS),
    version: 1,
    aud: clientId,
    application_id: clientId,
    store_hash: storeHash,
    operation: OPERATION,
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS512', typ: 'JWT' })
    .sign(encoder.encode(clientSecret));
}

export interface MintSignedPayloadOptions {
  clientId: string;
  clientSecret: string;
  storeHash: string;
  /** Who acted (loaded, uninstalled, was removed). Default user 1, `owner@example.com`. */
  user?: { id: number; email: string; locale?: string };
  /** The store owner. Default the same as `user`. */
  owner?: { id: number; email: string };
  /** The control-panel path a load callback asks for. */
  url?: string;
  channelId?: number;
  /** Lifetime in seconds. Default 300. */
  expiresIn?: number;
  /** `iat` in seconds since the epoch. Default now. */
  issuedAt?: number;
  /** Claims to add or replace; `undefined` removes one. Applied last. */
  claims?: Record<string, unknown>;
}

/**
 * Mints a `signed_payload_jwt` shaped like the ones BigCommerce sends to an app's load, uninstall
 * and remove-user callbacks (HS256, `iss` "bc", `sub` "stores/{hash}"), for tests of those routes.
 */
export async function mintSignedPayload(options: MintSignedPayloadOptions): Promise<string> {
  const { clientId, clientSecret, storeHash } = options;
  const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
  const user = options.user ?? { id: 1, email: 'owner@example.com', locale: 'en' };
  const payload: Record<string, unknown> = {
    aud: clientId,
    iss: 'bc',
    iat,
    nbf: iat,
    exp: iat + (options.expiresIn ?? 300),
    jti: crypto.randomUUID(),
    sub: `stores/${storeHash}`,
    user,
    owner: options.owner ?? { id: user.id, email: user.email },
    url: options.url ?? '/',
    ...(options.channelId === undefined ? {} : { channel_id: options.channelId }),
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encoder.encode(clientSecret));
}
