import { ExpenseStatus, Role } from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideLifecycle,
  type LifecycleActor,
  lifecycleCommands,
  nextStatuses,
  terminalStatuses,
} from './expense-lifecycle.js';

const submitter: LifecycleActor = { isSubmitter: true, role: 'employee' };
const colleague: LifecycleActor = { isSubmitter: false, role: 'employee' };
const admin: LifecycleActor = { isSubmitter: false, role: 'admin' };
const finance: LifecycleActor = { isSubmitter: false, role: 'finance' };
const live = (status: ExpenseStatus) => ({ status, deleted: false });

describe('the expense lifecycle', () => {
  it('routes a draft its submitter submits like a submission', () => {
    expect(decideLifecycle(live('draft'), 'submit', submitter)).toEqual({
      allowed: true,
      next: ['pending', 'approved', 'blocked'],
    });
  });

  it('lets the submitter edit and delete a draft or a sent-back expense, nothing else', () => {
    for (const status of ExpenseStatus.options) {
      const editable = status === 'draft' || status === 'sent_back';
      expect(decideLifecycle(live(status), 'edit', submitter).allowed, status).toBe(editable);
      expect(decideLifecycle(live(status), 'delete', submitter).allowed, status).toBe(editable);
    }
  });

  it('refuses editing or deleting a pending expense as a conflict', () => {
    expect(decideLifecycle(live('pending'), 'edit', submitter)).toMatchObject({
      allowed: false,
      refusal: 'conflict',
      detail: 'only a draft or an expense sent back can be edited; this one is pending',
    });
    expect(decideLifecycle(live('pending'), 'delete', submitter)).toMatchObject({
      refusal: 'conflict',
    });
  });

  it("hides a colleague's draft (404) but forbids changing their sent-back expense (403)", () => {
    expect(decideLifecycle(live('draft'), 'edit', colleague)).toMatchObject({ refusal: 'hidden' });
    expect(decideLifecycle(live('draft'), 'submit', admin)).toMatchObject({ refusal: 'hidden' });
    expect(decideLifecycle(live('sent_back'), 'edit', colleague)).toMatchObject({
      refusal: 'forbidden',
    });
  });

  it('lets only admins restore, and only what is deleted, keeping its status', () => {
    const deleted = { status: 'sent_back' as const, deleted: true };
    expect(decideLifecycle(deleted, 'restore', admin)).toEqual({
      allowed: true,
      next: ['sent_back'],
    });
    expect(decideLifecycle(deleted, 'restore', submitter)).toMatchObject({ refusal: 'forbidden' });
    expect(decideLifecycle(live('draft'), 'restore', admin)).toMatchObject({ refusal: 'conflict' });
    expect(decideLifecycle(deleted, 'edit', submitter)).toMatchObject({ refusal: 'hidden' });
  });

  it('lets finance and admins pay approved expenses only', () => {
    expect(decideLifecycle(live('approved'), 'pay', finance)).toEqual({
      allowed: true,
      next: ['paid'],
    });
    expect(decideLifecycle(live('approved'), 'pay', admin).allowed).toBe(true);
    expect(decideLifecycle(live('approved'), 'pay', colleague)).toMatchObject({
      refusal: 'forbidden',
    });
    expect(decideLifecycle(live('paid'), 'pay', finance)).toMatchObject({
      refusal: 'conflict',
      detail: 'the expense is already paid',
    });
    expect(decideLifecycle(live('pending'), 'pay', finance)).toMatchObject({
      refusal: 'conflict',
    });
    expect(
      decideLifecycle(live('approved'), 'pay', { isSubmitter: true, role: 'finance' }),
    ).toMatchObject({
      refusal: 'forbidden',
      detail: 'nobody pays their own expense',
    });
  });
});

describe('lifecycle properties', () => {
  const status = fc.constantFrom(...ExpenseStatus.options);
  const command = fc.constantFrom(...lifecycleCommands);
  const actor = fc.record({ isSubmitter: fc.boolean(), role: fc.constantFrom(...Role.options) });
  const state = fc.record({ status, deleted: fc.boolean() });

  it('never leaves a terminal status, and approved only becomes paid', () => {
    fc.assert(
      fc.property(state, command, actor, (s, c, a) => {
        const verdict = decideLifecycle(s, c, a);
        if (!verdict.allowed) return;
        if (terminalStatuses.has(s.status)) expect(verdict.next).toEqual([s.status]);
        if (s.status === 'approved' && c !== 'restore') expect(verdict.next).toEqual(['paid']);
      }),
    );
  });

  it('keeps every path of commands inside the table, and paid final', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(command, actor, fc.nat())), (steps) => {
        let current = live('draft');
        let reachedTerminal = false;
        for (const [c, a, pick] of steps) {
          const verdict = decideLifecycle(current, c, a);
          if (!verdict.allowed) continue;
          const next = verdict.next[pick % verdict.next.length] as ExpenseStatus;
          if (reachedTerminal) expect(next).toBe(current.status);
          current = {
            status: next,
            deleted: c === 'delete' ? true : c === 'restore' ? false : current.deleted,
          };
          reachedTerminal ||= terminalStatuses.has(next);
        }
      }),
    );
  });

  it('lists a next status for a command only where the table says so', () => {
    fc.assert(
      fc.property(status, command, (s, c) => {
        for (const next of nextStatuses(s, c)) {
          expect(ExpenseStatus.options).toContain(next);
          if (terminalStatuses.has(s)) expect.unreachable(`${s} --${c}--> ${next}`);
        }
      }),
    );
  });
});
