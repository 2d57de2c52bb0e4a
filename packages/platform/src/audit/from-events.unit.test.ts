import type { EventOf } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { newEvent } from '../messaging/events.js';
import { auditRecordsOf } from './from-events.js';

describe('auditRecordsOf', () => {
  it('names the action and entity after the event’s subject, with the event’s actor and data', () => {
    const team = { id: '0197a000-0000-7000-8000-000000000003', name: 'Ops' };
    const event = newEvent('TeamCreated', {
      companyId: '0197a000-0000-7000-8000-000000000001',
      actor: { kind: 'user', id: 'u-1' },
      subject: team.id,
      occurredAt: new Date('2026-11-24T10:00:00.000Z'),
      data: { team },
    });
    expect(auditRecordsOf([event])).toEqual([
      {
        companyId: '0197a000-0000-7000-8000-000000000001',
        actor: { kind: 'user', id: 'u-1' },
        action: 'team.created',
        entity: { type: 'team', id: team.id },
        after: { team },
        occurredAt: new Date('2026-11-24T10:00:00.000Z'),
      },
    ]);
  });

  it('turns dashes in the event name into underscores', () => {
    // Only the type matters here; the data is not looked at.
    const event = {
      id: '0197a000-0000-7000-8000-000000000006',
      type: 'ExpenseSentBack',
      version: 1,
      occurred_at: '2026-11-24T10:00:00.000Z',
      company_id: '0197a000-0000-7000-8000-000000000001',
      actor: { kind: 'user', id: 'u-1' },
      subject: '0197a000-0000-7000-8000-000000000005',
      data: {},
    } as unknown as EventOf<'ExpenseSentBack'>;
    expect(auditRecordsOf([event])[0]?.action).toBe('expense.sent_back');
  });
});
