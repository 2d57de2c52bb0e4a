/**
 * The ledger's rules, as pure functions over what a test saw and what the system holds
 * (a LedgerSnapshot): every broken promise is one human-readable violation. Reading the
 * snapshot from PostgreSQL and JetStream is ledger.ts's job; keeping the rules pure lets
 * small unit tests show that each rule can fail (ledger-check.unit.test.ts).
 */

/** A request the load got a 2xx for, and what it did. */
export type AcceptedRequest =
  | { kind: 'create'; expenseId: string }
  | { kind: 'approve'; expenseId: string; expenseStatus: string | undefined };

/** An outbox row of any service: the event as committed with its change. */
export interface OutboxEntry {
  schema: string;
  eventId: string;
  /** The NATS subject it is published on. */
  natsSubject: string;
  /** The envelope's `type` (null for a feed item, which is no catalogued event). */
  type: string | null;
  /** The envelope's `subject`: the aggregate the event is about (the expense, mostly). */
  aggregate: string | null;
  round: number | null;
  step: number | null;
  sent: boolean;
  /**
   * Marked sent before the streams were read (they are read first, so that every message
   * read has its row committed): only such a row must be in its stream already.
   */
  sentBeforeStreamsRead: boolean;
}

/** One message read back from a stream. */
export interface StreamMessage {
  stream: string;
  seq: number;
  /** The Nats-Msg-Id header: the event id for everything a relay published. */
  msgId: string | undefined;
}

export interface ExpenseRow {
  id: string;
  status: string;
}

export interface ChainRow {
  expenseId: string;
  status: string;
}

export interface AuditRow {
  schema: string;
  action: string;
  entityId: string | null;
}

export interface NotificationRow {
  id: string;
  sourceEventId: string;
  recipientId: string;
}

export interface DeadLetterRow {
  schema: string;
  consumer: string;
  eventId: string | null;
  natsSubject: string;
  streamSequence: number;
}

export interface LedgerSnapshot {
  accepted: AcceptedRequest[];
  expenses: ExpenseRow[];
  chains: ChainRow[];
  outbox: OutboxEntry[];
  /** Every message of the event streams and the feed, in stream order. */
  streams: StreamMessage[];
  audit: AuditRow[];
  notifications: NotificationRow[];
  deadLetters: DeadLetterRow[];
}

/** What a case did on purpose, so the ledger does not count it against the system. */
export interface LedgerExpectations {
  /** Messages the case published straight to a stream (no outbox row), by Nats-Msg-Id. */
  foreignMessageIds: ReadonlySet<string>;
  /** Dead letters the case caused on purpose, by event id: each must be there (once per consumer). */
  deadLetterEventIds: ReadonlySet<string>;
}

export const noExpectations: LedgerExpectations = {
  foreignMessageIds: new Set(),
  deadLetterEventIds: new Set(),
};

/** The event that ends an expense, and the expense status it leaves behind. */
const terminalStatusOf: Record<string, string> = {
  ExpenseApproved: 'approved',
  ExpenseAutoApproved: 'approved',
  ExpenseRejected: 'rejected',
  ExpenseRoutingFailed: 'refused',
  ExpenseBlocked: 'blocked',
  ExpenseWithdrawn: 'withdrawn',
};

/** Events that are one transition each: the same one twice (new event id) is a repeat. */
const transitionTypes = new Set([
  'ExpenseSubmitted',
  'ExpenseResubmitted',
  'ExpenseRouted',
  'ApprovalRequested',
  'StepApproved',
  'ExpenseSentBack',
  ...Object.keys(terminalStatusOf),
]);

/**
 * Events the notification service tells someone about (services/notification/src/domain/
 * recipients.ts), each to at least one person; the load's people keep the default
 * preferences, so each is an in-app notification.
 */
const notifyingTypes = new Set([
  'ApprovalRequested',
  'StepApproved',
  'ExpenseApproved',
  'ExpenseAutoApproved',
  'ExpenseRejected',
  'ExpenseRoutingFailed',
  'ExpenseBlocked',
  'ExpenseSentBack',
  'ExpensePaid',
  'ApprovalDelegated',
  'ApprovalEscalated',
]);

/** Events that change nothing, so no audit entry (announce-routing-snapshot.ts says why). */
const unauditedTypes = new Set(['RoutingSnapshotTaken', 'RoutingSnapshotRequested']);

/** Statuses an expense may keep without its chain being stored. */
const unroutedStatuses = new Set(['draft', 'refused', 'blocked']);

/** Every violation of the ledger's promises, as sentences; none means the run kept them all. */
export function findViolations(
  snapshot: LedgerSnapshot,
  expected: LedgerExpectations = noExpectations,
): string[] {
  return [
    ...acceptedRequestViolations(snapshot),
    ...terminalStateViolations(snapshot),
    ...repeatedTransitionViolations(snapshot),
    ...streamViolations(snapshot, expected),
    ...auditViolations(snapshot),
    ...notificationViolations(snapshot),
    ...unsentViolations(snapshot),
    ...deadLetterViolations(snapshot, expected),
  ];
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Each 201 has its expense; each 200 approval its StepApproved, and the outcome it answered. */
export function acceptedRequestViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const status = new Map(snapshot.expenses.map((e) => [e.id, e.status]));
  const stepApproved = new Set(
    snapshot.outbox.filter((o) => o.type === 'StepApproved').map((o) => o.aggregate),
  );
  for (const request of snapshot.accepted) {
    const now = status.get(request.expenseId);
    if (now === undefined) {
      violations.push(`accepted ${request.kind} of expense ${request.expenseId}: no such expense`);
      continue;
    }
    if (request.kind !== 'approve') continue;
    if (!stepApproved.has(request.expenseId)) {
      violations.push(`approval of ${request.expenseId} answered 2xx but no StepApproved exists`);
    }
    if (request.expenseStatus === 'approved' && now !== 'approved' && now !== 'paid') {
      violations.push(`approval of ${request.expenseId} answered "approved", expense is ${now}`);
    }
  }
  return violations;
}

/**
 * Each expense is in one legal state, the same in the expense service, in approval's chain
 * and in the events: at most one terminal event, and the status it implies (or, with
 * none, a status that is not terminal).
 */
export function terminalStateViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const chains = new Map(snapshot.chains.map((c) => [c.expenseId, c.status]));
  const terminals = new Map<string, string[]>();
  for (const entry of snapshot.outbox) {
    if (entry.type === null || entry.aggregate === null) continue;
    if (!(entry.type in terminalStatusOf)) continue;
    terminals.set(entry.aggregate, [...(terminals.get(entry.aggregate) ?? []), entry.type]);
  }
  const submitted = new Set(
    snapshot.outbox.filter((o) => o.type === 'ExpenseSubmitted').map((o) => o.aggregate),
  );
  const terminalStatuses = new Set(Object.values(terminalStatusOf));
  for (const expense of snapshot.expenses) {
    const ends = terminals.get(expense.id) ?? [];
    const chain = chains.get(expense.id);
    if (ends.length > 1) {
      violations.push(`expense ${expense.id} reached ${ends.length} terminal states: ${ends}`);
    }
    const implied = ends[0] === undefined ? undefined : terminalStatusOf[ends[0]];
    const status = expense.status === 'paid' ? 'approved' : expense.status;
    if (implied !== undefined && status !== implied) {
      violations.push(`expense ${expense.id} is ${expense.status} but its events say ${implied}`);
    }
    if (implied === undefined && terminalStatuses.has(status)) {
      violations.push(`expense ${expense.id} is ${expense.status} with no event ending it`);
    }
    if (status !== 'draft' && !submitted.has(expense.id)) {
      violations.push(`expense ${expense.id} is ${expense.status} but was never announced`);
    }
    if (chain === undefined && !unroutedStatuses.has(status)) {
      violations.push(`expense ${expense.id} is ${expense.status} but has no chain`);
    }
    if (chain !== undefined && chain !== status) {
      violations.push(`expense ${expense.id} is ${expense.status} but its chain is ${chain}`);
    }
  }
  return violations;
}

/** The key of a transition: an event of this type for this expense, round and step. */
function transitionKey(entry: OutboxEntry): string {
  return `${entry.type} of ${entry.aggregate} round ${entry.round ?? 1} step ${entry.step ?? '-'}`;
}

/** No transition twice: no two events (two ids) for one, no chain or notification twice. */
export function repeatedTransitionViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const transitions = snapshot.outbox.filter((o) => o.type && transitionTypes.has(o.type));
  for (const [key, n] of countBy(transitions, transitionKey)) {
    if (n > 1) violations.push(`${key} happened ${n} times`);
  }
  for (const [id, n] of countBy(snapshot.chains, (c) => c.expenseId)) {
    if (n > 1) violations.push(`expense ${id} has ${n} chains`);
  }
  const notices = countBy(snapshot.notifications, (n) => `${n.sourceEventId} to ${n.recipientId}`);
  for (const [key, n] of notices) {
    if (n > 1) violations.push(`notification of event ${key} stored ${n} times`);
  }
  return violations;
}

/** The stream each outbox row is published to, by its subject's second token. */
export function streamOfSubject(natsSubject: string): string {
  const [, producer = ''] = natsSubject.split('.');
  return `COUNTERSIGN_${producer.toUpperCase()}`;
}

/** Each outbox row is in its stream exactly once, and the streams hold nothing else. */
export function streamViolations(snapshot: LedgerSnapshot, expected: LedgerExpectations): string[] {
  const violations: string[] = [];
  const copies = countBy(snapshot.streams, (m) => `${m.stream} ${m.msgId ?? `#${m.seq}`}`);
  const known = new Set<string>();
  for (const entry of snapshot.outbox) {
    const key = `${streamOfSubject(entry.natsSubject)} ${entry.eventId}`;
    known.add(key);
    const n = copies.get(key) ?? 0;
    if (entry.sentBeforeStreamsRead && n === 0) {
      violations.push(
        `event ${entry.eventId} (${entry.natsSubject}) is marked sent, not in stream`,
      );
    }
    if (n > 1) violations.push(`event ${entry.eventId} is ${n} times in its stream`);
  }
  for (const message of snapshot.streams) {
    const key = `${message.stream} ${message.msgId ?? `#${message.seq}`}`;
    if (known.has(key) || (message.msgId && expected.foreignMessageIds.has(message.msgId))) {
      continue;
    }
    violations.push(`${message.stream} #${message.seq} (${message.msgId}) has no outbox row`);
  }
  return violations;
}

/** The audit action of an event's subject (platform's auditRecordsOf). */
export function auditActionOf(natsSubject: string): string {
  const [, , aggregate = 'unknown', verb = 'changed'] = natsSubject.split('.');
  return `${aggregate}.${verb.replaceAll('-', '_')}`;
}

/** Each event is audited once by the service that produced it (same transaction). */
export function auditViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const events = snapshot.outbox.filter((o) => o.type !== null && !unauditedTypes.has(o.type));
  const key = (schema: string, action: string, entity: string | null | undefined) =>
    `${schema} ${action} ${entity ?? '-'}`;
  const wanted = countBy(events, (o) => key(o.schema, auditActionOf(o.natsSubject), o.aggregate));
  const audited = countBy(snapshot.audit, (a) => key(a.schema, a.action, a.entityId));
  for (const [entry, n] of wanted) {
    const found = audited.get(entry) ?? 0;
    if (found < n) violations.push(`${entry}: ${n} events, ${found} audit entries`);
    if (found > n) violations.push(`${entry}: audited ${found} times for ${n} events`);
  }
  return violations;
}

/** Each notifying event told someone, and each notification was announced once. */
export function notificationViolations(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const told = new Set(snapshot.notifications.map((n) => n.sourceEventId));
  for (const entry of snapshot.outbox) {
    if (entry.type && notifyingTypes.has(entry.type) && !told.has(entry.eventId)) {
      violations.push(`${entry.type} ${entry.eventId} of ${entry.aggregate} notified nobody`);
    }
  }
  const announced = countBy(
    snapshot.outbox.filter((o) => o.type === 'NotificationCreated'),
    (o) => o.aggregate ?? '-',
  );
  for (const notification of snapshot.notifications) {
    const n = announced.get(notification.id) ?? 0;
    if (n !== 1) violations.push(`notification ${notification.id} announced ${n} times`);
  }
  return violations;
}

export function unsentViolations(snapshot: LedgerSnapshot): string[] {
  const unsent = countBy(
    snapshot.outbox.filter((o) => !o.sent),
    (o) => o.schema,
  );
  return [...unsent].map(([schema, n]) => `${schema}.outbox: ${n} rows never published`);
}

/** Every dead letter was caused on purpose, and each one caused is there exactly once. */
export function deadLetterViolations(
  snapshot: LedgerSnapshot,
  expected: LedgerExpectations,
): string[] {
  const violations: string[] = [];
  for (const letter of snapshot.deadLetters) {
    if (letter.eventId !== null && expected.deadLetterEventIds.has(letter.eventId)) continue;
    violations.push(
      `unexplained dead letter: ${letter.schema} ${letter.consumer} ${letter.natsSubject} ` +
        `#${letter.streamSequence} (event ${letter.eventId})`,
    );
  }
  const perConsumer = countBy(snapshot.deadLetters, (l) => `${l.consumer} ${l.eventId ?? '-'}`);
  for (const [key, n] of perConsumer) {
    if (n > 1) violations.push(`dead letter ${key} recorded ${n} times`);
  }
  const lettered = new Set(snapshot.deadLetters.map((l) => l.eventId));
  for (const eventId of expected.deadLetterEventIds) {
    if (!lettered.has(eventId)) violations.push(`expected dead letter ${eventId} is missing`);
  }
  return violations;
}
