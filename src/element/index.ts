/**
 * `bc-customer-gate`: importing this module defines `<bc-customer-gate>` (unless something already
 * did). Import `bc-customer-gate/element` for the class alone, to register it under another name.
 */
import { BcCustomerGate } from './gate.js';

if (!customElements.get('bc-customer-gate')) customElements.define('bc-customer-gate', BcCustomerGate);

export * from './element.js';
