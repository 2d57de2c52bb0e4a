import { PolicyRule } from '@countersign/contracts';
import { createDatabase, migrateSchema } from '@countersign/platform';
import { bandRules } from '@countersign/routing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrations } from '../../services/approval/src/db/migrations/index.js';
import type { ApprovalDatabase } from '../../services/approval/src/db/types.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

const schema = 'approval_policy_versions_int';
const company = '0197c000-0000-7000-8000-000000000001';
const small = '0197c000-0000-7000-8000-000000000201';
const travel = '0197c000-0000-7000-8000-000000000203';
let db: Kysely<ApprovalDatabase>;

// The messaging migrations name the service's schema; this schema is a scratch one.
const domainMigrations = Object.fromEntries(
  Object.entries(migrations).filter(
    ([name]) => !/messaging|outbox|audit-trail|audit-chain|audit-checkpoints/.test(name),
  ),
);
const before = Object.fromEntries(
  Object.entries(domainMigrations).filter(([name]) => name < '2026-11-24T1100'),
);

beforeAll(async () => {
  await ensureIntDatabase();
  db = createDatabase<ApprovalDatabase>({ url: INT_DATABASE_URL, schema });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await migrateSchema(db, schema, before);
  // Policies as the proof of concept stored them: an amount band and level steps.
  await db.insertInto('company').values({ id: company, name: 'Legacy Co' }).execute();
  await db
    .insertInto('policy')
    .values([
      {
        id: small,
        company_id: company,
        category: 'equipment',
        name: 'Small',
        min_amount: '0.00',
        max_amount: '1999.99',
        active: true,
      },
      {
        id: travel,
        company_id: company,
        category: 'travel',
        name: 'Travel',
        min_amount: '10.00',
        max_amount: null,
        active: true,
      },
    ])
    .execute();
  await db
    .insertInto('policy_step')
    .values([
      {
        policy_id: small,
        step_order: 1,
        required_level: 6,
        team_scope: 'submitter',
        required: true,
        description: null,
      },
      {
        policy_id: travel,
        step_order: 1,
        required_level: 6,
        team_scope: 'submitter',
        required: true,
        description: null,
      },
      {
        policy_id: travel,
        step_order: 2,
        required_level: 5,
        team_scope: 'company',
        required: false,
        description: null,
      },
    ])
    .execute();
  await migrateSchema(db, schema, domainMigrations);
});
afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

describe('the policy-versions migration', () => {
  it('writes each existing band and its steps as version 1 rules, as the domain would', async () => {
    const rows = await db
      .selectFrom('policy_version')
      .innerJoin('policy', 'policy.id', 'policy_version.policy_id')
      .select([
        'policy.id',
        'policy.current_version',
        'policy_version.version',
        'policy_version.rules',
      ])
      .orderBy('policy.id')
      .execute();
    expect(rows.map((r) => [r.id, r.version, r.current_version])).toEqual([
      [small, 1, 1],
      [travel, 1, 1],
    ]);
    const rules = rows.map((r) => z.array(PolicyRule).parse(r.rules));
    expect(rules[0]).toEqual(
      bandRules('Small', '0.00', '1999.99', [
        { requiredLevel: 6, teamScope: 'submitter', required: true },
      ]),
    );
    expect(rules[1]).toEqual(
      bandRules('Travel', '10.00', null, [
        { requiredLevel: 6, teamScope: 'submitter', required: true },
        { requiredLevel: 5, teamScope: 'company', required: false },
      ]),
    );
  });
});
