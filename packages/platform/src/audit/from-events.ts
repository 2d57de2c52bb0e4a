import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { AuditRecord } from './record.js';

/**
 * The audit record of a published event: every state change here is also an event, so
 * the outbox write is the natural place to record it. The action and entity come from the
 * subject (`countersign.<service>.<aggregate>.<event>.v<n>` → `<aggregate>.<event>`, with
 * dashes as underscores), the after-image is the event's data.
 */
export function auditRecordsOf<T extends EventType>(events: EventOf<T>[]): AuditRecord[] {
  return events.map((event) => {
    const subject = EventCatalogue[event.type as EventType].subject;
    const [, , aggregate = 'unknown', verb = 'changed'] = subject.split('.');
    return {
      companyId: event.company_id,
      actor: event.actor,
      action: `${aggregate}.${verb.replaceAll('-', '_')}`,
      entity: { type: aggregate, id: event.subject },
      after: event.data,
      occurredAt: new Date(event.occurred_at),
    };
  });
}
