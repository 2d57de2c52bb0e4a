import {
  auditChainMigration,
  auditCheckpointMigration,
  auditTrailMigration,
  messagingTablesV1,
  messagingTablesV2,
} from '@countersign/platform';
import type { Migration } from 'kysely';
import * as identity from './2026-11-23T1300-identity.js';
import * as fiveRoles from './2026-11-24T0900-five-roles.js';
import * as accounts from './2026-11-24T1002-accounts.js';
import * as signingKeyActivation from './2026-11-24T1500-signing-key-activation.js';
import * as rateLimitCounter from './2026-11-24T1501-rate-limit-counter.js';
import * as idempotencyKey from './2026-11-25T0900-idempotency-key.js';
import * as sealedSigningKeys from './2026-12-07T1600-sealed-signing-keys.js';
import * as streamTicketUse from './2026-12-07T1600-stream-ticket-use.js';
import * as accountAbuse from './2026-12-07T1630-account-abuse.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1300-identity': identity,
  '2026-11-24T0900-five-roles': fiveRoles,
  '2026-11-24T1000-messaging-tables': messagingTablesV1,
  '2026-11-24T1001-outbox-notify-and-lease': messagingTablesV2('identity'),
  '2026-11-24T1002-accounts': accounts,
  '2026-11-24T1500-signing-key-activation': signingKeyActivation,
  '2026-11-24T1501-rate-limit-counter': rateLimitCounter,
  '2026-11-25T0900-idempotency-key': idempotencyKey,
  '2026-11-25T1300-audit-trail': auditTrailMigration('identity'),
  '2026-11-25T1500-audit-chain': auditChainMigration('identity'),
  '2026-12-07T1600-sealed-signing-keys': sealedSigningKeys,
  '2026-12-07T1700-audit-checkpoints': auditCheckpointMigration('identity'),
  '2026-12-07T1630-account-abuse': accountAbuse,
  '2026-12-07T1600-stream-ticket-use': streamTicketUse,
};
