/**
 * Where receipt files live. The database row is the record; the store only holds bytes
 * under a key the row names, so another store (S3, a blob service) is one more
 * implementation of these three calls.
 */
export interface ReceiptStorage {
  /** Stores the bytes under a new key; the key must not exist yet. */
  put(key: string, content: Uint8Array): Promise<void>;
  /** The bytes under a key; throws when there are none. */
  read(key: string): Promise<Buffer>;
  /** Removes a key if present (a file whose row never committed). */
  remove(key: string): Promise<void>;
}
