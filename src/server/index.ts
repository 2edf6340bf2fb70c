export { CustomerTokenError, isCustomerTokenError } from './errors.js';
export {
  createVerifier,
  verifyCustomerToken,
  type CustomerVerifier,
  type StoresOption,
  type VerifiedCustomer,
  type VerifierOptions,
} from './verify.js';
export { createCustomerGateHandler, type CustomerGateHandler } from './handler.js';
export type {
  Authorize,
  AuthorizeResult,
  CustomerGateOptions,
  ExchangeErrorContext,
  ExchangePhase,
  OnExchangeError,
} from './exchange.js';
export type { OriginsOption } from './cors.js';
export { html, HtmlFragment, isHtmlFragment, escapeHtml } from './html.js';
export { toNodeListener, type FetchHandler, type NodeListener } from './node.js';
export type { Customer, ExchangeSuccess, ExchangeErrorBody, TokenErrorCode } from '../protocol.js';
