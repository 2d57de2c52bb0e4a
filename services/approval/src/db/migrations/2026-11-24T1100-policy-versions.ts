import { type Kysely, sql } from 'kysely';

interface LegacyRow {
  id: string;
  name: string;
  min_amount: string;
  max_amount: string | null;
  step_order: number | null;
  required_level: number | null;
  team_scope: 'submitter' | 'company' | null;
  required: boolean | null;
}

/**
 * A policy's amount band and level steps, written as one rule. Kept here, frozen with the
 * migration, rather than imported from the domain, which may change later.
 */
function bandAsRules(policy: LegacyRow, steps: LegacyRow[]) {
  const condition =
    policy.max_amount === null
      ? { field: 'amount', op: 'gte', value: policy.min_amount }
      : { field: 'amount', op: 'between', min: policy.min_amount, max: policy.max_amount };
  return [
    {
      priority: 1,
      description: `${policy.name}: amount band`,
      condition,
      action: {
        type: 'require_approval',
        steps: steps.map((s) => ({
          approver: {
            by: 'level',
            level: s.required_level,
            scope: s.team_scope === 'company' ? 'company' : 'submitter_team',
          },
          required: s.required,
        })),
      },
    },
  ];
}

// Frozen: a later change is a new migration file.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('policy_version')
    .addColumn('policy_id', 'uuid', (c) => c.notNull().references('policy.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'uuid')
    .addPrimaryKeyConstraint('policy_version_pk', ['policy_id', 'version'])
    .execute();
  await db.schema
    .alterTable('policy')
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // What an expense was routed by, and why; null on chains routed before rules existed.
  await db.schema
    .alterTable('chain')
    .addColumn('policy_version', 'integer')
    .addColumn('category', 'text')
    .addColumn('submitter_team_id', 'uuid')
    .addColumn('workspace_id', 'uuid')
    .addColumn('flags', 'jsonb')
    .addColumn('explanation', 'jsonb')
    .execute();
  await db.schema
    .createIndex('chain_company_created')
    .on('chain')
    .columns(['company_id', 'created_at'])
    .execute();
  const rows: LegacyRow[] = await db
    .selectFrom('policy')
    .leftJoin('policy_step', 'policy_step.policy_id', 'policy.id')
    .select([
      'policy.id',
      'policy.name',
      'policy.min_amount',
      'policy.max_amount',
      'policy_step.step_order',
      'policy_step.required_level',
      'policy_step.team_scope',
      'policy_step.required',
    ])
    .orderBy('policy.id')
    .orderBy('policy_step.step_order')
    .execute();
  const byPolicy = new Map<string, LegacyRow[]>();
  for (const row of rows) byPolicy.set(row.id, [...(byPolicy.get(row.id) ?? []), row]);
  for (const [policyId, policyRows] of byPolicy) {
    const [first] = policyRows;
    if (!first) continue;
    const steps = policyRows.filter((r) => r.step_order !== null);
    await db
      .insertInto('policy_version')
      .values({
        policy_id: policyId,
        version: 1,
        rules: JSON.stringify(bandAsRules(first, steps)),
        created_by: null,
      })
      .execute();
  }
}
