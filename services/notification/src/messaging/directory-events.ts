import { Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { applyDirectoryPerson } from '../use-cases/apply-directory-person.js';

/**
 * The directory's user events (the approval service owns the directory): who is finance,
 * where each person's mail goes. A durable of its own, filtered to the user events.
 */
export const directoryEventsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.approval,
  durable: 'notification-on-directory-events',
  filterSubject: 'countersign.approval.user.>',
  handlers: {
    UserAdded: applyDirectoryPerson,
    UserChanged: applyDirectoryPerson,
    UserDeactivated: applyDirectoryPerson,
  },
};
