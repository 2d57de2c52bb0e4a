import { Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { ExpenseDatabase } from '../db/types.js';
import { keepDirectoryCopy } from '../use-cases/keep-directory-copy.js';
import { keepRoutingCopy } from '../use-cases/keep-routing-copy.js';
import { trackApprovalProgress } from '../use-cases/track-approval-progress.js';

/** Every approval event; the consumer acks the ones the expense service has no use for. */
export const approvalEventsConsumer: ConsumerSpec<ExpenseDatabase> = {
  stream: Streams.approval,
  durable: 'expense-on-approval-events',
  handlers: { ...trackApprovalProgress, ...keepDirectoryCopy, ...keepRoutingCopy },
};
