// Cases for the store API part (store-app.mjs), sent like every other case in cases.mjs: a verified
// shopper's recently purchased products, per storefront channel, cached on the second ask.
import { mintCustomerToken } from 'bc-customer-gate/testing';
import { CLIENT_ID, ORIGIN, SECOND_ORIGIN, SECRET, STORE } from './fixture.mjs';
import { EXPECTED_PURCHASES, STORE_CUSTOMERS } from './store-fixture.mjs';

const issuedAt = Math.floor(Date.now() / 1000) - 60;
const JSON_TYPE = 'application/json; charset=utf-8';

const post = async (id, origin) => {
  const token = await mintCustomerToken({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    storeHash: STORE,
    customer: { id, email: `c${id}@example.com`, groupId: '4' },
    issuedAt,
  });
  return {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: origin },
    body: token,
    token,
  };
};

const answer = (id, origin, data) => ({
  status: 200,
  headers: { 'content-type': JSON_TYPE, 'access-control-allow-origin': origin },
  json: {
    customer: { id, email: `c${id}@example.com`, groupId: '4' },
    storeHash: STORE,
    expiresAt: issuedAt + 900,
    data,
  },
});

const { purchases, none, badToken } = STORE_CUSTOMERS;

export const STORE_CASES = [
  {
    name: 'store API: recently purchased on channel 1 (newest first, one item per product), read cold',
    send: () => post(purchases, ORIGIN),
    expect: (ctx) =>
      answer(purchases, ORIGIN, { recentlyPurchased: EXPECTED_PURCHASES[1], cache: 'miss', runtime: ctx.runtime }),
  },
  {
    name: 'store API: the same question again is answered from the cache',
    send: () => post(purchases, ORIGIN),
    expect: (ctx) =>
      answer(purchases, ORIGIN, { recentlyPurchased: EXPECTED_PURCHASES[1], cache: 'hit', runtime: ctx.runtime }),
  },
  {
    name: "store API: the second storefront's Origin maps to channel 2, with its own answer",
    send: () => post(purchases, SECOND_ORIGIN),
    expect: (ctx) =>
      answer(purchases, SECOND_ORIGIN, {
        recentlyPurchased: EXPECTED_PURCHASES[2],
        cache: 'miss',
        runtime: ctx.runtime,
      }),
  },
  {
    name: 'store API: a shopper without orders (204) gets an empty list',
    send: () => post(none, ORIGIN),
    expect: (ctx) => answer(none, ORIGIN, { recentlyPurchased: [], cache: 'miss', runtime: ctx.runtime }),
  },
  {
    name: 'store API: a refused access token is a StoreApiError "unauthorized"',
    send: () => post(badToken, ORIGIN),
    expect: (ctx) => answer(badToken, ORIGIN, { error: 'unauthorized', runtime: ctx.runtime }),
  },
];
