import { Streams } from '@countersign/contracts';
import type { EventHandlers, Logger } from '@countersign/platform';
import type { IdentityDatabase } from '../db/types.js';
import { applyDirectoryUser } from '../use-cases/apply-directory-user.js';

/** The directory's user events, and nothing else of the approval stream. */
export const directoryEventsConsumer = {
  stream: Streams.approval,
  durable: 'gateway-on-directory-events',
  filterSubject: 'countersign.approval.user.>',
};

export function directoryEventHandlers(
  now: () => Date,
  logger: Logger,
): EventHandlers<IdentityDatabase> {
  const deps = () => ({ now: now(), logger, clock: now });
  return {
    UserAdded: (trx, event) =>
      applyDirectoryUser(
        trx,
        {
          companyId: event.company_id,
          user: event.data.user,
          invite: event.data.invited,
          actor: event.actor,
        },
        deps(),
      ),
    UserChanged: (trx, event) =>
      applyDirectoryUser(
        trx,
        { companyId: event.company_id, user: event.data.user, invite: false, actor: event.actor },
        deps(),
      ),
    UserDeactivated: (trx, event) =>
      applyDirectoryUser(
        trx,
        { companyId: event.company_id, user: event.data.user, invite: false, actor: event.actor },
        deps(),
      ),
  };
}
