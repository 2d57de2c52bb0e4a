import type { AuditService } from '@countersign/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Kysely, sql } from 'kysely';
import { type RepeatedRounds, repeatRounds } from '../jobs/repeat-rounds.js';
import type { Logger } from '../logger.js';
import {
  type AuditKeys,
  checkAuditCheckpointSignature,
  signAuditCheckpoint,
} from './checkpoint.js';
import { type AuditCheckpointStore, jetStreamCheckpointStore } from './checkpoint-store.js';
import { GENESIS_HASH } from './entry.js';
import type { AuditCheckpointDeps } from './routes.js';
import type { AuditTables } from './table.js';
import { placeAt, walkPlaces } from './verify.js';

export interface AuditCheckpointerOptions<DB = AuditTables> {
  db: Kysely<DB>;
  service: AuditService;
  store: AuditCheckpointStore;
  keys: AuditKeys;
  /** A round runs at most once per interval across every replica of the service. */
  intervalMs: number;
  logger: Logger;
  now?: () => Date;
  /** Places walked (and vouched for) per company per round; a longer new tail takes several rounds. */
  batch?: number;
}

const DEFAULT_BATCH = 5000;
/** Due companies looked at per round; the next round takes the rest. */
const COMPANIES_PER_ROUND = 1000;

/**
 * One checkpoint round: claimed by one replica per interval (the one whose update moves
 * `audit_checkpoint_round.next_at`; the others find it in the future and do nothing), it
 * signs the new head of every company whose chain grew, and publishes it outside the
 * database. Returns how many checkpoints it published; 0 when another replica has the round.
 */
export async function checkpointAuditChains<DB>(
  given: AuditCheckpointerOptions<DB>,
): Promise<number> {
  const options = { ...given, db: given.db as unknown as Kysely<AuditTables> };
  const claimed = await options.db
    .updateTable('audit_checkpoint_round')
    .set({ next_at: sql<Date>`now() + make_interval(secs => ${options.intervalMs / 1000})` })
    .where('id', '=', 1)
    .where('next_at', '<=', sql<Date>`now()`)
    .returning('id')
    .executeTakeFirst();
  if (!claimed) return 0;
  const due = await options.db
    .selectFrom('audit_checkpoint_due')
    .select('company_id')
    .orderBy('company_id')
    .limit(COMPANIES_PER_ROUND)
    .execute();
  let published = 0;
  for (const { company_id } of due) {
    try {
      published += await checkpointCompany(options, company_id);
    } catch (error) {
      // One company's refusal (its chain no longer matches its last checkpoint) must not
      // hold back the others; it stays due and is logged every round until resolved.
      options.logger.error({ err: error, company_id }, 'audit checkpoint refused for a company');
    }
  }
  return published;
}

/**
 * Signs the company's chain head after checking that the chain still passes through the
 * newest checkpoint and that every place since follows from it: a checkpoint never
 * vouches for a rewritten chain. The due mark is removed in the same transaction once the
 * head is signed (kept while a long tail needs more rounds); the row lock keeps a second
 * round, should one overlap, off the company.
 */
async function checkpointCompany(
  options: AuditCheckpointerOptions<AuditTables> & { db: Kysely<AuditTables> },
  companyId: string,
): Promise<number> {
  const batch = options.batch ?? DEFAULT_BATCH;
  return options.db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('audit_checkpoint_due')
      .select('company_id')
      .where('company_id', '=', companyId)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!locked) return 0;
    const previous = await options.store.latest(companyId);
    let from = { sequence: 0, hash: GENESIS_HASH };
    if (previous) {
      const signature = checkAuditCheckpointSignature(previous, options.keys.trusted);
      if (signature !== 'valid') {
        throw new Error(
          `the newest checkpoint does not verify (${signature}): not signing after it`,
        );
      }
      const place = await placeAt(trx, companyId, previous.sequence);
      if (place?.hash !== previous.hash) {
        throw new Error(
          `the chain no longer passes through its checkpoint at place ${previous.sequence}: it was cut or rewritten`,
        );
      }
      from = { sequence: previous.sequence, hash: previous.hash };
    }
    const last = await placeAt(trx, companyId, 'last');
    const length = last ? Number(last.sequence) : 0;
    const walk = await walkPlaces(
      trx,
      companyId,
      { sequence: from.sequence + 1, prevHash: from.hash },
      batch,
      length,
    );
    if (walk.broken) {
      throw new Error(
        `place ${walk.broken.sequence} does not follow from the ones before it (${walk.broken.reason})`,
      );
    }
    const caughtUp = walk.next_after === null;
    if (caughtUp)
      await trx.deleteFrom('audit_checkpoint_due').where('company_id', '=', companyId).execute();
    if (!walk.head) return 0;
    const checkpoint = signAuditCheckpoint(
      {
        service: options.service,
        companyId,
        sequence: walk.head.sequence,
        hash: walk.head.hash,
        signedAt: options.now?.() ?? new Date(),
      },
      options.keys.signer,
    );
    // Published before the due mark's removal commits: a failed commit signs again next round.
    await options.store.publish(checkpoint);
    return 1;
  });
}

/**
 * Runs a checkpoint round in the background of each replica every `intervalMs`; the round
 * itself is claimed by one replica per interval (see checkpointAuditChains).
 */
export function startAuditCheckpointer<DB>(options: AuditCheckpointerOptions<DB>): RepeatedRounds {
  return repeatRounds({
    name: 'audit checkpoint',
    logger: options.logger,
    intervalMs: options.intervalMs,
    round: () => checkpointAuditChains(options),
  });
}

/**
 * A service's checkpoints wired up: the JetStream store on its NATS connection, the
 * background rounds, and what its verify route needs (see mountAuditTrail).
 */
export function startAuditCheckpoints<DB>(options: {
  db: Kysely<DB>;
  service: AuditService;
  nats: NatsConnection;
  keys: AuditKeys;
  intervalSeconds: number;
  logger: Logger;
}): { deps: AuditCheckpointDeps; checkpointer: RepeatedRounds } {
  const store = jetStreamCheckpointStore(options.nats, options.service);
  const checkpointer = startAuditCheckpointer({
    db: options.db,
    service: options.service,
    store,
    keys: options.keys,
    intervalMs: options.intervalSeconds * 1000,
    logger: options.logger,
  });
  return { deps: { store, keys: options.keys }, checkpointer };
}
