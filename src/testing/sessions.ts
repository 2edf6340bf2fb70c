/**
 * The mock storefront's cookie sessions: which customer a session cookie signs in. Session IDs are
 * random and fresh on every sign-in, as on a real store, so an old cookie never gains rights.
 */
import { randomBytes } from 'node:crypto';
import type { StorefrontCustomer } from './template.js';

/** Name of the session cookie, as on BigCommerce storefronts. */
export const SESSION_COOKIE = 'SHOP_SESSION_TOKEN';

export interface Session {
  id: string;
  customer: StorefrontCustomer;
}

export class SessionStore {
  readonly customers: readonly StorefrontCustomer[];
  #byId: Map<number, StorefrontCustomer>;
  /** Session ID to customer ID. */
  #sessions = new Map<string, number>();

  constructor(customers: readonly StorefrontCustomer[]) {
    this.customers = customers;
    this.#byId = new Map(customers.map((customer) => [customer.id, customer]));
  }

  /** A customer by ID (a number or a string of digits) or by email, case-insensitively. */
  find(ref: number | string): StorefrontCustomer | undefined {
    if (typeof ref === 'number') return this.#byId.get(ref);
    if (/^\d+$/.test(ref)) return this.#byId.get(Number(ref));
    const email = ref.toLowerCase();
    return this.customers.find((customer) => customer.email.toLowerCase() === email);
  }

  /** Starts a session for `customer` and returns its ID, the session cookie's value. */
  start(customer: StorefrontCustomer): string {
    const id = randomBytes(24).toString('base64url');
    this.#sessions.set(id, customer.id);
    return id;
  }

  /** The first live session among the session cookies in a `Cookie` header. */
  of(cookieHeader: string | undefined): Session | undefined {
    for (const id of readCookies(cookieHeader, SESSION_COOKIE)) {
      const customerId = this.#sessions.get(id);
      const customer = customerId === undefined ? undefined : this.#byId.get(customerId);
      if (customer) return { id, customer };
    }
    return undefined;
  }

  end(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /** Ends the sessions in a `Cookie` header, or every session without one; whether any ended. */
  endCookie(cookieHeader?: string): boolean {
    if (cookieHeader === undefined) {
      const any = this.#sessions.size > 0;
      this.#sessions.clear();
      return any;
    }
    let ended = false;
    for (const id of readCookies(cookieHeader, SESSION_COOKIE)) ended = this.end(id) || ended;
    return ended;
  }
}

/** Values of every cookie named `name` in a `Cookie` header. */
function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values;
}
