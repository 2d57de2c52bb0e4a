import {
  AuditCheckpointStream,
  AuditCheckpointV1,
  type AuditService,
  auditCheckpointSubject,
} from '@countersign/contracts';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Where a service's signed checkpoints live, outside its database: whoever owns the
 * tables cannot remove or replace them (nor, without the key, forge one).
 */
export interface AuditCheckpointStore {
  /** The newest checkpoint of the company's chain in this service, or null if none. */
  latest(companyId: string): Promise<AuditCheckpointV1 | null>;
  publish(checkpoint: AuditCheckpointV1): Promise<void>;
}

/**
 * The checkpoints in JetStream (AuditCheckpointStream): one subject per service and
 * company, the newest read by `last_by_subj` (one lookup, however many there are). A
 * message that is not a checkpoint at all is reported as such, never skipped.
 */
export function jetStreamCheckpointStore(
  nats: NatsConnection,
  service: AuditService,
): AuditCheckpointStore {
  const js = jetstream(nats);
  let manager: Promise<JetStreamManager> | undefined;
  return {
    async latest(companyId) {
      manager ??= jetstreamManager(nats);
      const jsm = await manager;
      const message = await jsm.streams
        .getMessage(AuditCheckpointStream.name, {
          last_by_subj: auditCheckpointSubject(service, companyId),
        })
        .catch((error: unknown) => {
          if (/no message found|not found/i.test(String(error))) return null;
          throw error;
        });
      if (!message) return null;
      const parsed = AuditCheckpointV1.safeParse(message.json());
      if (!parsed.success) {
        throw new Error(
          `the newest audit checkpoint on ${message.subject} (stream sequence ${message.seq}) is not a checkpoint`,
        );
      }
      return parsed.data;
    },
    async publish(checkpoint) {
      await js.publish(
        auditCheckpointSubject(checkpoint.service, checkpoint.company_id),
        JSON.stringify(checkpoint),
        // The same place signed twice (a retried round) is stored once.
        { msgID: `${checkpoint.service}.${checkpoint.company_id}.${checkpoint.sequence}` },
      );
    },
  };
}
