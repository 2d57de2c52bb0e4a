import { type AuditEntry, type AuditRecord, appendAudit } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { IDENTITY_SCHEMA } from './enqueue.js';

/**
 * Appends to this service's audit trail in the caller's transaction (see appendAudit in
 * packages/platform): call it as the transaction's last write.
 */
export function recordAudit(
  trx: Transaction<IdentityDatabase>,
  records: AuditRecord | AuditRecord[],
): Promise<AuditEntry[]> {
  return appendAudit(trx, IDENTITY_SCHEMA, records);
}
