/** The Trusted Types policy name a page's CSP must allow: `trusted-types bc-customer-gate`. */
export const POLICY_NAME = 'bc-customer-gate';
