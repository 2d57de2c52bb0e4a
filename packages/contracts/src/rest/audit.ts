import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

/** The services that keep an audit trail; the gateway's is the identity trail. */
export const AuditService = z.enum(['gateway', 'expense', 'approval', 'notification']);
export type AuditService = z.infer<typeof AuditService>;

const Action = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'a dotted lowercase verb, e.g. expense.submitted')
  .meta({ example: 'expense.submitted' });
const Name = z.string().min(1).max(200);

const AuditFilters = {
  actor: Name.optional().meta({ description: 'The acting user id (or system actor name)' }),
  action: Action.optional(),
  entity_type: z.string().min(1).max(100).optional().meta({ example: 'expense' }),
  entity_id: Name.optional(),
  from: IsoDateTime.optional().meta({ description: 'occurred_at at or after this instant' }),
  to: IsoDateTime.optional().meta({ description: 'occurred_at before this instant' }),
};

const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to);
const fromBeforeToMessage = { message: 'from must be before to', path: ['to'] };

export const AuditLogQuery = z
  .object({
    ...AuditFilters,
    service: AuditService.optional().meta({ description: 'Only this service’s trail' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(400).optional(),
  })
  .refine(fromBeforeTo, fromBeforeToMessage);
export type AuditLogQuery = z.infer<typeof AuditLogQuery>;

/** What a service's internal trail endpoint takes from the gateway (keyset, no cursor). */
export const AuditTrailQuery = z
  .object({
    ...AuditFilters,
    before_at: IsoDateTime.optional(),
    before_id: Uuid.optional(),
    limit: z.coerce.number().int().min(1).max(101).default(50),
  })
  .refine(fromBeforeTo, fromBeforeToMessage)
  .refine((q) => (q.before_at === undefined) === (q.before_id === undefined), {
    message: 'before_at and before_id go together',
    path: ['before_id'],
  });
export type AuditTrailQuery = z.infer<typeof AuditTrailQuery>;

export const AuditActorView = z.object({
  kind: z.enum(['user', 'system', 'service']),
  id: z.string(),
  role: z.string().nullable(),
});

export const AuditLogEntry = z
  .object({
    id: Uuid,
    service: AuditService,
    company_id: Uuid,
    sequence: z.number().int().positive().nullable().meta({
      description:
        'Place in the company’s chain in this service; null until the entry is chained, about a second after it is written',
    }),
    occurred_at: IsoDateTime,
    actor: AuditActorView,
    action: z.string(),
    entity_type: z.string(),
    entity_id: z.string().nullable(),
    before: z.unknown().meta({ description: 'The entity before the change, where it applies' }),
    after: z.unknown().meta({ description: 'The entity after the change, where it applies' }),
    request_id: z.string().nullable(),
    trace_id: z.string().nullable(),
    prev_hash: z.string().nullable().meta({ description: 'null until the entry is chained' }),
    hash: z.string().nullable().meta({
      description:
        'SHA-256 over the canonical JSON of the entry, its sequence and prev_hash; null until chained',
    }),
  })
  .meta({ id: 'AuditLogEntry' });
export type AuditLogEntry = z.infer<typeof AuditLogEntry>;

export const AuditLogPage = z
  .object({ items: z.array(AuditLogEntry), next_cursor: z.string().nullable() })
  .meta({ id: 'AuditLogPage' });
export type AuditLogPage = z.infer<typeof AuditLogPage>;

/** A service's answer to the gateway: up to `limit` entries of its own trail. */
export const AuditTrailPage = z.object({ items: z.array(AuditLogEntry) });
export type AuditTrailPage = z.infer<typeof AuditTrailPage>;

/** How much of a chain one verify request walks, at most and by default. */
export const AUDIT_VERIFY_MAX_LIMIT = 5000;
const VerifyLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(AUDIT_VERIFY_MAX_LIMIT)
  .default(1000)
  .meta({
    description: `Chain places walked per service in this request (at most ${AUDIT_VERIFY_MAX_LIMIT})`,
  });

/** `GET /api/audit-logs/verify`: a page of every service's chain; next_cursor walks on. */
export const AuditVerifyQuery = z.object({
  limit: VerifyLimit,
  cursor: z.string().max(400).optional(),
});
export type AuditVerifyQuery = z.infer<typeof AuditVerifyQuery>;

/** What a service's internal verify endpoint takes from the gateway: walk after this place. */
export const AuditChainVerifyQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: VerifyLimit,
});
export type AuditChainVerifyQuery = z.infer<typeof AuditChainVerifyQuery>;

export const AuditChainBreak = z.object({
  sequence: z
    .number()
    .int()
    .nullable()
    .meta({ description: 'null for an entry left unchained past the grace period' }),
  id: Uuid.nullable().meta({
    description: 'The entry at that place; null when there is none (a truncated chain)',
  }),
  reason: z.string(),
});

export const AuditCheckpointCheck = z
  .object({
    sequence: z.number().int(),
    hash: z.string(),
    signed_at: z.string(),
    key_id: z.string(),
    status: z.enum(['holds', 'signature_invalid', 'unknown_key', 'truncated', 'rewritten']).meta({
      description:
        'holds: the signature verifies and the chain passes through it; otherwise why not',
    }),
    unsigned: z.number().int().meta({
      description:
        'Chain places after the checkpoint: protected only by their hashes until the next one',
    }),
  })
  .meta({ id: 'AuditCheckpointCheck' });
export type AuditCheckpointCheck = z.infer<typeof AuditCheckpointCheck>;

export const AuditChainReport = z
  .object({
    service: AuditService,
    after: z.number().int().meta({ description: 'The walk of this page started after this place' }),
    entries: z
      .number()
      .int()
      .meta({ description: 'Places of this page that checked out before any break' }),
    head: z
      .object({ sequence: z.number().int(), hash: z.string() })
      .nullable()
      .meta({ description: 'The last intact place this page walked' }),
    length: z.number().int().meta({ description: 'The chain’s last place as stored (0: empty)' }),
    next_after: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Where the next page starts; null when this page reached the end' }),
    checkpoint: AuditCheckpointCheck.nullable().meta({
      description:
        'The newest signed checkpoint of this chain (kept outside the database); null if none yet',
    }),
    broken: AuditChainBreak.nullable(),
    unchained: z.number().int().meta({
      description:
        'Of the company’s newest entries (as many as the limit), those not chained yet (chained within about a second)',
    }),
  })
  .meta({ id: 'AuditChainReport' });
export type AuditChainReport = z.infer<typeof AuditChainReport>;

export const AuditVerification = z
  .object({
    intact: z.boolean().meta({
      description: 'Nothing broken in this page, and every newest checkpoint holds',
    }),
    first_broken: AuditChainBreak.extend({ service: AuditService }).nullable(),
    services: z.array(AuditChainReport),
    next_cursor: z.string().nullable().meta({
      description: 'Pass as cursor for the next page; null when every chain was walked to its end',
    }),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerification = z.infer<typeof AuditVerification>;
