import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

/** The services that keep an audit trail and sign checkpoints of it. */
const CheckpointingService = z.enum(['gateway', 'expense', 'approval', 'notification']);

/**
 * Signed audit checkpoints, kept outside the database: one JetStream stream, one subject
 * per service and company (`countersign.audit.checkpoint.<service>.<company_id>`). Each
 * service publishes only under its own `publishes` prefix (its NATS permissions should
 * allow nothing else) and reads back the last message of its own subjects. Old
 * checkpoints are kept up to `maxPerSubject` per subject: the newest one pins the whole
 * chain before it, the older ones are history for an auditor.
 */
export const AuditCheckpointStream = {
  name: 'COUNTERSIGN_AUDIT_CHECKPOINTS',
  subjects: 'countersign.audit.checkpoint.>',
  maxPerSubject: 10_000,
  /** Who publishes which subjects: every trail-keeping service its own. */
  publishers: {
    gateway: 'countersign.audit.checkpoint.gateway.>',
    expense: 'countersign.audit.checkpoint.expense.>',
    approval: 'countersign.audit.checkpoint.approval.>',
    notification: 'countersign.audit.checkpoint.notification.>',
  },
} as const;

/** The subject holding one service's checkpoints of one company's chain. */
export function auditCheckpointSubject(
  service: z.infer<typeof CheckpointingService>,
  companyId: string,
): string {
  return `countersign.audit.checkpoint.${service}.${companyId}`;
}

/**
 * What a service signs: its company's chain head at a place. The signature (Ed25519,
 * base64url) covers the canonical JSON (keys sorted, no whitespace) of every other field.
 */
export const AuditCheckpointV1 = z
  .object({
    version: z.literal(1),
    service: CheckpointingService,
    company_id: Uuid,
    sequence: z.number().int().positive().meta({ description: 'The chain place signed' }),
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .meta({ description: 'That place’s hash' }),
    signed_at: IsoDateTime,
    key_id: z.string().min(1).max(100).meta({
      description:
        'The signing key: the first 16 hex digits of SHA-256 over its public key (SPKI DER)',
    }),
    signature: z.string().min(1).max(200),
  })
  .meta({ id: 'AuditCheckpoint' });
export type AuditCheckpointV1 = z.infer<typeof AuditCheckpointV1>;
