import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

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

export const NotificationPage = z
  .object({ items: z.array(Notification), next_cursor: z.string().nullable() })
  .meta({ id: 'NotificationPage' });
export type NotificationPage = z.infer<typeof NotificationPage>;
