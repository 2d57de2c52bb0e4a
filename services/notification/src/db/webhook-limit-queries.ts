import { sql, type Transaction } from 'kysely';
import type { NotificationDatabase } from './types.js';

type Trx = Transaction<NotificationDatabase>;

/**
 * Serialises a company's limited webhook writes (registering, redelivering) until the
 * transaction ends, so that two requests at the limit cannot both count below it.
 * Transaction-scoped: there may be no row to lock (a company's first endpoint).
 */
export async function lockCompanyWebhookLimits(trx: Trx, companyId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('notification.webhook_limits'), hashtext(${companyId}))`.execute(
    trx,
  );
}

/** Endpoints the company has registered, active or paused. */
export async function countCompanyEndpoints(trx: Trx, companyId: string): Promise<number> {
  const row = await trx
    .selectFrom('webhook_endpoint')
    .select((eb) => eb.fn.countAll<string>().as('registered'))
    .where('company_id', '=', companyId)
    .executeTakeFirstOrThrow();
  return Number(row.registered);
}

/**
 * When the latest manual redeliveries (at most `limit`, newest first) created after
 * `since` were asked for: of one endpoint, or of all the company's endpoints. The rows
 * are the count: a deleted endpoint's redeliveries, gone with it, no longer cost anything.
 */
export async function latestRedeliveries(
  trx: Trx,
  scope: { endpointId: string } | { companyId: string },
  since: Date,
  limit: number,
): Promise<Date[]> {
  let query = trx
    .selectFrom('webhook_delivery as d')
    .select('d.created_at')
    .where('d.redelivery_of', 'is not', null)
    .where('d.created_at', '>', since);
  query =
    'endpointId' in scope
      ? query.where('d.endpoint_id', '=', scope.endpointId)
      : query.where('d.endpoint_id', 'in', (eb) =>
          eb.selectFrom('webhook_endpoint').select('id').where('company_id', '=', scope.companyId),
        );
  const rows = await query.orderBy('d.created_at', 'desc').limit(limit).execute();
  return rows.map((row) => row.created_at);
}
