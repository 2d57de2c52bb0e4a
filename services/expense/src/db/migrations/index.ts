import {
  auditChainMigration,
  auditCheckpointMigration,
  auditTrailMigration,
  messagingTablesV1,
  messagingTablesV2,
} from '@countersign/platform';
import type { Migration } from 'kysely';
import * as expenses from './2026-11-23T1300-expenses.js';
import * as peopleAndWorkspaces from './2026-11-24T1100-people-and-workspaces.js';
import * as stepAssignment from './2026-11-24T1200-step-assignment.js';
import * as expenseFlags from './2026-11-24T1310-expense-flags.js';
import * as stepDecidedBy from './2026-11-24T1510-step-decided-by.js';
import * as sendBackAndWithdraw from './2026-11-24T1530-send-back-and-withdraw.js';
import * as blockedStatus from './2026-11-24T1700-blocked-status.js';
import * as stepStages from './2026-11-24T1710-step-stages.js';
import * as moneyAndCatalog from './2026-11-24T1720-money-and-catalog.js';
import * as categoriesFromExpenses from './2026-11-24T1730-categories-from-expenses.js';
import * as expenseListIndexes from './2026-11-24T1800-expense-list-indexes.js';
import * as stepRequestedAt from './2026-11-25T0900-step-requested-at.js';
import * as receipts from './2026-11-25T1300-receipts.js';
import * as lifecycle from './2026-11-25T1400-lifecycle.js';
import * as routingCopy from './2026-12-07T1000-routing-copy.js';
import * as receiptQuotas from './2026-12-07T1600-receipt-quotas.js';
export const migrations: Record<string, Migration> = {
  '2026-11-23T1259-messaging-tables': messagingTablesV1,
  '2026-11-23T1300-expenses': expenses,
  '2026-11-23T1400-outbox-notify-and-lease': messagingTablesV2('expense'),
  '2026-11-24T1100-people-and-workspaces': peopleAndWorkspaces,
  '2026-11-24T1200-step-assignment': stepAssignment,
  '2026-11-24T1510-step-decided-by': stepDecidedBy,
  '2026-11-24T1530-send-back-and-withdraw': sendBackAndWithdraw,
  '2026-11-24T1710-step-stages': stepStages,
  '2026-11-24T1310-expense-flags': expenseFlags,
  '2026-11-24T1700-blocked-status': blockedStatus,
  '2026-11-24T1720-money-and-catalog': moneyAndCatalog,
  '2026-11-24T1730-categories-from-expenses': categoriesFromExpenses,
  '2026-11-24T1800-expense-list-indexes': expenseListIndexes,
  '2026-11-25T1300-receipts': receipts,
  '2026-11-25T0900-step-requested-at': stepRequestedAt,
  '2026-11-25T1400-lifecycle': lifecycle,
  '2026-11-25T1300-audit-trail': auditTrailMigration('expense'),
  '2026-11-25T1500-audit-chain': auditChainMigration('expense'),
  '2026-12-07T1000-routing-copy': routingCopy,
  '2026-12-07T1600-receipt-quotas': receiptQuotas,
  '2026-12-07T1700-audit-checkpoints': auditCheckpointMigration('expense'),
};
