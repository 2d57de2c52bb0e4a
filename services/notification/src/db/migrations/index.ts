import {
  auditChainMigration,
  auditTrailMigration,
  messagingTablesV1,
  messagingTablesV2,
} from '@countersign/platform';
import type { Migration } from 'kysely';
import * as notifications from './2026-11-23T1300-notifications.js';
import * as withoutExpense from './2026-11-24T1520-notification-without-expense.js';
import * as peoplePreferencesMail from './2026-11-25T1000-people-preferences-mail.js';
import * as pendingApprovals from './2026-11-25T1001-pending-approvals.js';
import * as webhooks from './2026-11-25T1200-webhooks.js';
import * as webhookFairDispatch from './2026-12-07T1600-webhook-fair-dispatch.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1259-messaging-tables': messagingTablesV1,
  '2026-11-23T1300-notifications': notifications,
  '2026-11-23T1400-outbox-notify-and-lease': messagingTablesV2('notification'),
  '2026-11-24T1520-notification-without-expense': withoutExpense,
  '2026-11-25T1000-people-preferences-mail': peoplePreferencesMail,
  '2026-11-25T1001-pending-approvals': pendingApprovals,
  '2026-11-25T1200-webhooks': webhooks,
  '2026-11-25T1300-audit-trail': auditTrailMigration('notification'),
  '2026-11-25T1500-audit-chain': auditChainMigration('notification'),
  '2026-12-07T1600-webhook-fair-dispatch': webhookFairDispatch,
};
