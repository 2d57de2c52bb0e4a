import type { z } from 'zod';
import { AccessRevokedV1 } from './access-revoked.v1.js';
import { ApprovalDelegatedV1 } from './approval-delegated.v1.js';
import { ApprovalEscalatedV1 } from './approval-escalated.v1.js';
import { ApprovalRequestedV1 } from './approval-requested.v1.js';
import { ApproverReassignedV1 } from './approver-reassigned.v1.js';
import { CompanyRegisteredV1 } from './company-registered.v1.js';
import { DelegationRevokedV1 } from './delegation-revoked.v1.js';
import { ExpenseApprovedV1 } from './expense-approved.v1.js';
import { ExpenseAutoApprovedV1 } from './expense-auto-approved.v1.js';
import { ExpenseBlockedV1 } from './expense-blocked.v1.js';
import { ExpenseDeletedV1 } from './expense-deleted.v1.js';
import { ExpensePaidV1 } from './expense-paid.v1.js';
import { ExpenseRejectedV1 } from './expense-rejected.v1.js';
import { ExpenseResubmittedV1 } from './expense-resubmitted.v1.js';
import { ExpenseRoutedV1 } from './expense-routed.v1.js';
import { ExpenseRoutingFailedV1 } from './expense-routing-failed.v1.js';
import { ExpenseSentBackV1 } from './expense-sent-back.v1.js';
import { ExpenseSubmittedV1 } from './expense-submitted.v1.js';
import { ExpenseWithdrawnV1 } from './expense-withdrawn.v1.js';
import { LevelCreatedV1 } from './level-created.v1.js';
import { LevelRenamedV1 } from './level-renamed.v1.js';
import { NotificationCreatedV1 } from './notification-created.v1.js';
import { PolicyCreatedV1 } from './policy-created.v1.js';
import { PolicyDeactivatedV1 } from './policy-deactivated.v1.js';
import { PolicyVersionedV1 } from './policy-versioned.v1.js';
import { ReceiptProcessedV1 } from './receipt-processed.v1.js';
import { RoutingSnapshotRequestedV1 } from './routing-snapshot-requested.v1.js';
import { RoutingSnapshotTakenV1 } from './routing-snapshot-taken.v1.js';
import { SigningKeyWithdrawnV1 } from './signing-key-withdrawn.v1.js';
import { StepApprovedV1 } from './step-approved.v1.js';
import { TeamCreatedV1 } from './team-created.v1.js';
import { TeamRenamedV1 } from './team-renamed.v1.js';
import { UserAddedV1 } from './user-added.v1.js';
import { UserChangedV1 } from './user-changed.v1.js';
import { UserDeactivatedV1 } from './user-deactivated.v1.js';
import { WorkspaceCreatedV1 } from './workspace-created.v1.js';
import { WorkspaceMemberAddedV1 } from './workspace-member-added.v1.js';
import { WorkspaceMemberChangedV1 } from './workspace-member-changed.v1.js';
import { WorkspaceMemberRemovedV1 } from './workspace-member-removed.v1.js';

/** One JetStream stream per producing service; each captures `countersign.<service>.>`. */
export const Streams = {
  gateway: 'COUNTERSIGN_GATEWAY',
  expense: 'COUNTERSIGN_EXPENSE',
  approval: 'COUNTERSIGN_APPROVAL',
  notification: 'COUNTERSIGN_NOTIFICATION',
} as const;
export type ProducingService = keyof typeof Streams;

/**
 * The public event catalogue: type → subject, producer and schema. Subjects follow
 * `countersign.<service>.<aggregate>.<event>.v<version>`.
 */
export const EventCatalogue = {
  ExpenseSubmitted: {
    subject: 'countersign.expense.expense.submitted.v1',
    producer: 'expense',
    schema: ExpenseSubmittedV1,
  },
  ExpenseAutoApproved: {
    subject: 'countersign.expense.expense.auto-approved.v1',
    producer: 'expense',
    schema: ExpenseAutoApprovedV1,
  },
  ExpenseBlocked: {
    subject: 'countersign.expense.expense.blocked.v1',
    producer: 'expense',
    schema: ExpenseBlockedV1,
  },
  ExpenseRouted: {
    subject: 'countersign.approval.expense.routed.v1',
    producer: 'approval',
    schema: ExpenseRoutedV1,
  },
  ExpenseRoutingFailed: {
    subject: 'countersign.approval.expense.routing-failed.v1',
    producer: 'approval',
    schema: ExpenseRoutingFailedV1,
  },
  ApprovalRequested: {
    subject: 'countersign.approval.step.requested.v1',
    producer: 'approval',
    schema: ApprovalRequestedV1,
  },
  StepApproved: {
    subject: 'countersign.approval.step.approved.v1',
    producer: 'approval',
    schema: StepApprovedV1,
  },
  ExpenseApproved: {
    subject: 'countersign.approval.expense.approved.v1',
    producer: 'approval',
    schema: ExpenseApprovedV1,
  },
  ExpenseRejected: {
    subject: 'countersign.approval.expense.rejected.v1',
    producer: 'approval',
    schema: ExpenseRejectedV1,
  },
  ExpenseSentBack: {
    subject: 'countersign.approval.expense.sent-back.v1',
    producer: 'approval',
    schema: ExpenseSentBackV1,
  },
  ExpenseWithdrawn: {
    subject: 'countersign.approval.expense.withdrawn.v1',
    producer: 'approval',
    schema: ExpenseWithdrawnV1,
  },
  ExpenseResubmitted: {
    subject: 'countersign.expense.expense.resubmitted.v1',
    producer: 'expense',
    schema: ExpenseResubmittedV1,
  },
  ExpenseDeleted: {
    subject: 'countersign.expense.expense.deleted.v1',
    producer: 'expense',
    schema: ExpenseDeletedV1,
  },
  ExpensePaid: {
    subject: 'countersign.expense.expense.paid.v1',
    producer: 'expense',
    schema: ExpensePaidV1,
  },
  CompanyRegistered: {
    subject: 'countersign.gateway.company.registered.v1',
    producer: 'gateway',
    schema: CompanyRegisteredV1,
  },
  // The revocation feed (see RevocationFeed): published by the gateway, read by every
  // process of every service.
  AccessRevoked: {
    subject: 'countersign.gateway.access.revoked.v1',
    producer: 'gateway',
    schema: AccessRevokedV1,
  },
  SigningKeyWithdrawn: {
    subject: 'countersign.gateway.access.key-withdrawn.v1',
    producer: 'gateway',
    schema: SigningKeyWithdrawnV1,
  },
  UserAdded: {
    subject: 'countersign.approval.user.added.v1',
    producer: 'approval',
    schema: UserAddedV1,
  },
  UserChanged: {
    subject: 'countersign.approval.user.changed.v1',
    producer: 'approval',
    schema: UserChangedV1,
  },
  UserDeactivated: {
    subject: 'countersign.approval.user.deactivated.v1',
    producer: 'approval',
    schema: UserDeactivatedV1,
  },
  WorkspaceCreated: {
    subject: 'countersign.expense.workspace.created.v1',
    producer: 'expense',
    schema: WorkspaceCreatedV1,
  },
  WorkspaceMemberAdded: {
    subject: 'countersign.expense.workspace.member-added.v1',
    producer: 'expense',
    schema: WorkspaceMemberAddedV1,
  },
  WorkspaceMemberChanged: {
    subject: 'countersign.expense.workspace.member-changed.v1',
    producer: 'expense',
    schema: WorkspaceMemberChangedV1,
  },
  WorkspaceMemberRemoved: {
    subject: 'countersign.expense.workspace.member-removed.v1',
    producer: 'expense',
    schema: WorkspaceMemberRemovedV1,
  },
  ApproverReassigned: {
    subject: 'countersign.approval.step.reassigned.v1',
    producer: 'approval',
    schema: ApproverReassignedV1,
  },
  TeamCreated: {
    subject: 'countersign.approval.team.created.v1',
    producer: 'approval',
    schema: TeamCreatedV1,
  },
  TeamRenamed: {
    subject: 'countersign.approval.team.renamed.v1',
    producer: 'approval',
    schema: TeamRenamedV1,
  },
  LevelCreated: {
    subject: 'countersign.approval.level.created.v1',
    producer: 'approval',
    schema: LevelCreatedV1,
  },
  LevelRenamed: {
    subject: 'countersign.approval.level.renamed.v1',
    producer: 'approval',
    schema: LevelRenamedV1,
  },
  ApprovalDelegated: {
    subject: 'countersign.approval.delegation.created.v1',
    producer: 'approval',
    schema: ApprovalDelegatedV1,
  },
  DelegationRevoked: {
    subject: 'countersign.approval.delegation.revoked.v1',
    producer: 'approval',
    schema: DelegationRevokedV1,
  },
  ApprovalEscalated: {
    subject: 'countersign.approval.step.escalated.v1',
    producer: 'approval',
    schema: ApprovalEscalatedV1,
  },
  PolicyCreated: {
    subject: 'countersign.approval.policy.created.v1',
    producer: 'approval',
    schema: PolicyCreatedV1,
  },
  PolicyVersioned: {
    subject: 'countersign.approval.policy.versioned.v1',
    producer: 'approval',
    schema: PolicyVersionedV1,
  },
  PolicyDeactivated: {
    subject: 'countersign.approval.policy.deactivated.v1',
    producer: 'approval',
    schema: PolicyDeactivatedV1,
  },
  RoutingSnapshotTaken: {
    subject: 'countersign.approval.company.routing-snapshot-taken.v1',
    producer: 'approval',
    schema: RoutingSnapshotTakenV1,
  },
  RoutingSnapshotRequested: {
    subject: 'countersign.expense.routing.snapshot-requested.v1',
    producer: 'expense',
    schema: RoutingSnapshotRequestedV1,
  },
  ReceiptProcessed: {
    subject: 'countersign.expense.receipt.processed.v1',
    producer: 'expense',
    schema: ReceiptProcessedV1,
  },
  NotificationCreated: {
    subject: 'countersign.notification.notification.created.v1',
    producer: 'notification',
    schema: NotificationCreatedV1,
  },
} as const satisfies Record<
  string,
  { subject: string; producer: ProducingService; schema: z.ZodType }
>;

export type EventType = keyof typeof EventCatalogue;
export type EventOf<T extends EventType> = z.infer<(typeof EventCatalogue)[T]['schema']>;
export type AnyEvent = { [T in EventType]: EventOf<T> }[EventType];

export function streamSubjects(service: ProducingService): string {
  return `countersign.${service}.>`;
}
