// The app's store API part: for the store customers, `authorize` answers with the shopper's
// recently purchased products, read from the mock store API (STORE_API_URL) through the package's
// `bc-customer-gate/bigcommerce` entry, exactly as against api.bigcommerce.com.
import { isStoreApiError, recentlyPurchased } from 'bc-customer-gate/bigcommerce';
import { CHANNELS, STORE_CUSTOMERS, STORE_TOKEN } from './store-fixture.mjs';

const storeCustomers = new Set(Object.values(STORE_CUSTOMERS));

/** Whether `authorize` should answer this customer from the store API. */
export const isStoreCustomer = (id) => storeCustomers.has(id);

/** `{ recentlyPurchased, cache, runtime }`, or `{ error: code, runtime }` when the store API refuses. */
export async function purchasesFor({ customer, storeHash }, request, env) {
  const outcomes = [];
  try {
    const items = await recentlyPurchased({
      storeHash,
      customerId: customer.id,
      accessToken: () => (customer.id === STORE_CUSTOMERS.badToken ? 'not-the-store-token' : STORE_TOKEN),
      channelId: CHANNELS[request.headers.get('origin')],
      apiUrl: env.STORE_API_URL,
      timeoutMs: 5000,
      onEvent: (event) => event.type === 'cache' && outcomes.push(event.outcome),
    });
    return { recentlyPurchased: items, cache: outcomes[0], runtime: env.RUNTIME };
  } catch (error) {
    if (isStoreApiError(error)) return { error: error.code, runtime: env.RUNTIME };
    throw error;
  }
}
