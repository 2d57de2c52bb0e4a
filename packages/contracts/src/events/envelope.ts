import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

export const Actor = z.object({
  kind: z.enum(['user', 'system']),
  id: z.string().min(1).meta({ description: 'User id, or the name of the service acting' }),
});
export type Actor = z.infer<typeof Actor>;

/**
 * Every event on the wire is this envelope around a typed `data` payload. `id` is a
 * UUIDv7 and doubles as the JetStream Nats-Msg-Id, so relays that retry are deduplicated.
 */
export function envelopeOf<T extends string, V extends number, D extends z.ZodType>(
  type: T,
  version: V,
  data: D,
) {
  return z
    .object({
      id: Uuid,
      type: z.literal(type),
      version: z.literal(version),
      occurred_at: IsoDateTime,
      company_id: Uuid,
      actor: Actor,
      subject: Uuid.meta({ description: 'Id of the aggregate the event is about' }),
      traceparent: z.string().optional().meta({ description: 'W3C trace context' }),
      data,
    })
    .meta({ id: `${type}.v${version}` });
}
