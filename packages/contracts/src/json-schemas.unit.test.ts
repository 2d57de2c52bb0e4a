import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EventCatalogue } from './events/catalogue.js';
import { publicJsonSchemas } from './json-schemas.js';

const committed = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
const generated = publicJsonSchemas();

describe('the committed JSON Schemas', () => {
  it('are exactly what the zod contracts generate (run `npm run schemas` after a change)', () => {
    const onDisk = existsSync(committed)
      ? readdirSync(committed).filter((name) => name.endsWith('.json'))
      : [];
    expect(onDisk.sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(readFileSync(join(committed, name), 'utf8'), `${name} is stale`).toBe(text);
    }
  });

  it('cover every event in the catalogue, named by type and version', () => {
    for (const [type, entry] of Object.entries(EventCatalogue)) {
      const version = /\.v(\d+)$/.exec(entry.subject)?.[1];
      const schema = JSON.parse(generated.get(`${type}.v${version}.json`) ?? '{}');
      expect(schema.description).toContain(entry.subject);
      expect(schema.$defs[`${type}.v${version}`].properties.type.const).toBe(type);
    }
  });
});
