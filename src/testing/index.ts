export {
  mintCustomerToken,
  mintSignedPayload,
  type MintCustomer,
  type MintOptions,
  type MintSignedPayloadOptions,
} from './mint.js';
export {
  createMockStorefront,
  OTHER_STORE_HASH,
  SESSION_COOKIE,
  type MockStorefront,
  type MockStorefrontOptions,
  type StorefrontAddress,
  type StorefrontBehaviour,
  type StorefrontRequestContext,
  type StorefrontRequestRecord,
  type StorefrontRoute,
  type StorefrontStats,
} from './storefront.js';
export {
  escapeHtml,
  renderTemplate,
  type PageContext,
  type PageRenderer,
  type StorefrontCustomer,
} from './template.js';
export {
  createMockStoreApi,
  MOCK_STORE_API_SEED,
  type MockAuthCode,
  type MockOrder,
  type MockOrderLine,
  type MockProduct,
  type MockStoreApi,
  type MockStoreApiOptions,
  type MockStoreSeed,
  type StoreApiCall,
  type StoreApiFault,
} from './store-api.js';
