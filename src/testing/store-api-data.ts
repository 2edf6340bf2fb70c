/**
 * The mock store API's data: stores, tokens with scopes, catalog products and orders, and their
 * JSON as BigCommerce documents it (Orders v2: RFC 2822 dates, money as strings; Catalog v3:
 * `{ data, meta }`). Seeded with a few stores, customers and channels; tests add more.
 */

/** A catalog product of a mock store. */
export interface MockProduct {
  id: number;
  name: string;
  sku?: string;
  /** Price as a number of the store's currency. Default 10. */
  price?: number;
  /** The primary image's `url_standard`; `null` for a product without images. Default a made-up CDN URL. */
  imageUrl?: string | null;
  /** The storefront path (`custom_url.url`). Default `/{slug of name}/`. */
  path?: string;
}

/** One product line of a mock order. */
export interface MockOrderLine {
  /** A catalog product's ID, or 0 for a custom product. */
  productId: number;
  quantity?: number;
  /** Default the catalog product's name. */
  name?: string;
  /** Default the catalog product's SKU. */
  sku?: string;
  /** Unit price. Default the catalog product's price. */
  price?: number;
}

/** An order to add to a mock store. */
export interface MockOrder {
  /** Default the next free ID of the store. */
  id?: number;
  customerId: number;
  /** Default 1. */
  channelId?: number;
  /** When it was placed. */
  createdAt: Date | string | number;
  /** Default 10 (Completed). */
  statusId?: number;
  lines: readonly MockOrderLine[];
}

/** A store: its hash and the access tokens that may read it, each with its scopes. */
export interface MockStoreSeed {
  hash: string;
  /** Access token → scopes. */
  tokens?: Record<string, readonly string[]>;
}

export const ORDERS_READ = 'store_v2_orders_read_only';
export const PRODUCTS_READ = 'store_v2_products_read_only';

/** The seeded stores and their tokens, for tests and demos. */
export const MOCK_STORE_API_SEED = {
  /** Store with customers 7 (orders on channels 1 and 2, a repeat, a cancelled order) and 8 (no orders). */
  store: 'mockstore1',
  /** A second store whose customer 7 is a different shopper with other orders. */
  otherStore: 'mockstore2',
  /** Reads orders and products of `store`. */
  accessToken: 'mock-access-token-full-0001',
  /** Reads orders of `store`, not products. */
  ordersOnlyToken: 'mock-access-token-orders-0002',
  /** Reads products of `store`, not orders. */
  productsOnlyToken: 'mock-access-token-products-0003',
  /** Reads `otherStore`. */
  otherStoreToken: 'mock-access-token-other-0004',
  /** A customer with orders on `store`; customer 7 on `otherStore` too. */
  customerId: 7,
  /** A customer without orders. */
  customerWithoutOrders: 8,
} as const;

const STATUS_NAMES: Record<number, string> = {
  0: 'Incomplete',
  1: 'Pending',
  2: 'Shipped',
  3: 'Partially Shipped',
  4: 'Refunded',
  5: 'Cancelled',
  6: 'Declined',
  7: 'Awaiting Payment',
  8: 'Awaiting Pickup',
  9: 'Awaiting Shipment',
  10: 'Completed',
  11: 'Awaiting Fulfillment',
};

interface StoredOrder extends Required<Omit<MockOrder, 'createdAt'>> {
  createdAt: number;
}

/** One mock store's contents. */
export class MockStoreData {
  readonly tokens = new Map<string, Set<string>>();
  readonly products = new Map<number, MockProduct>();
  readonly orders: StoredOrder[] = [];

  constructor(readonly hash: string) {}

  addProduct(product: MockProduct): void {
    this.products.set(product.id, product);
  }

  addOrder(order: MockOrder): number {
    const id = order.id ?? Math.max(100, ...this.orders.map((o) => o.id)) + 1;
    if (this.orders.some((o) => o.id === id)) throw new Error(`Order ${id} already exists in ${this.hash}.`);
    const createdAt = new Date(order.createdAt).getTime();
    if (!Number.isFinite(createdAt)) throw new Error('Mock order: "createdAt" is not a date.');
    this.orders.push({
      id,
      customerId: order.customerId,
      channelId: order.channelId ?? 1,
      statusId: order.statusId ?? 10,
      createdAt,
      lines: order.lines.map((line) => ({ ...line })),
    });
    return id;
  }

  /** Orders v2 JSON for one order. */
  orderJson(order: StoredOrder, base: string): Record<string, unknown> {
    const total = order.lines.reduce((sum, line) => sum + this.price(line) * (line.quantity ?? 1), 0);
    const items = order.lines.reduce((sum, line) => sum + (line.quantity ?? 1), 0);
    const resource = `/orders/${order.id}/products`;
    return {
      id: order.id,
      customer_id: order.customerId,
      date_created: rfc2822(order.createdAt),
      date_modified: rfc2822(order.createdAt),
      status_id: order.statusId,
      status: STATUS_NAMES[order.statusId] ?? 'Pending',
      subtotal_inc_tax: money(total),
      total_inc_tax: money(total),
      items_total: items,
      currency_code: 'USD',
      channel_id: order.channelId,
      products: { url: `${base}/stores/${this.hash}/v2${resource}`, resource },
    };
  }

  /** Orders v2 JSON for one product line. */
  lineJson(order: StoredOrder, line: MockOrderLine, index: number): Record<string, unknown> {
    const product = this.products.get(line.productId);
    const price = money(this.price(line));
    return {
      id: order.id * 1000 + index + 1,
      order_id: order.id,
      product_id: line.productId,
      variant_id: line.productId === 0 ? 0 : line.productId * 10,
      name: line.name ?? product?.name ?? 'Custom item',
      sku: line.sku ?? product?.sku ?? '',
      type: 'physical',
      quantity: line.quantity ?? 1,
      base_price: price,
      price_inc_tax: price,
      product_options: [],
      applied_discounts: [],
    };
  }

  /** Catalog v3 JSON for one product, with `primary_image` when asked to include it. */
  productJson(product: MockProduct, withImage: boolean): Record<string, unknown> {
    const path = product.path ?? `/${slug(product.name)}/`;
    const image =
      product.imageUrl === undefined ? `https://cdn.example.com/${this.hash}/${product.id}.jpg` : product.imageUrl;
    return {
      id: product.id,
      name: product.name,
      sku: product.sku ?? '',
      price: product.price ?? 10,
      custom_url: { url: path, is_customized: false },
      ...(withImage && {
        primary_image: image
          ? {
              id: product.id * 7,
              product_id: product.id,
              url_standard: image,
              url_thumbnail: image.replace(/\.jpg$/, '-t.jpg'),
            }
          : null,
      }),
    };
  }

  private price(line: MockOrderLine): number {
    return line.price ?? this.products.get(line.productId)?.price ?? 10;
  }
}

/** `Tue, 20 Nov 2012 00:00:00 +0000`, as Orders v2 writes dates. */
export function rfc2822(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

function money(value: number): string {
  return value.toFixed(4);
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

const PRODUCT_NAMES = [
  'Orbit Terrarium',
  'Able Brewing System',
  'Chemex Coffeemaker',
  'Oak Cheese Grater',
  'Canvas Laundry Cart',
  'Tiered Wire Basket',
  'Dustpan & Brush',
  'Utility Caddy',
  'Laundry Detergent',
  'Sample Mug',
];

/** The seeded stores (see {@link MOCK_STORE_API_SEED}). */
export function seedStores(): MockStoreData[] {
  const seed = MOCK_STORE_API_SEED;
  const main = new MockStoreData(seed.store);
  main.tokens.set(seed.accessToken, new Set([ORDERS_READ, PRODUCTS_READ]));
  main.tokens.set(seed.ordersOnlyToken, new Set([ORDERS_READ]));
  main.tokens.set(seed.productsOnlyToken, new Set([PRODUCTS_READ]));
  for (const [index, name] of PRODUCT_NAMES.entries()) {
    main.addProduct({ id: 101 + index, name, sku: `SKU-${101 + index}`, price: 12.5 + index });
  }
  const day = (n: number) => Date.UTC(2024, 4, n, 9, 30);
  const c = seed.customerId;
  main.addOrder({
    id: 201,
    customerId: c,
    createdAt: day(1),
    lines: [{ productId: 101 }, { productId: 102, quantity: 2 }],
  });
  main.addOrder({ id: 202, customerId: c, createdAt: day(3), lines: [{ productId: 103 }] });
  main.addOrder({ id: 203, customerId: c, createdAt: day(5), statusId: 5, lines: [{ productId: 110 }] });
  main.addOrder({
    id: 204,
    customerId: c,
    createdAt: day(7),
    lines: [{ productId: 101, quantity: 3 }, { productId: 104 }],
  });
  main.addOrder({ id: 205, customerId: c, channelId: 2, createdAt: day(9), lines: [{ productId: 105 }] });
  main.addOrder({
    id: 206,
    customerId: c,
    createdAt: day(11),
    lines: [{ productId: 106 }, { productId: 0, name: 'Gift wrap' }],
  });
  main.addOrder({ id: 207, customerId: 9, createdAt: day(2), lines: [{ productId: 107 }] });

  const other = new MockStoreData(seed.otherStore);
  other.tokens.set(seed.otherStoreToken, new Set([ORDERS_READ, PRODUCTS_READ]));
  other.addProduct({ id: 501, name: 'Other Store Lamp', sku: 'LAMP-1' });
  other.addOrder({ id: 301, customerId: c, createdAt: day(12), lines: [{ productId: 501 }] });
  return [main, other];
}
