export { CustomerTokenError, isCustomerTokenError } from './errors.js';
export {
  createVerifier,
  verifyCustomerToken,
  type CustomerVerifier,
  type StoresOption,
  type VerifiedCustomer,
  type VerifierOptions,
} from './verify.js';
export type { Customer, ExchangeSuccess, ExchangeErrorBody, TokenErrorCode } from '../protocol.js';
