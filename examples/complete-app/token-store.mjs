/**
 * Each installed store's API access token, in SQLite (`node:sqlite`, Node 22.13+ without a flag):
 * one row per store hash, the token encrypted with AES-256-GCM under a key the database never
 * holds, so a copied database file or backup leaks no usable token.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

const SCHEMA = `CREATE TABLE IF NOT EXISTS installed_stores (
  store_hash   TEXT PRIMARY KEY,
  access_token TEXT NOT NULL,  -- base64(iv | tag | ciphertext)
  scope        TEXT NOT NULL,
  owner_email  TEXT,
  installed_at TEXT NOT NULL
) STRICT`;

/**
 * Opens (or creates) the database at `path`. `key` is 32 bytes, e.g. `Buffer.from(process.env.TOKEN_KEY,
 * 'base64')`; keep it in a secret store, not beside the database.
 */
export function openTokenStore(path, key) {
  if (!Buffer.isBuffer(key) || key.length !== 32) {
    throw new TypeError('The token key must be 32 bytes (TOKEN_KEY: 32 random bytes in base64).');
  }
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(SCHEMA);
  const upsert = db.prepare(`INSERT INTO installed_stores (store_hash, access_token, scope, owner_email, installed_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (store_hash) DO UPDATE SET access_token = excluded.access_token, scope = excluded.scope,
      owner_email = excluded.owner_email, installed_at = excluded.installed_at`);
  const select = db.prepare('SELECT access_token FROM installed_stores WHERE store_hash = ?');
  const remove = db.prepare('DELETE FROM installed_stores WHERE store_hash = ?');

  // The store hash is authenticated data: a token copied into another store's row fails to open.
  const seal = (token, storeHash) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(storeHash));
    const sealed = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  };
  const open = (text, storeHash) => {
    const bytes = Buffer.from(text, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    decipher.setAAD(Buffer.from(storeHash));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  };

  return {
    /** Saves (or replaces, on a reinstall) a store's token. */
    save({ storeHash, accessToken, scope, owner }) {
      upsert.run(storeHash, seal(accessToken, storeHash), scope, owner?.email ?? null, new Date().toISOString());
    },
    /** The store's token, or `undefined` when the app is not installed there. */
    get(storeHash) {
      const row = select.get(storeHash);
      return row ? open(row.access_token, storeHash) : undefined;
    },
    has(storeHash) {
      return select.get(storeHash) !== undefined;
    },
    /** Forgets a store (the uninstall callback). Returns whether it was installed. */
    delete(storeHash) {
      return remove.run(storeHash).changes > 0;
    },
    close() {
      db.close();
    },
  };
}
