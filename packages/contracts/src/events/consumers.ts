import { FeedStream } from '../feed/feed-item.v1.js';
import { type ProducingService, Streams } from './catalogue.js';

/**
 * Who reads what: every durable consumer a service creates, reads, or deletes on its way
 * out, by stream. The NATS permissions of each service are derived from this table and
 * from the event catalogue (`@countersign/platform`, `natsPermissions`), and a service
 * refuses to start with a durable that is not declared here, so the table cannot fall
 * behind the code.
 *
 * `legacy`: durables an older release used; the service may still find them (to take over
 * their position, read them until drained, then delete them), never creates them.
 */
export const DurableConsumers: Readonly<
  Record<ProducingService, readonly { stream: ProducingService; durable: string; legacy?: true }[]>
> = {
  gateway: [{ stream: 'approval', durable: 'gateway-on-directory-events' }],
  approval: [
    { stream: 'expense', durable: 'approval-on-expense-events' },
    { stream: 'expense', durable: 'approval-on-expense-auto-approved' },
    { stream: 'expense', durable: 'approval-on-expense-resubmissions' },
    { stream: 'expense', durable: 'approval-on-expense-blocked' },
    { stream: 'expense', durable: 'approval-on-expense-deleted' },
    { stream: 'expense', durable: 'approval-on-routing-snapshot-requests' },
    { stream: 'gateway', durable: 'approval-on-gateway-events' },
    { stream: 'approval', durable: 'approval-deadlines-on-step-requested' },
  ],
  expense: [
    { stream: 'approval', durable: 'expense-on-approval-events' },
    { stream: 'gateway', durable: 'expense-on-gateway-events' },
  ],
  notification: [
    { stream: 'approval', durable: 'notification-on-approval' },
    { stream: 'expense', durable: 'notification-on-expense' },
    { stream: 'gateway', durable: 'notification-on-gateway' },
    { stream: 'approval', durable: 'notification-on-approval-events', legacy: true },
    { stream: 'approval', durable: 'notification-pending-approvals', legacy: true },
    { stream: 'approval', durable: 'notification-on-directory-events', legacy: true },
    { stream: 'approval', durable: 'notification-feed-on-approval-events', legacy: true },
    { stream: 'approval', durable: 'notification-webhooks-on-approval', legacy: true },
    { stream: 'expense', durable: 'notification-on-expense-blocked', legacy: true },
    { stream: 'expense', durable: 'notification-on-expense-paid', legacy: true },
    { stream: 'expense', durable: 'notification-on-expense-auto-approved', legacy: true },
    { stream: 'expense', durable: 'notification-feed-on-expense-events', legacy: true },
    { stream: 'expense', durable: 'notification-webhooks-on-expense', legacy: true },
    { stream: 'gateway', durable: 'notification-webhooks-on-gateway', legacy: true },
    { stream: 'notification', durable: 'notification-feed-on-notifications', legacy: true },
    {
      stream: 'notification',
      durable: 'notification-webhooks-on-notification',
      legacy: true,
    },
  ],
};

/**
 * The feed stream's roles: the notification service writes it (and keeps its settings up
 * to date), the gateway reads it with short-lived ordered consumers of its own.
 */
export const FeedStreamRoles = {
  writer: 'notification',
  reader: 'gateway',
  stream: FeedStream.name,
} as const satisfies { writer: ProducingService; reader: ProducingService; stream: string };

/** Whether `service` declared `durable` on the stream named `stream` (a JetStream name). */
export function isDeclaredDurable(
  service: ProducingService,
  stream: string,
  durable: string,
): boolean {
  return DurableConsumers[service].some(
    (entry) => Streams[entry.stream] === stream && entry.durable === durable,
  );
}
