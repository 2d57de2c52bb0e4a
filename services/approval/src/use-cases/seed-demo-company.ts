import {
  demoCompany,
  demoLevels,
  demoPolicies,
  demoTeams,
  demoUsers,
} from '@countersign/demo-data';
import { newEvent } from '@countersign/platform';
import { bandRules } from '@countersign/routing';
import type { Kysely, Transaction } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';
import { announceRoutingSnapshot } from './announce-routing-snapshot.js';

const levelIdOf = (number: number) => demoLevels.find((l) => l.number === number)?.id ?? '';

/**
 * A database seeded before people had roles and managers holds every demo person as an
 * employee reporting to nobody. Those never edited since (revision 1) get their demo role
 * and manager; anyone an admin has changed is left alone.
 */
async function backfillDemoRoles(trx: Transaction<ApprovalDatabase>): Promise<void> {
  for (const u of demoUsers) {
    await trx
      .updateTable('person')
      .set({ role: u.role, manager_id: u.managerId })
      .where('id', '=', u.id)
      .where('company_id', '=', demoCompany.id)
      .where('revision', '=', 1)
      .where('role', '=', 'employee')
      .where('manager_id', 'is', null)
      .execute();
  }
}

/**
 * Loads TechCorp Solutions' org chart and policies when the company is missing. Every
 * insert ignores rows already there, so replicas starting together seed it once. The
 * people are announced as `UserAdded` like any other, so every service that keeps a copy
 * of the directory learns them the same way.
 */
export async function seedDemoCompany(db: Kysely<ApprovalDatabase>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('company')
      .values(demoCompany)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!created) {
      await backfillDemoRoles(trx);
      return false;
    }
    await trx
      .insertInto('team')
      .values(demoTeams.map((t) => ({ ...t, company_id: demoCompany.id })))
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
          team_id: u.teamId,
          level_id: levelIdOf(u.level),
          name: u.name,
          email: u.email,
          role: u.role,
          manager_id: u.managerId,
          revision: 1,
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
    // The rules routing reads: each demo policy's band and steps as its version 1.
    await trx
      .insertInto('policy_version')
      .values(
        demoPolicies.map((p) => ({
          policy_id: p.id,
          version: 1,
          rules: JSON.stringify(
            bandRules(
              p.name,
              p.minAmount,
              p.maxAmount,
              p.steps.map((s) => ({ ...s, teamScope: 'submitter' as const })),
            ),
          ),
          created_by: null,
        })),
      )
      .execute();
    await enqueue(
      trx,
      demoUsers.map((u) =>
        newEvent('UserAdded', {
          companyId: demoCompany.id,
          actor: { kind: 'system', id: 'approval' },
          subject: u.id,
          data: {
            user: {
              user_id: u.id,
              email: u.email,
              name: u.name,
              role: u.role,
              team_id: u.teamId,
              level_id: levelIdOf(u.level),
              manager_id: u.managerId,
              active: true,
              revision: 1,
            },
            invited: false,
          },
        }),
      ),
    );
    // Routing's copy in the expense service starts whole: levels and policies too.
    await announceRoutingSnapshot(trx, demoCompany.id, new Date());
    return true;
  });
}
