import {
  auditChainMigration,
  auditCheckpointMigration,
  auditTrailMigration,
  messagingTablesV1,
  messagingTablesV2,
} from '@countersign/platform';
import type { Migration } from 'kysely';
import * as orgAndChains from './2026-11-23T1300-org-and-chains.js';
import * as orgManagement from './2026-11-24T1000-org-management.js';
import * as policyVersions from './2026-11-24T1100-policy-versions.js';
import * as delegationAndDeadlines from './2026-11-24T1500-delegation-and-deadlines.js';
import * as decisionRounds from './2026-11-24T1530-decision-rounds.js';
import * as stepEscalationHours from './2026-11-24T1600-step-escalation-hours.js';
import * as parallelStages from './2026-11-24T1700-parallel-stages.js';
import * as stepEscalationFallback from './2026-11-24T1800-step-escalation-fallback.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1259-messaging-tables': messagingTablesV1,
  '2026-11-23T1300-org-and-chains': orgAndChains,
  '2026-11-23T1400-outbox-notify-and-lease': messagingTablesV2('approval'),
  '2026-11-24T1000-org-management': orgManagement,
  '2026-11-24T1500-delegation-and-deadlines': delegationAndDeadlines,
  '2026-11-24T1530-decision-rounds': decisionRounds,
  '2026-11-24T1600-step-escalation-hours': stepEscalationHours,
  '2026-11-24T1700-parallel-stages': parallelStages,
  '2026-11-24T1800-step-escalation-fallback': stepEscalationFallback,
  '2026-11-24T1100-policy-versions': policyVersions,
  '2026-11-25T1300-audit-trail': auditTrailMigration('approval'),
  '2026-11-25T1500-audit-chain': auditChainMigration('approval'),
  '2026-12-07T1700-audit-checkpoints': auditCheckpointMigration('approval'),
};
