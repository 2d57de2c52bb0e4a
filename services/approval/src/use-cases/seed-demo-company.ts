import { demoCompany, demoLevels, demoPolicies, demoTeam, demoUsers } from '@countersign/demo-data';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';

/**
 * Loads TechCorp Solutions' org chart and policies when the company is missing. Every
 * insert ignores rows already there, so replicas starting together seed it once.
 */
export async function seedDemoCompany(db: Kysely<ApprovalDatabase>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('company')
      .values(demoCompany)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) return false;
    await trx
      .insertInto('team')
      .values({ ...demoTeam, company_id: demoCompany.id })
      .execute();
    await trx
      .insertInto('level')
      .values(
        demoLevels.map((l) => ({
          id: l.id,
          company_id: demoCompany.id,
          number: l.number,
          name: l.name,
        })),
      )
      .execute();
    await trx
      .insertInto('person')
      .values(
        demoUsers.map((u) => ({
          id: u.id,
          company_id: demoCompany.id,
          team_id: demoTeam.id,
          level_id: demoLevels.find((l) => l.number === u.level)?.id ?? '',
          name: u.name,
          email: u.email,
          active: true,
        })),
      )
      .execute();
    await trx
      .insertInto('policy')
      .values(
        demoPolicies.map((p) => ({
          id: p.id,
          company_id: demoCompany.id,
          category: p.category,
          name: p.name,
          min_amount: p.minAmount,
          max_amount: p.maxAmount,
          active: true,
        })),
      )
      .execute();
    await trx
      .insertInto('policy_step')
      .values(
        demoPolicies.flatMap((p) =>
          p.steps.map((s, index) => ({
            policy_id: p.id,
            step_order: index + 1,
            required_level: s.requiredLevel,
            team_scope: 'submitter' as const,
            required: s.required,
            description: s.description,
          })),
        ),
      )
      .execute();
    return true;
  });
}
