import { type AuditRecord, appendAudit } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Appends to this service's audit trail in the caller's transaction (see appendAudit in
 * packages/platform): call it as the transaction's last write.
 */
export function recordAudit(
  trx: Transaction<NotificationDatabase>,
  records: AuditRecord | AuditRecord[],
): Promise<void> {
  return appendAudit(trx, records);
}
