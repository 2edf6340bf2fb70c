/** The `<bc-customer-gate>` class without defining it, for registering under another tag name. */
export { BcCustomerGate } from './gate.js';
export {
  GateError,
  type Denial,
  type FragmentResponse,
  type VerifiedResponse,
  type SessionEnvironment,
  type SessionTiming,
} from './session.js';
export { POLICY_NAME } from './fragment.js';
