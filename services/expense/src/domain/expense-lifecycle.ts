import type { ExpenseStatus, Role } from '@countersign/contracts';

/**
 * The expense lifecycle as one table: which command moves an expense from which status to
 * which, and who may give it. Routing picks among several next statuses (a submission may
 * be pending, approved by a rule or blocked); the table lists every one it may pick.
 *
 *   draft ──submit──▶ pending | approved | blocked
 *   pending ──decisions──▶ approved | rejected | sent_back | withdrawn | refused
 *   sent_back ──resubmit──▶ pending | approved | blocked     sent_back ──withdraw──▶ withdrawn
 *   approved ──pay──▶ paid
 *
 * Drafts and sent-back expenses are edited in place and soft-deleted (hidden, status kept);
 * an admin restores a deleted one. rejected, refused, withdrawn, blocked and paid are
 * terminal; approved only ever becomes paid.
 */
export type LifecycleCommand =
  | 'edit'
  | 'submit'
  | 'resubmit'
  | 'delete'
  | 'restore'
  | 'pay'
  | 'approve'
  | 'reject'
  | 'send_back'
  | 'withdraw'
  | 'refuse';

export const lifecycleCommands: readonly LifecycleCommand[] = [
  'edit',
  'submit',
  'resubmit',
  'delete',
  'restore',
  'pay',
  'approve',
  'reject',
  'send_back',
  'withdraw',
  'refuse',
];

const routed = ['pending', 'approved', 'blocked'] as const;

const transitions: Readonly<
  Record<ExpenseStatus, Partial<Record<LifecycleCommand, readonly ExpenseStatus[]>>>
> = {
  draft: { edit: ['draft'], submit: routed, delete: ['draft'] },
  pending: {
    approve: ['approved'],
    reject: ['rejected'],
    send_back: ['sent_back'],
    withdraw: ['withdrawn'],
    refuse: ['refused'],
  },
  sent_back: {
    edit: ['sent_back'],
    resubmit: routed,
    withdraw: ['withdrawn'],
    // The chain then ends as a withdrawal (ExpenseDeleted → ExpenseWithdrawn).
    delete: ['sent_back'],
  },
  approved: { pay: ['paid'] },
  rejected: {},
  refused: {},
  withdrawn: {},
  blocked: {},
  paid: {},
};

/** Statuses nothing moves an expense out of (restoring a deleted one keeps its status). */
export const terminalStatuses: ReadonlySet<ExpenseStatus> = new Set([
  'rejected',
  'refused',
  'withdrawn',
  'blocked',
  'paid',
]);

/** Who gives a command: the expense's submitter or not, with their company role. */
export interface LifecycleActor {
  isSubmitter: boolean;
  role: Role;
}

export interface LifecycleState {
  status: ExpenseStatus;
  deleted: boolean;
}

export type LifecycleVerdict =
  | { allowed: true; next: readonly ExpenseStatus[] }
  /** hidden: the actor is told the expense does not exist (404). */
  | { allowed: false; refusal: 'hidden' | 'forbidden' | 'conflict'; detail: string };

/** The statuses a command may lead to from a status; empty when it does not apply. */
export function nextStatuses(status: ExpenseStatus, command: LifecycleCommand) {
  return transitions[status][command] ?? [];
}

const bySubmitter: ReadonlySet<LifecycleCommand> = new Set([
  'edit',
  'submit',
  'resubmit',
  'delete',
  'withdraw',
]);

/** Who may give a command at all, whatever the status; approvals are the chain's to check. */
function mayGive(command: LifecycleCommand, actor: LifecycleActor): boolean {
  if (bySubmitter.has(command)) return actor.isSubmitter;
  if (command === 'restore') return actor.role === 'admin';
  if (command === 'pay') return actor.role === 'finance' || actor.role === 'admin';
  // approve, reject, send back: the approval service checks the seat; refuse is routing's.
  return true;
}

function describe(status: ExpenseStatus): string {
  return status.replace('_', ' ');
}

/**
 * Whether `actor` may give `command` to an expense in `state`, and where it leads. A draft
 * is nobody's business but its submitter's (hidden from everyone else), and a deleted
 * expense is hidden from every command but an admin's restore.
 */
export function decideLifecycle(
  state: LifecycleState,
  command: LifecycleCommand,
  actor: LifecycleActor,
): LifecycleVerdict {
  if (command === 'restore') {
    if (!mayGive(command, actor)) {
      return { allowed: false, refusal: 'forbidden', detail: 'only an admin restores expenses' };
    }
    if (!state.deleted) {
      return { allowed: false, refusal: 'conflict', detail: 'the expense is not deleted' };
    }
    return { allowed: true, next: [state.status] };
  }
  if (state.deleted) {
    return { allowed: false, refusal: 'hidden', detail: 'the expense was deleted' };
  }
  if (state.status === 'draft' && !actor.isSubmitter) {
    return { allowed: false, refusal: 'hidden', detail: 'a draft is seen by its submitter only' };
  }
  if (command === 'pay' && actor.isSubmitter) {
    // As nobody approves their own expense, nobody pays it out to themselves.
    return { allowed: false, refusal: 'forbidden', detail: 'nobody pays their own expense' };
  }
  if (!mayGive(command, actor)) {
    return {
      allowed: false,
      refusal: 'forbidden',
      detail: bySubmitter.has(command)
        ? `only the submitter can ${command.replace('_', ' ')} an expense`
        : `your role cannot ${command.replace('_', ' ')} expenses`,
    };
  }
  const next = nextStatuses(state.status, command);
  if (next.length === 0) {
    return { allowed: false, refusal: 'conflict', detail: conflictDetail(state.status, command) };
  }
  return { allowed: true, next };
}

function conflictDetail(status: ExpenseStatus, command: LifecycleCommand): string {
  const is = `this one is ${describe(status)}`;
  switch (command) {
    case 'edit':
      return `only a draft or an expense sent back can be edited; ${is}`;
    case 'delete':
      return `only a draft or an expense sent back can be deleted; ${is}`;
    case 'submit':
      return `only a draft can be submitted; ${is}`;
    case 'resubmit':
      return `only an expense sent back can be resubmitted; ${is}`;
    case 'pay':
      return status === 'paid'
        ? 'the expense is already paid'
        : `only an approved expense can be paid; ${is}`;
    default:
      return `an expense cannot be given ${command.replace('_', ' ')} now; ${is}`;
  }
}
