import { ForbiddenError } from '../errors.js';

/**
 * The second line behind the bus's permissions: an event about something stored under
 * another company than the one the event names is forged or corrupt. It is refused (the
 * consumer dead-letters a `forbidden` error), never applied: a person, for one, never
 * moves between companies.
 */
export function refuseForeignEvent(
  eventCompanyId: string,
  storedCompanyId: string | undefined,
  what: string,
): void {
  if (storedCompanyId !== undefined && storedCompanyId !== eventCompanyId) {
    throw new ForbiddenError(
      `event names company ${eventCompanyId} for ${what}, which belongs to another company`,
    );
  }
}
