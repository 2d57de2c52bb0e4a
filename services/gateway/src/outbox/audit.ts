import { type AuditRecord, appendAudit } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';

/**
 * Appends to this service's audit trail in the caller's transaction (see appendAudit in
 * packages/platform): call it as the transaction's last write.
 */
export function recordAudit(
  trx: Transaction<IdentityDatabase>,
  records: AuditRecord | AuditRecord[],
): Promise<void> {
  return appendAudit(trx, records);
}

/** Company of entries about the whole deployment (signing keys): read by no company. */
export const DEPLOYMENT_COMPANY = '00000000-0000-0000-0000-000000000000';

/** An entry about one account's sign-in or credentials, written as that account. */
export function authEntry(
  credential: { user_id: string; company_id: string; role?: string },
  action: string,
  after?: Record<string, unknown>,
): AuditRecord {
  return {
    companyId: credential.company_id,
    actor: { kind: 'user', id: credential.user_id, role: credential.role ?? null },
    action,
    entity: { type: 'credential', id: credential.user_id },
    ...(after ? { after } : {}),
  };
}
