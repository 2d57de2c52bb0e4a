import type { NotificationKind } from '@countersign/contracts';
import { composeMail, type Mail } from '@countersign/platform';

const subjects: Record<NotificationKind, string> = {
  approval_requested: 'An expense waits for your approval',
  expense_approved: 'Your expense is approved',
  expense_rejected: 'Your expense was rejected',
  expense_refused: 'Your expense could not be routed',
  expense_sent_back: 'Your expense was sent back for changes',
  expense_withdrawn: 'An expense you were to approve was withdrawn',
  decided_on_your_behalf: 'Your delegate decided in your name',
  delegation_granted: 'You may now approve in someone’s name',
  approval_escalated: 'An approval was escalated',
  expense_blocked: 'Your expense was blocked by policy',
  expense_paid: 'Your expense was paid',
  step_approved: 'A step of your expense is approved',
  expense_auto_approved: 'Your expense was approved by policy',
  expense_ready_to_pay: 'An approved expense is ready to pay',
};

/** The e-mail twin of an in-app notification; the message carries user text, escaped in HTML. */
export function notificationMail(
  to: { email: string; name: string },
  kind: NotificationKind,
  message: string,
): Mail {
  return composeMail(to.email, `Countersign: ${subjects[kind]}`, [
    `Hello ${to.name},`,
    message,
    'You can change which notifications reach you by e-mail: PUT /api/notification-preferences.',
  ]);
}

export interface PendingItem {
  expenseId: string;
  submitterName: string;
  description: string;
  amount: string;
  waitingSince: string;
}

/** One message listing every approval waiting for the person. */
export function digestMail(to: { email: string; name: string }, pending: PendingItem[]): Mail {
  return composeMail(
    to.email,
    `Countersign: ${pending.length} expense${pending.length === 1 ? '' : 's'} waiting for your approval`,
    [
      `Hello ${to.name},`,
      `These expenses wait for your decision (GET /api/approvals/pending):`,
      ...pending.map(
        (p) =>
          `• ${p.submitterName}: "${p.description}" (${p.amount}), waiting since ${p.waitingSince.slice(0, 10)}`,
      ),
      'You get this digest because approval requests reach you by daily digest; change it with PUT /api/notification-preferences.',
    ],
  );
}
