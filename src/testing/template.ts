/**
 * A deliberately tiny stand-in for the Handlebars a Stencil theme renders server-side, so demo and
 * test pages can carry the signed-in customer the way a real theme page does. It is not Handlebars:
 * only the placeholders listed on {@link renderTemplate} exist, and every value is HTML-escaped.
 */

/** A customer the mock storefront can sign in. */
export interface StorefrontCustomer {
  /** BigCommerce customer ID, a positive integer. */
  id: number;
  email: string;
  /** Customer group ID; sent in the token as a string. Omit for a customer in no group. */
  groupId?: string | number | null;
  /** Display name, for pages only (tokens carry no name). */
  name?: string;
}

/** What a page is rendered with: the request's signed-in customer and the store's settings. */
export interface PageContext {
  /** The customer signed in on this request's session cookie, or `null` for a guest. */
  customer: Readonly<StorefrontCustomer> | null;
  storeHash: string;
  /** The app's client ID the storefront was configured with. */
  clientId: string;
  /** The requested URL path, still percent-encoded, without the query. */
  path: string;
}

/**
 * Renders a page for one request. Return the HTML to send. Values taken from the context must be
 * escaped by the renderer (see {@link escapeHtml}).
 */
export type PageRenderer = (html: string, context: PageContext) => string | Promise<string>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
};

/** Escapes a value for HTML text and quoted or unquoted attribute values (the set Handlebars escapes). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`=]/g, (char) => ESCAPES[char]!);
}

// No nesting: the first {{/if}} closes the block. That is all a demo page needs.
const IF_CUSTOMER = /\{\{#if\s+customer\s*\}\}([\s\S]*?)(?:\{\{else\}\}([\s\S]*?))?\{\{\/if\}\}/g;
const VARIABLE = /\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}/g;

/**
 * Renders the mock storefront's template placeholders in `html`. Supported, and nothing else:
 *
 * | placeholder | becomes |
 * |---|---|
 * | `{{#if customer}}A{{else}}B{{/if}}` | `A` when a customer is signed in, else `B` (`{{else}}` optional; blocks do not nest) |
 * | `{{customer.id}}` | the customer's ID |
 * | `{{customer.email}}` | the customer's email |
 * | `{{customer.name}}` | the customer's name |
 * | `{{customer.group_id}}` | the customer's group ID |
 * | `{{settings.store_hash}}` | the store hash |
 * | `{{client_id}}` | the app's client ID (a convenience of this mock; a real theme hard-codes it) |
 *
 * Every substituted value is HTML-escaped; a `customer.*` value is empty for a guest or when the
 * customer lacks it. Any other `{{...}}` is left untouched (so a typo shows on the page), and
 * triple-stash raw output (`{{{...}}}`) is not supported. Substituted values are never re-scanned, so
 * a customer's email cannot inject a placeholder.
 */
export function renderTemplate(html: string, context: PageContext): string {
  const { customer } = context;
  const values: Record<string, unknown> = {
    'customer.id': customer?.id,
    'customer.email': customer?.email,
    'customer.name': customer?.name,
    'customer.group_id': customer?.groupId,
    'settings.store_hash': context.storeHash,
    client_id: context.clientId,
  };
  return html
    .replace(IF_CUSTOMER, (_block, yes: string, no: string | undefined) => (customer ? yes : (no ?? '')))
    .replace(VARIABLE, (placeholder, name: string) => {
      if (!(name in values)) return placeholder;
      const value = values[name];
      return value === undefined || value === null ? '' : escapeHtml(value);
    });
}
