import { applyDirectoryPerson } from '../use-cases/apply-directory-person.js';
import type { HandlerPart } from './compose-handlers.js';

/**
 * The directory's user events (the approval service owns the directory): who is finance,
 * where each person's mail goes. Read by the approval stream's one consumer, in stream
 * order with the events that notify people, so a notification sees the directory as it
 * was when its event happened.
 */
export const applyDirectoryEvents: HandlerPart = {
  legacyDurable: 'notification-on-directory-events',
  handlers: {
    UserAdded: applyDirectoryPerson,
    UserChanged: applyDirectoryPerson,
    UserDeactivated: applyDirectoryPerson,
  },
};
