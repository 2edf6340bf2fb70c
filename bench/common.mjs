// Shared by every benchmark: the app's settings, the pool of distinct tokens, the machine
// description, and small statistics helpers. Imports the built package by name, as users do.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { mintCustomerToken } from 'bc-customer-gate/testing';

export const CLIENT_ID = 'bench-client-id-0123456789';
export const STORE_HASH = 'abc123bench';
export const ISSUER = 'bc/apps';
export const OPERATION = 'current_customer';
export const ALGORITHMS = ['HS256', 'HS512'];
export const EXCHANGE_CONTENT_TYPE = 'text/plain;charset=UTF-8';

/** A fresh secret per run, shaped like a BigCommerce client secret; never printed. */
export function makeSecret() {
  return randomBytes(24).toString('hex');
}

/**
 * Mints `count` distinct valid tokens: a different customer and `iat` each, HS512 as BigCommerce
 * signs them. `iat` spreads over the last five minutes, so every token stays valid (exp = iat + 900
 * and maxTokenAge 900) for the whole run.
 */
export async function mintPool(secret, count) {
  const now = Math.floor(Date.now() / 1000);
  const pool = new Array(count);
  const batch = 256;
  for (let start = 0; start < count; start += batch) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      jobs.push(
        mintCustomerToken({
          clientId: CLIENT_ID,
          clientSecret: secret,
          storeHash: STORE_HASH,
          customer: { id: 1000 + i, email: `shopper${i}@example.com`, groupId: i % 7 === 0 ? null : String(i % 5) },
          issuedAt: now - (i % 300),
        }).then((token) => {
          pool[i] = token;
        }),
      );
    }
    await Promise.all(jobs);
  }
  if (new Set(pool).size !== count)
    throw new Error(`bench: the token pool holds duplicates (${new Set(pool).size} of ${count} distinct).`);
  return pool;
}

/** The checks every library cannot express itself, applied after it verified the signature. */
export function checkBigCommerceClaims(payload) {
  if (payload.operation !== OPERATION) throw new Error('operation');
  if (typeof payload.store_hash !== 'string' || payload.store_hash !== STORE_HASH || payload.sub !== STORE_HASH)
    throw new Error('store');
  const id = payload.customer?.id;
  if (!Number.isSafeInteger(id) || id <= 0 || typeof payload.customer.email !== 'string') throw new Error('claims');
  return payload;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A genuine failure (a refused token, a non-2xx answer): the run exits non-zero with this message. */
export class BenchError extends Error {
  name = 'BenchError';
}

export function ratio(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

export function fmtInt(n) {
  return Math.round(n).toLocaleString('en-US');
}
