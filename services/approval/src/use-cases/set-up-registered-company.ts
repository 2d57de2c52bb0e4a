import type { CompanyRegisteredV1, EventOf, EventType } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

const system = { kind: 'system', id: 'approval' } as const;

/** Every new company starts with these levels; admins rename or add to them later. */
const defaultLevels = [
  { number: 1, name: 'Executive' },
  { number: 2, name: 'Director' },
  { number: 3, name: 'Manager' },
  { number: 4, name: 'Staff' },
] as const;

/**
 * Builds a newly registered company's directory: a "General" team, four levels, its first
 * admin, and a "General expenses" policy (one Manager step) so expenses can flow at once.
 * The company row is inserted first with `ON CONFLICT DO NOTHING`: a redelivered event
 * finds it there and changes nothing, even past the consumer's inbox.
 */
export async function setUpRegisteredCompany(
  trx: Transaction<ApprovalDatabase>,
  event: CompanyRegisteredV1,
): Promise<void> {
  const { data } = event;
  const created = await trx
    .insertInto('company')
    .values({ id: data.company_id, name: data.company_name })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!created) return;
  const companyId = data.company_id;
  const team = { id: uuidv7(), name: 'General' };
  const levels = defaultLevels.map((l) => ({ id: uuidv7(), ...l }));
  const top = levels[0];
  if (!top) return;
  await trx
    .insertInto('team')
    .values({ ...team, company_id: companyId })
    .execute();
  await trx
    .insertInto('level')
    .values(levels.map((l) => ({ ...l, company_id: companyId })))
    .execute();
  await trx
    .insertInto('person')
    .values({
      id: data.admin.user_id,
      company_id: companyId,
      team_id: team.id,
      level_id: top.id,
      name: data.admin.name,
      email: data.admin.email.toLowerCase(),
      role: 'admin',
      manager_id: null,
      active: true,
    })
    .execute();
  const policyId = uuidv7();
  await trx
    .insertInto('policy')
    .values({
      id: policyId,
      company_id: companyId,
      category: 'general',
      name: 'General expenses',
      min_amount: '0.00',
      max_amount: null,
      active: true,
    })
    .execute();
  await trx
    .insertInto('policy_step')
    .values({
      policy_id: policyId,
      step_order: 1,
      required_level: 3,
      team_scope: 'submitter',
      required: true,
      description: 'Manager approval',
    })
    .execute();
  const about = { companyId, actor: system, occurredAt: new Date(event.occurred_at) };
  const events: EventOf<EventType>[] = [
    newEvent('TeamCreated', { ...about, subject: team.id, data: { team } }),
    ...levels.map((level) =>
      newEvent('LevelCreated', { ...about, subject: level.id, data: { level } }),
    ),
    newEvent('UserAdded', {
      ...about,
      subject: data.admin.user_id,
      data: {
        user: {
          user_id: data.admin.user_id,
          email: data.admin.email.toLowerCase(),
          name: data.admin.name,
          role: 'admin',
          team_id: team.id,
          level_id: top.id,
          manager_id: null,
          active: true,
          revision: 1,
        },
        invited: false,
      },
    }),
  ];
  await enqueue(trx, events);
}
