import { z } from 'zod';
import { IsoDateTime, PageQuery, Uuid } from '../common.js';

export const NotificationKind = z.enum([
  'approval_requested',
  'expense_approved',
  'expense_rejected',
  'expense_refused',
  'expense_sent_back',
  'expense_withdrawn',
  'decided_on_your_behalf',
  'delegation_granted',
  'approval_escalated',
  'expense_blocked',
  'expense_paid',
  /** Added with preferences: a step of the submitter's chain was approved. */
  'step_approved',
  /** Added with preferences: a policy rule approved the submitter's expense at once. */
  'expense_auto_approved',
  /** Added with preferences: finance is told an approved expense is ready to pay. */
  'expense_ready_to_pay',
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const Notification = z
  .object({
    id: Uuid,
    kind: NotificationKind,
    expense_id: Uuid.nullable().meta({ description: 'Null when about no expense (a delegation)' }),
    message: z.string(),
    created_at: IsoDateTime,
    read_at: IsoDateTime.nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationQuery = PageQuery.extend({
  unread_only: z
    .stringbool()
    .optional()
    .meta({ description: 'true: only notifications not yet read' }),
});

export const NotificationPage = z
  .object({
    items: z.array(Notification),
    next_cursor: z.string().nullable(),
    unread_count: z
      .number()
      .int()
      .min(0)
      .meta({ description: "How many of the caller's notifications are unread, on every page" }),
  })
  .meta({ id: 'NotificationPage' });
export type NotificationPage = z.infer<typeof NotificationPage>;

export const NotificationIdParam = z.object({ id: Uuid });

/** Marking read takes no body; one that is sent must be empty (nothing else can be set). */
export const MarkReadRequest = z.strictObject({}).meta({ id: 'MarkReadRequest' });

export const MarkedRead = z.object({ notification: Notification }).meta({
  id: 'MarkedRead',
  description: 'The notification, read (read_at kept if it already was)',
});
export type MarkedRead = z.infer<typeof MarkedRead>;

export const MarkedAllRead = z
  .object({ marked: z.number().int().min(0).meta({ description: 'How many were unread' }) })
  .meta({ id: 'MarkedAllRead' });
export type MarkedAllRead = z.infer<typeof MarkedAllRead>;

/**
 * How a kind reaches a person by e-mail: at once, in the daily digest (approval requests
 * only: the digest lists pending approvals), or not at all.
 */
export const EmailDelivery = z.enum(['immediately', 'daily_digest', 'off']);
export type EmailDelivery = z.infer<typeof EmailDelivery>;

export const NotificationPreference = z
  .object({
    kind: NotificationKind,
    in_app: z.boolean(),
    email: EmailDelivery,
  })
  .meta({ id: 'NotificationPreference' });
export type NotificationPreference = z.infer<typeof NotificationPreference>;

export const NotificationPreferences = z
  .object({
    preferences: z
      .array(NotificationPreference)
      .meta({ description: 'One entry per notification kind, defaults filled in' }),
  })
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

export const NotificationPreferenceChange = z
  .strictObject({
    kind: NotificationKind,
    in_app: z.boolean().optional(),
    email: EmailDelivery.optional(),
  })
  .refine((change) => change.in_app !== undefined || change.email !== undefined, {
    message: 'name in_app, email or both',
  })
  .refine((change) => change.email !== 'daily_digest' || change.kind === 'approval_requested', {
    message: 'daily_digest is offered for approval_requested only',
    path: ['email'],
  });

export const UpdateNotificationPreferences = z
  .strictObject({
    preferences: z
      .array(NotificationPreferenceChange)
      .min(1)
      .max(NotificationKind.options.length)
      .refine((changes) => new Set(changes.map((c) => c.kind)).size === changes.length, {
        message: 'each kind may appear once',
      }),
  })
  .meta({
    id: 'UpdateNotificationPreferences',
    description: 'Only the kinds and channels named change; the rest keep their setting',
  });
export type UpdateNotificationPreferences = z.infer<typeof UpdateNotificationPreferences>;
