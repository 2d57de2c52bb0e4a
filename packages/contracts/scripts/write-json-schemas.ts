/**
 * Writes packages/contracts/schemas/*.json from the zod contracts (`npm run schemas`).
 * Files for types no longer in the catalogue are removed; a vN file that changes is a
 * breaking change unless only descriptions moved (see docs/EVENTS.md, "Versioning").
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicJsonSchemas } from '../src/json-schemas.js';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
mkdirSync(target, { recursive: true });
const files = publicJsonSchemas();
for (const name of readdirSync(target)) {
  if (name.endsWith('.json') && !files.has(name)) rmSync(join(target, name));
}
for (const [name, text] of files) writeFileSync(join(target, name), text);
console.log(`wrote ${files.size} schemas to ${target}`);
