/**
 * The event log: the one ordered source of truth between ingest and the engine (DESIGN.md,
 * "The event log"). One interface, three homes:
 *
 * - `redis`: Redis Streams, partitioned by tenant hash; many nodes. Chosen when `redisUrl` is set.
 * - `postgres`: the `events` table, on a server or on PGlite; one node. Chosen otherwise.
 * - `memory`: for unit tests only.
 *
 * Positions and cursors are opaque strings; use `comparePositions` and `advanceCursor`:
 *
 * - postgres and memory: a record's position is a decimal sequence number ("42"); "0" comes
 *   before every record. A cursor is a position: `read(cursor)` delivers what comes after it.
 * - redis: a record's position is `<partition>:<stream id>`, e.g. "2:1700000000000-3". Positions
 *   are ordered within a partition only; a tenant's records all live in one partition
 *   (`partitionOf`), so a tenant's positions are totally ordered. A cursor holds at most one
 *   position per partition, comma-separated in partition order ("0:1700000000000-0,2:1700000000001-5");
 *   a partition it does not name is read from its start. A record position is itself a cursor.
 *
 * `read(cursor)` then delivers, per partition, the records after the cursor's position there;
 * `advanceCursor(cursor, record.position)` is the cursor to resume from after that record, and
 * `trim(cursor)` drops, per partition named, the records before the cursor's position.
 */
import type { Db } from '../store/index.js';
import { PostgresEventLog } from './postgres.js';
import { RedisEventLog } from './redis.js';
import type { EventLog, LogClock } from './types.js';

export { LogUnavailableError, systemClock, type AppendResult, type EventLog, type LogClock, type LogRecord } from './types.js';
export { InvalidPositionError, advanceCursor, comparePositions, cursorReached } from './position.js';
export { MemoryEventLog, type MemoryLogOptions } from './memory.js';
export { PostgresEventLog, type PostgresLogOptions } from './postgres.js';
export { DEFAULT_PARTITIONS, RedisEventLog, partitionOf, type RedisLogOptions } from './redis.js';
export { DEFAULT_MAX_READ_BATCH, MAX_READ_BYTES, nextReadBatch, readBatchLimit } from './read-batch.js';

export interface OpenEventLogOptions {
  /** Redis Streams when set (REDIS_URL). */
  redisUrl?: string | undefined;
  /** The database of the Postgres log, used when `redisUrl` is unset. */
  db?: Db | undefined;
  /** Redis key prefix (REDIS_PREFIX). Default "ph:". */
  prefix?: string | undefined;
  /** Redis partitions (LOG_PARTITIONS). Default 4. */
  partitions?: number | undefined;
  /** Redis dedupe memory (ms); must exceed the lateness bound. Default 24 h. */
  dedupTtlMs?: number | undefined;
  /** Postgres readers' poll fallback (ms). Default 200. */
  pollMs?: number | undefined;
  /** The clock of `appendedAt`. Default: the system clock. */
  clock?: LogClock | undefined;
}

/** Opens the Redis log when `redisUrl` is set, else the Postgres log on `db`. */
export function openEventLog(options: OpenEventLogOptions): EventLog {
  if (options.redisUrl !== undefined) {
    const { redisUrl: url, prefix, partitions, dedupTtlMs, clock } = options;
    return new RedisEventLog({ url, prefix, partitions, dedupTtlMs, clock });
  }
  if (options.db === undefined) throw new TypeError('openEventLog needs redisUrl or db: neither was given');
  return new PostgresEventLog({ db: options.db, pollMs: options.pollMs, clock: options.clock });
}
