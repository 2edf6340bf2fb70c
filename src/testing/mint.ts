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
