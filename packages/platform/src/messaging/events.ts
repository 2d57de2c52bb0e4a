import { type Actor, EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import { v7 as uuidv7 } from 'uuid';
import { currentTraceparent } from '../telemetry/propagation.js';

export interface NewEvent<T extends EventType> {
  companyId: string;
  actor: Actor;
  subject: string;
  data: EventOf<T>['data'];
  occurredAt?: Date;
}

/** Builds a validated envelope for `type`, stamped with the active trace context. */
export function newEvent<T extends EventType>(type: T, input: NewEvent<T>): EventOf<T> {
  const entry = EventCatalogue[type];
  const traceparent = currentTraceparent();
  const envelope = {
    id: uuidv7(),
    type,
    version: 1,
    occurred_at: (input.occurredAt ?? new Date()).toISOString(),
    company_id: input.companyId,
    actor: input.actor,
    subject: input.subject,
    ...(traceparent ? { traceparent } : {}),
    data: input.data,
  };
  return entry.schema.parse(envelope) as EventOf<T>;
}
