import { Streams } from '@countersign/contracts';
import type { EventHandlers } from '@countersign/platform';
import type { ApprovalDatabase } from '../db/types.js';
import { storeChain } from '../use-cases/store-chain.js';

export const expenseEventsConsumer = {
  stream: Streams.expense,
  durable: 'approval-on-expense-events',
  filterSubject: 'countersign.expense.expense.submitted.v1',
};

export function expenseEventHandlers(now: () => Date): EventHandlers<ApprovalDatabase> {
  return {
    ExpenseSubmitted: (trx, event) => storeChain(trx, event, now()),
  };
}
