import {
  type EmailDelivery,
  NotificationKind,
  type NotificationPreference,
} from '@countersign/contracts';

/**
 * E-mail by default for what asks something of the reader (an approval to give, a sent-back
 * expense to fix, an escalation, a delegation to act on, an expense to pay) and for a
 * refusal; the rest is in-app only. Everything is in-app by default.
 */
const emailedByDefault = new Set<NotificationKind>([
  'approval_requested',
  'expense_sent_back',
  'expense_rejected',
  'approval_escalated',
  'delegation_granted',
  'expense_ready_to_pay',
]);

export function defaultPreference(kind: NotificationKind): NotificationPreference {
  return { kind, in_app: true, email: emailedByDefault.has(kind) ? 'immediately' : 'off' };
}

/** Every kind, in catalogue order, each as stored or else its default. */
export function effectivePreferences(stored: NotificationPreference[]): NotificationPreference[] {
  const byKind = new Map(stored.map((p) => [p.kind, p]));
  return NotificationKind.options.map((kind) => byKind.get(kind) ?? defaultPreference(kind));
}

/** A change names some channels of a kind; the others keep the current setting. */
export function applyChange(
  current: NotificationPreference,
  change: { in_app?: boolean | undefined; email?: EmailDelivery | undefined },
): NotificationPreference {
  return {
    kind: current.kind,
    in_app: change.in_app ?? current.in_app,
    email: change.email ?? current.email,
  };
}

/**
 * Splits planned notifications by channel as each recipient set them: stored in-app when
 * in_app is on, e-mailed at once when email is `immediately` (a daily digest is sent by
 * the digest timer instead).
 */
export function routeByPreference<N extends { recipientId: string; kind: NotificationKind }>(
  planned: N[],
  stored: Map<string, NotificationPreference[]>,
): { inApp: N[]; email: N[] } {
  const settingOf = (n: N) =>
    stored.get(n.recipientId)?.find((p) => p.kind === n.kind) ?? defaultPreference(n.kind);
  return {
    inApp: planned.filter((n) => settingOf(n).in_app),
    email: planned.filter((n) => settingOf(n).email === 'immediately'),
  };
}
