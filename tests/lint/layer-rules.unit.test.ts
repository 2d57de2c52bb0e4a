import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules live in biome.json (noRestrictedImports per folder). These probes are
 * written where a service's files would be, so the real configuration judges them; biome
 * runs once over all of them.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const probeService = join(root, 'services', `layer-probe-${randomUUID().slice(0, 8)}`);

const lines = (...source: string[]) => `${source.join('\n')}\n`;

const probes = {
  'domain/db.ts': lines("import type { Row } from '../db/types.js';", '', 'export type { Row };'),
  'domain/http.ts': lines("import { routes } from '../http/routes.js';", '', 'export { routes };'),
  'domain/messaging.ts': lines(
    "import { start } from '../messaging/run.js';",
    '',
    'export { start };',
  ),
  'domain/outbox.ts': lines(
    "import { enqueue } from '../outbox/enqueue.js';",
    '',
    'export { enqueue };',
  ),
  'domain/use-cases.ts': lines(
    "import { submit } from '../use-cases/submit.js';",
    '',
    'export { submit };',
  ),
  'domain/kysely.ts': lines("import { sql } from 'kysely';", '', 'export { sql };'),
  'domain/platform-io.ts': lines(
    "import { enqueue } from '@countersign/platform';",
    '',
    'export { enqueue };',
  ),
  'domain/allowed.ts': lines(
    "import type { ExpenseV1 } from '@countersign/contracts';",
    "import { ConflictError, type ErrorCode } from '@countersign/platform';",
    "import { decide } from './decide.js';",
    '',
    'export { ConflictError, decide };',
    'export type { ErrorCode, ExpenseV1 };',
  ),
  'use-cases/http.ts': lines(
    "import type { Port } from '../http/client.js';",
    '',
    'export type { Port };',
  ),
  'use-cases/messaging.ts': lines(
    "import { start } from '../messaging/run.js';",
    '',
    'export { start };',
  ),
  'use-cases/allowed.ts': lines(
    "import { findExpense } from '../db/expense-queries.js';",
    "import { decide } from '../domain/decide.js';",
    "import { enqueue } from '../outbox/enqueue.js';",
    '',
    'export { decide, enqueue, findExpense };',
  ),
};
type Probe = keyof typeof probes;

let refusalsByProbe: Map<string, number>;

beforeAll(async () => {
  for (const [name, source] of Object.entries(probes)) {
    const file = join(probeService, 'src', name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, source);
  }
  const biome = join(root, 'node_modules/.bin/biome');
  const output = await promisify(execFile)(biome, ['lint', '--reporter=json', probeService], {
    cwd: root,
  }).then(
    (done) => done.stdout,
    (failed: { stdout: string }) => failed.stdout,
  );
  const report = JSON.parse(output) as {
    diagnostics: { category: string; location: { path: string } }[];
  };
  refusalsByProbe = new Map();
  for (const { category, location } of report.diagnostics) {
    if (category !== 'lint/style/noRestrictedImports') continue;
    const probe = relative(join(probeService, 'src'), join(root, location.path));
    refusalsByProbe.set(probe, (refusalsByProbe.get(probe) ?? 0) + 1);
  }
});

afterAll(() => rm(probeService, { recursive: true, force: true }));

const refusals = (probe: Probe) => refusalsByProbe.get(probe) ?? 0;

describe('layer rules', () => {
  it.each([
    'domain/db.ts',
    'domain/http.ts',
    'domain/messaging.ts',
    'domain/outbox.ts',
    'domain/use-cases.ts',
    'domain/kysely.ts',
    'domain/platform-io.ts',
  ] as const)('refuse the import in %s', (probe) => {
    expect(refusals(probe)).toBe(1);
  });

  it('let the domain import its neighbours, contracts and the platform errors', () => {
    expect(refusals('domain/allowed.ts')).toBe(0);
  });

  it.each(['use-cases/http.ts', 'use-cases/messaging.ts'] as const)(
    'refuse the door import in %s',
    (probe) => {
      expect(refusals(probe)).toBe(1);
    },
  );

  it('let use cases import the domain, db and outbox', () => {
    expect(refusals('use-cases/allowed.ts')).toBe(0);
  });
});
