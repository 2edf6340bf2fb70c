/**
 * The three Management API reads recently purchased needs, each parsed into the few fields used:
 * Orders v2 (https://developer.bigcommerce.com/docs/rest-management/orders), their product lines,
 * and Catalog v3 products (https://developer.bigcommerce.com/docs/rest-catalog/products).
 */
import { StoreApiError } from './errors.js';
import { type CallContext, requestJson } from './http.js';

/** Scopes named in 403 messages. */
export const ORDERS_SCOPE = 'store_v2_orders_read_only';
export const PRODUCTS_SCOPE = 'store_v2_products_read_only';

/** Largest page Orders v2 serves (its `limit` maximum). */
export const MAX_PAGE = 250;

/** Where and as whom to call: the API root, the store and its token. */
export interface StoreTarget {
  apiUrl: URL;
  storeHash: string;
  accessToken: string;
}

/** The fields of an order that recently purchased uses. */
export interface OrderSummary {
  id: number;
  /** Milliseconds since the epoch, from the RFC 2822 `date_created`. */
  createdAt: number;
  statusId: number;
}

/** The fields of an order's product line that recently purchased uses. */
export interface OrderLine {
  productId: number;
  name: string;
  quantity: number;
  sku: string | undefined;
}

/** Image and link of a catalog product. */
export interface CatalogEntry {
  imageUrl: string | undefined;
  path: string | undefined;
}

/** `{apiUrl}/stores/{hash}/{rest}`, the store hash encoded as one path segment. */
function storeUrl(target: StoreTarget, rest: string, query: Record<string, string | number | undefined>): URL {
  const base = target.apiUrl.href.endsWith('/') ? target.apiUrl.href : `${target.apiUrl.href}/`;
  const url = new URL(`stores/${encodeURIComponent(target.storeHash)}/${rest}`, base);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
  return url;
}

function headers(target: StoreTarget): Record<string, string> {
  return { 'X-Auth-Token': target.accessToken, Accept: 'application/json' };
}

const UNAUTHORIZED =
  'the access token was refused (401): it is wrong, revoked (the app was uninstalled), or belongs to another ' +
  'store. Use the token from this store\'s install (or a store-level API account) for "accessToken".';
const forbidden = (scope: string) =>
  `the access token lacks the "${scope}" scope (403). Add it to the app's (or API account's) scopes; ` +
  'an installed app must then be re-authorised by the store.';

/** One page of a customer's orders, newest first; `[]` for a 204 (none). */
export async function listOrders(
  ctx: CallContext,
  target: StoreTarget,
  query: { customerId: number; channelId: number | undefined; limit: number; page: number },
): Promise<OrderSummary[]> {
  const url = storeUrl(target, 'v2/orders', {
    customer_id: query.customerId,
    channel_id: query.channelId,
    sort: 'date_created:desc',
    limit: query.limit,
    page: query.page,
  });
  const { body } = await requestJson(ctx, {
    url,
    headers: headers(target),
    what: 'Orders v2',
    unauthorized: UNAUTHORIZED,
    forbidden: forbidden(ORDERS_SCOPE),
  });
  if (body === undefined) return [];
  return list(body, 'Orders v2').map((order) => readOrder(order));
}

/** Every product line of one order, reading page after page until a short (or empty) page. */
export async function listOrderLines(ctx: CallContext, target: StoreTarget, orderId: number): Promise<OrderLine[]> {
  const lines: OrderLine[] = [];
  for (let page = 1; ; page++) {
    const url = storeUrl(target, `v2/orders/${orderId}/products`, { limit: MAX_PAGE, page });
    const { body } = await requestJson(ctx, {
      url,
      headers: headers(target),
      what: `Order ${orderId} products`,
      unauthorized: UNAUTHORIZED,
      forbidden: forbidden(ORDERS_SCOPE),
    });
    if (body === undefined) return lines;
    const items = list(body, 'Order products');
    lines.push(...items.map((item) => readLine(item)));
    if (items.length < MAX_PAGE) return lines;
  }
}

/** Images and storefront paths of `ids`, in one Catalog v3 call (ids ≤ 250). */
export async function catalogEntries(
  ctx: CallContext,
  target: StoreTarget,
  ids: readonly number[],
): Promise<Map<number, CatalogEntry>> {
  const entries = new Map<number, CatalogEntry>();
  if (ids.length === 0) return entries;
  const url = storeUrl(target, 'v3/catalog/products', {
    'id:in': ids.join(','),
    include: 'primary_image',
    limit: ids.length,
  });
  const { body } = await requestJson(ctx, {
    url,
    headers: headers(target),
    what: 'Catalog v3 products',
    unauthorized: UNAUTHORIZED,
    forbidden: forbidden(PRODUCTS_SCOPE),
  });
  const data = body === undefined ? [] : (body as { data?: unknown }).data;
  for (const product of list(data, 'Catalog v3 products "data"')) {
    const { id, custom_url: customUrl, primary_image: image } = product;
    if (typeof id !== 'number') throw shape('Catalog v3 products', 'a product without a numeric "id"');
    const imageUrl = (image as { url_standard?: unknown } | null | undefined)?.url_standard;
    const path = (customUrl as { url?: unknown } | null | undefined)?.url;
    entries.set(id, {
      imageUrl: typeof imageUrl === 'string' && imageUrl !== '' ? imageUrl : undefined,
      path: typeof path === 'string' && path !== '' ? path : undefined,
    });
  }
  return entries;
}

function shape(what: string, problem: string): StoreApiError {
  return new StoreApiError('bad_response', `${what}: the answer has ${problem}, not the documented shape.`);
}

function list(body: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(body)) throw shape(what, 'no JSON array');
  for (const item of body) if (!item || typeof item !== 'object') throw shape(what, 'an item that is no object');
  return body as Record<string, unknown>[];
}

function readOrder(order: Record<string, unknown>): OrderSummary {
  const { id, date_created: created, status_id: statusId } = order;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0)
    throw shape('Orders v2', 'an order without a positive integer "id"');
  const createdAt = typeof created === 'string' ? Date.parse(created) : Number.NaN;
  if (!Number.isFinite(createdAt)) throw shape('Orders v2', `order ${id} with no RFC 2822 "date_created"`);
  return { id, createdAt, statusId: typeof statusId === 'number' ? statusId : -1 };
}

function readLine(item: Record<string, unknown>): OrderLine {
  const { product_id: productId, name, quantity, sku } = item;
  if (typeof productId !== 'number' || !Number.isSafeInteger(productId) || productId < 0)
    throw shape('Order products', 'a line without an integer "product_id"');
  if (typeof quantity !== 'number' || !Number.isFinite(quantity))
    throw shape('Order products', 'a line without a "quantity"');
  return {
    productId,
    name: typeof name === 'string' ? name : '',
    quantity,
    sku: typeof sku === 'string' && sku !== '' ? sku : undefined,
  };
}
