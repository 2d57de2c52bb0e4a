import { z } from 'zod';
import { Uuid } from '../common.js';
import { NotificationKind } from '../rest/notifications.js';
import { envelopeOf } from './envelope.js';

/** An in-app notification was stored for a person; feeds real-time delivery. */
export const NotificationCreatedV1 = envelopeOf(
  'NotificationCreated',
  1,
  z.object({
    notification_id: Uuid,
    recipient_id: Uuid,
    kind: NotificationKind,
    /** Null when the notification is about no expense (a delegation granted). */
    expense_id: Uuid.nullable(),
    message: z.string(),
  }),
);
export type NotificationCreatedV1 = z.infer<typeof NotificationCreatedV1>;
