import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { ReceiptStorage } from './receipt-storage.js';

/**
 * Receipts as files under one directory (RECEIPTS_DIR). Each file is written under a
 * temporary name and renamed into place, so a reader never sees half a file. Replicas
 * share receipts only if they share the directory (a volume); see Known limits.
 */
export function diskReceiptStorage(directory: string): ReceiptStorage {
  const root = resolve(directory);
  const pathOf = (key: string) => {
    const path = resolve(root, key);
    // Keys are made by the service, but a key must never name a file outside the root.
    if (!path.startsWith(root + sep)) throw new Error(`receipt key ${key} leaves the store`);
    return path;
  };
  return {
    async put(key, content) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = join(dirname(path), `.${randomUUID()}.part`);
      await writeFile(temporary, content, { flag: 'wx' });
      await rename(temporary, path);
    },
    read: (key) => readFile(pathOf(key)),
    remove: (key) => rm(pathOf(key), { force: true }),
  };
}
