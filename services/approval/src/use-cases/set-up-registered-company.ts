import type { CompanyRegisteredV1, EventOf, EventType, UserSnapshot } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import { bandRules } from '@countersign/routing';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';
import { announceRoutingSnapshot } from './announce-routing-snapshot.js';

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
  const org = await insertDefaultOrg(trx, data.company_id);
  const admin: UserSnapshot = {
    user_id: data.admin.user_id,
    email: data.admin.email.toLowerCase(),
    name: data.admin.name,
    role: 'admin',
    team_id: org.team.id,
    level_id: org.top.id,
    manager_id: null,
    active: true,
    revision: 1,
  };
  await trx
    .insertInto('person')
    .values({
      id: admin.user_id,
      company_id: data.company_id,
      team_id: admin.team_id,
      level_id: admin.level_id,
      name: admin.name,
      email: admin.email,
      role: admin.role,
      manager_id: null,
      active: true,
    })
    .execute();
  await insertDefaultPolicy(trx, data.company_id);
  const about = {
    companyId: data.company_id,
    actor: system,
    occurredAt: new Date(event.occurred_at),
  };
  const events: EventOf<EventType>[] = [
    newEvent('TeamCreated', { ...about, subject: org.team.id, data: { team: org.team } }),
    ...org.levels.map((level) =>
      newEvent('LevelCreated', { ...about, subject: level.id, data: { level } }),
    ),
    newEvent('UserAdded', {
      ...about,
      subject: admin.user_id,
      data: { user: admin, invited: false },
    }),
  ];
  await enqueue(trx, events);
  // Routing's copy in the expense service starts whole: the default policy too.
  await announceRoutingSnapshot(trx, data.company_id, new Date());
}

async function insertDefaultOrg(trx: Transaction<ApprovalDatabase>, companyId: string) {
  const team = { id: uuidv7(), name: 'General' };
  const levels = defaultLevels.map((l) => ({ id: uuidv7(), number: l.number, name: l.name }));
  const [top] = levels;
  if (!top) throw new Error('the default levels are empty');
  await trx
    .insertInto('team')
    .values({ ...team, company_id: companyId })
    .execute();
  await trx
    .insertInto('level')
    .values(levels.map((l) => ({ ...l, company_id: companyId })))
    .execute();
  return { team, levels, top };
}

/** "General expenses": any amount, one step at level 3 (Manager) in the submitter's team. */
async function insertDefaultPolicy(trx: Transaction<ApprovalDatabase>, companyId: string) {
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
  await trx
    .insertInto('policy_version')
    .values({
      policy_id: policyId,
      version: 1,
      rules: JSON.stringify(
        bandRules('General expenses', '0.00', null, [
          { requiredLevel: 3, teamScope: 'submitter', required: true },
        ]),
      ),
      created_by: null,
    })
    .execute();
}
