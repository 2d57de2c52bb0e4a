import { NotificationKind } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyChange,
  defaultPreference,
  effectivePreferences,
  routeByPreference,
} from './preferences.js';

describe('notification preferences', () => {
  it('lists every kind once, in-app on by default, e-mail at once only for what asks something', () => {
    const all = effectivePreferences([]);
    expect(all.map((p) => p.kind)).toEqual(NotificationKind.options);
    expect(all.every((p) => p.in_app)).toBe(true);
    expect(all.filter((p) => p.email === 'immediately').map((p) => p.kind)).toEqual([
      'approval_requested',
      'expense_rejected',
      'expense_sent_back',
      'delegation_granted',
      'approval_escalated',
      'expense_ready_to_pay',
    ]);
  });

  it('keeps a stored setting over the default', () => {
    const stored = { kind: 'expense_paid' as const, in_app: false, email: 'immediately' as const };
    expect(effectivePreferences([stored]).find((p) => p.kind === 'expense_paid')).toEqual(stored);
  });

  it('changes only the channels named', () => {
    const before = defaultPreference('approval_requested');
    expect(applyChange(before, { email: 'daily_digest' })).toEqual({
      kind: 'approval_requested',
      in_app: true,
      email: 'daily_digest',
    });
    expect(applyChange(before, { in_app: false })).toEqual({ ...before, in_app: false });
  });

  it('routes each planned notification by its recipient’s setting for its kind', () => {
    const planned = [
      { recipientId: 'frank', kind: 'approval_requested' as const },
      { recipientId: 'grace', kind: 'approval_requested' as const },
      { recipientId: 'hannah', kind: 'approval_requested' as const },
      { recipientId: 'ivan', kind: 'expense_paid' as const },
    ];
    const stored = new Map([
      [
        'grace',
        [{ kind: 'approval_requested' as const, in_app: false, email: 'immediately' as const }],
      ],
      [
        'hannah',
        [{ kind: 'approval_requested' as const, in_app: true, email: 'daily_digest' as const }],
      ],
      // A setting for another kind does not apply.
      ['ivan', [{ kind: 'approval_requested' as const, in_app: false, email: 'off' as const }]],
    ]);
    const { inApp, email } = routeByPreference(planned, stored);
    expect(inApp.map((n) => n.recipientId)).toEqual(['frank', 'hannah', 'ivan']);
    expect(email.map((n) => n.recipientId)).toEqual(['frank', 'grace']);
  });
});
