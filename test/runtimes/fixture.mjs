// What the conformance servers are configured with and the client sends: shared by both sides, and
// free of any runtime's API so every server entry can import it.
export const CLIENT_ID = 'conformance-client-id-5e1b';
export const SECRET = 'conformance-client-secret-0a9f73';
export const STORE = 'confstore1';
export const SECOND_STORE = 'confstore2';
export const ORIGIN = 'https://shop.example.com';
export const SECOND_ORIGIN = 'https://other-shop.example.com';

/** Customer IDs the app answers specially; any other verified customer gets `{ plan, runtime }`. */
export const CUSTOMERS = { denied: 13, fragment: 42, passthrough: 51, throws: 66 };

/** The environment every server starts with, as a deployment would set it. */
export const SERVER_ENV = {
  BC_CLIENT_ID: CLIENT_ID,
  BC_CLIENT_SECRET: SECRET,
  // Written the way people write them: spaces, a trailing comma.
  ALLOWED_ORIGINS: `${ORIGIN}, ${SECOND_ORIGIN},`,
  ALLOWED_STORES: `${STORE},${SECOND_STORE}`,
};
