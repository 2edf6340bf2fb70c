/** The development build of `bc-customer-gate` (the `development` export condition): with console hints. */
import './hints.js';

export * from './index.js';
