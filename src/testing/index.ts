export { mintCustomerToken, type MintCustomer, type MintOptions } from './mint.js';
