/** The development build of `bc-customer-gate/element` (the `development` export condition): with console hints. */
import './hints.js';

export * from './element.js';
