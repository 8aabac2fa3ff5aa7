/**
 * Retention of the events archive: events older than the retention period are deleted, in
 * batches (short transactions, no long lock on the table).
 *
 * Why not partitions by day: the events table deduplicates on (tenant, id) across all time, and
 * a partitioned table's unique keys must include the partition key, which would let a retried
 * event land twice on different days. A batched DELETE on the (ts) index keeps the dedupe.
 *
 * When the events table is also the event log (the Postgres log mode), an event is deleted only
 * once its tenant's checkpoint includes it (seq <= the checkpoint's position), so a restart that
 * loads the checkpoint replays nothing that is gone. Other modes archive a log kept elsewhere and
 * delete by age alone.
 */
import { concatMap, timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { Db } from './db.js';
import type { Clock, StoreLogger } from './types.js';

export interface PruneEventsOptions {
  db: Db;
  /** Events older than this many days (by event time) go. */
  retentionDays: number;
  clock: Clock;
  /** Keep events no checkpoint includes yet (the events table is the log). */
  keepUncheckpointed: boolean;
  /** Rows per DELETE. Default 10,000. */
  batchSize?: number;
}

const DAY_MS = 86_400_000;

/** $1 the cutoff (epoch ms), $2 the batch size, $3 whether to keep events no checkpoint includes. */
const PRUNE_SQL = `
WITH doomed AS (
  SELECT e.seq FROM events e
  WHERE e.ts < to_timestamp($1::float8 / 1000)
    AND (NOT $3::boolean OR e.seq <= (
      SELECT c.position::bigint FROM checkpoints c WHERE c.tenant = e.tenant AND c.position ~ '^[0-9]+$'))
  ORDER BY e.ts
  LIMIT $2
)
DELETE FROM events WHERE seq IN (SELECT seq FROM doomed)`;

/** Deletes the events past retention; returns how many went. */
export async function pruneEvents({ db, retentionDays, clock, keepUncheckpointed, batchSize = 10_000 }: PruneEventsOptions): Promise<number> {
  if (!(retentionDays > 0)) throw new RangeError(`retentionDays must be positive, got ${retentionDays}`);
  const cutoff = clock.now() - retentionDays * DAY_MS;
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(PRUNE_SQL, [cutoff, batchSize, keepUncheckpointed]);
    total += rowCount;
    if (rowCount < batchSize) return total;
  }
}

export interface EventRetentionJobOptions extends PruneEventsOptions {
  logger: StoreLogger;
  /** How often to prune. Default: hourly. */
  everyMs?: number;
  /** Runs the timer; a virtual scheduler in tests. */
  scheduler?: SchedulerLike;
}

/** Prunes now and then every `everyMs`; a failed round is logged and the next one tries again. */
export function startEventRetention(options: EventRetentionJobOptions): Subscription {
  const { logger, everyMs = 3_600_000, scheduler } = options;
  return timer(0, everyMs, scheduler)
    .pipe(
      concatMap(async () => {
        try {
          const deleted = await pruneEvents(options);
          if (deleted > 0) logger.info({ deleted, retentionDays: options.retentionDays }, 'events past retention deleted');
        } catch (err) {
          logger.warn({ err }, 'event retention failed: retrying at the next round');
        }
      }),
    )
    .subscribe();
}
