import { queueMail } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { pendingFor } from '../db/pending-approval-queries.js';
import type { NotificationDatabase } from '../db/types.js';
import { digestDayDue } from '../domain/digest-schedule.js';
import { digestMail } from '../domain/notification-mail.js';

interface Approver {
  user_id: string;
  email: string;
  name: string;
}

/**
 * Queues today's digest for every active approver who chose approval requests by daily
 * digest and has something pending, once per person per UTC day across replicas: each
 * digest claims its (person, day) row in the transaction that queues the mail, so a
 * replica racing for the same person waits on the row and then finds it taken. Returns
 * how many digests this call queued.
 */
export async function sendDailyDigests(
  db: Kysely<NotificationDatabase>,
  now: Date,
  hourUtc: number,
): Promise<number> {
  const day = digestDayDue(now, hourUtc);
  if (day === null) return 0;
  let queued = 0;
  for (const approver of await awaitingDigest(db, day)) {
    if (await queueDigest(db, approver, day)) queued += 1;
  }
  return queued;
}

function awaitingDigest(db: Kysely<NotificationDatabase>, day: string): Promise<Approver[]> {
  return db
    .selectFrom('notification_preference as pref')
    .innerJoin('person', 'person.user_id', 'pref.user_id')
    .select(['person.user_id', 'person.email', 'person.name'])
    .where('pref.kind', '=', 'approval_requested')
    .where('pref.email', '=', 'daily_digest')
    .where('person.active', '=', true)
    .where((eb) =>
      eb.and([
        eb.exists(
          eb
            .selectFrom('pending_approval')
            .select('pending_approval.step')
            .whereRef('pending_approval.approver_id', '=', 'person.user_id'),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('digest_sent')
              .select('digest_sent.user_id')
              .whereRef('digest_sent.user_id', '=', 'person.user_id')
              .where('digest_sent.day', '=', sql<Date>`${day}::date`),
          ),
        ),
      ]),
    )
    .orderBy('person.user_id')
    .execute();
}

async function queueDigest(
  db: Kysely<NotificationDatabase>,
  approver: Approver,
  day: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const pending = await pendingFor(trx, approver.user_id);
    if (pending.length === 0) return false;
    const claimed = await trx
      .insertInto('digest_sent')
      .values({ user_id: approver.user_id, day, pending_count: pending.length })
      .onConflict((oc) => oc.doNothing())
      .returning('user_id')
      .executeTakeFirst();
    if (!claimed) return false;
    await queueMail(
      trx,
      digestMail(
        approver,
        pending.map((p) => ({
          expenseId: p.expense_id,
          submitterName: p.submitter_name,
          description: p.description,
          amount: p.amount,
          waitingSince: p.requested_at.toISOString(),
        })),
      ),
    );
    return true;
  });
}
