/**
 * The rollup writer: the engine hands it absolute interval rows (src/engine/rollups.ts) and it
 * upserts them, in batches, into queue_rollups and agent_rollups.
 *
 * - Idempotent by construction: a row replaces the counters of its key, so writing an interval
 *   twice, or from two nodes, gives the same row. Rows of one key queued twice keep the latest.
 * - While the database is down, rows wait in memory, latest per key (so the backlog is bounded by
 *   the number of distinct intervals, and by `maxBacklogRows` beyond that: the oldest intervals go
 *   first, counted as dropped), and are retried with exponential backoff.
 * - One writer per tenant across nodes: before writing a tenant's rows the writer takes (renews)
 *   that tenant's lease. A node that does not hold it keeps the rows it was given for
 *   `standbyRetainMs`, so when the holder dies and this node takes over, it writes what the
 *   holder may not have written.
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import {
  ABANDONED_WITHIN_SEC,
  ANSWERED_WITHIN_SEC,
  type AgentIntervalRow,
  type QueueIntervalRow,
  type RollupBatch,
} from '../engine/index.js';
import type { Db } from './db.js';
import type { Lease } from './lease.js';
import { ABANDONED_WITHIN_COLUMNS, AGENT_SUMMED, ANSWERED_WITHIN_COLUMNS, QUEUE_SUMMED, columnOf } from './rollup-columns.js';
import type { Clock, StoreLogger } from './types.js';

/** The writer's gauges and counters (prom-client's Gauge and Counter fit). */
export interface RollupWriterMetrics {
  /** Rows waiting to be written. */
  backlogRows: { set(value: number): void };
  rowsWritten: { inc(value: number): void };
  /** Rows given up because the backlog exceeded `maxBacklogRows`. */
  rowsDropped: { inc(value: number): void };
}

export interface RollupWriterOptions {
  db: Db;
  logger: StoreLogger;
  metrics?: RollupWriterMetrics | undefined;
  /** Most rows kept waiting while the database is away. */
  maxBacklogRows: number;
  clock: Clock;
  /** The lease of a tenant's writer. Default: none, this node writes every tenant (one node). */
  lease?: ((tenant: string) => Lease) | undefined;
  /** Runs the flush and retry timers; a virtual scheduler in tests. Default: asyncScheduler. */
  scheduler?: SchedulerLike | undefined;
  /** Rows per INSERT statement. Default 500. */
  maxRowsPerStatement?: number | undefined;
  /** First retry delay after a failure, doubled up to `maxRetryMs`. Defaults 500 and 30,000. */
  initialRetryMs?: number | undefined;
  maxRetryMs?: number | undefined;
  /**
   * How long a node that does not hold a tenant's lease keeps that tenant's rows. It must exceed
   * the holder's flush period plus the lease's time to live. Default 300,000 (5 min).
   */
  standbyRetainMs?: number | undefined;
}

export interface RollupWriter {
  /** Queues the rows of a batch and starts a flush. Throws a TypeError on a malformed row. */
  write(batch: RollupBatch): void;
  /**
   * Writes every queued row of the tenants whose lease this node holds; rejects (rows kept, a
   * retry scheduled) when the database fails.
   */
  flush(): Promise<void>;
  /** Rows waiting to be written. */
  backlog(): number;
  /** Stops the timers, flushes once more, and releases the leases held. */
  close(): Promise<void>;
}

type Entry = { kind: 'queue'; row: QueueIntervalRow; queuedAt: number } | { kind: 'agent'; row: AgentIntervalRow; queuedAt: number };

const QUEUE_KEY_COLUMNS = ['tenant', 'queue_id', 'channel', 'interval_start'];
const QUEUE_VALUE_COLUMNS = [...QUEUE_SUMMED.map(columnOf), 'max_wait_ms', ...ANSWERED_WITHIN_COLUMNS, ...ABANDONED_WITHIN_COLUMNS, 'written_at'];
const AGENT_KEY_COLUMNS = ['tenant', 'agent_id', 'interval_start'];
const AGENT_VALUE_COLUMNS = [...AGENT_SUMMED.map(columnOf), 'aux_total_ms', 'aux_ms', 'written_at'];

const bigintOf = (expr: string): string => `(${expr})::bigint`;
const epochToTimestamp = (expr: string): string => `to_timestamp((${expr})::float8 / 1000)`;

function upsertSql(table: string, keys: readonly string[], values: readonly string[], selects: readonly string[]): string {
  return `INSERT INTO ${table} (${[...keys, ...values].join(', ')})
SELECT ${selects.join(', ')}
FROM jsonb_array_elements($1::jsonb) AS r
ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${values.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
}

/** $1 the rows as a JSON array (one parameter: far cheaper than one per value), $2 the write time. */
const QUEUE_UPSERT = upsertSql('queue_rollups', QUEUE_KEY_COLUMNS, QUEUE_VALUE_COLUMNS, [
  "r->>'tenant'",
  "r->>'queueId'",
  "r->>'channel'",
  epochToTimestamp("r->>'intervalStart'"),
  ...QUEUE_SUMMED.map((f) => bigintOf(`r->>'${f}'`)),
  bigintOf("r->>'maxWaitMs'"),
  ...ANSWERED_WITHIN_SEC.map((_, i) => bigintOf(`r->'answeredWithin'->>${i}`)),
  ...ABANDONED_WITHIN_SEC.map((_, i) => bigintOf(`r->'abandonedWithin'->>${i}`)),
  epochToTimestamp('$2'),
]);

const AGENT_UPSERT = upsertSql('agent_rollups', AGENT_KEY_COLUMNS, AGENT_VALUE_COLUMNS, [
  "r->>'tenant'",
  "r->>'agentId'",
  epochToTimestamp("r->>'intervalStart'"),
  ...AGENT_SUMMED.map((f) => bigintOf(`r->>'${f}'`)),
  "(SELECT coalesce(sum(a.value::bigint), 0) FROM jsonb_each_text(r->'auxMs') AS a)",
  "r->'auxMs'",
  epochToTimestamp('$2'),
]);

const SEP = '\u0000';
const queueKey = (r: QueueIntervalRow): string => `q${SEP}${r.tenant}${SEP}${r.queueId}${SEP}${r.channel}${SEP}${r.intervalStart}`;
const agentKey = (r: AgentIntervalRow): string => `a${SEP}${r.tenant}${SEP}${r.agentId}${SEP}${r.intervalStart}`;

function checkCount(what: string, field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${what}: ${field} must be a non-negative integer, got ${String(value)}`);
  }
}

function checkText(what: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what}: ${field} must be a non-empty string`);
}

function checkHistogram(what: string, field: string, values: unknown, length: number): void {
  if (!Array.isArray(values) || values.length !== length) throw new TypeError(`${what}: ${field} must hold ${length} counts`);
  values.forEach((v: unknown, i) => checkCount(what, `${field}[${i}]`, v));
}

function checkQueueRow(r: QueueIntervalRow): void {
  const what = `queue rollup row ${r.tenant}/${r.queueId}/${r.channel}@${r.intervalStart}`;
  for (const f of ['tenant', 'queueId', 'channel'] as const) checkText(what, f, r[f]);
  for (const f of [...QUEUE_SUMMED, 'intervalStart', 'maxWaitMs'] as const) checkCount(what, f, r[f]);
  checkHistogram(what, 'answeredWithin', r.answeredWithin, ANSWERED_WITHIN_SEC.length);
  checkHistogram(what, 'abandonedWithin', r.abandonedWithin, ABANDONED_WITHIN_SEC.length);
}

function checkAgentRow(r: AgentIntervalRow): void {
  const what = `agent rollup row ${r.tenant}/${r.agentId}@${r.intervalStart}`;
  for (const f of ['tenant', 'agentId'] as const) checkText(what, f, r[f]);
  for (const f of [...AGENT_SUMMED, 'intervalStart'] as const) checkCount(what, f, r[f]);
  if (typeof r.auxMs !== 'object' || r.auxMs === null) throw new TypeError(`${what}: auxMs must be an object`);
  for (const [reason, ms] of Object.entries(r.auxMs)) checkCount(what, `auxMs.${reason}`, ms);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createRollupWriter(options: RollupWriterOptions): RollupWriter {
  const { db, logger, metrics, clock } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxRows = options.maxRowsPerStatement ?? 500;
  const initialRetryMs = options.initialRetryMs ?? 500;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const standbyRetainMs = options.standbyRetainMs ?? 300_000;
  if (!Number.isSafeInteger(options.maxBacklogRows) || options.maxBacklogRows < 1) {
    throw new RangeError(`maxBacklogRows must be a positive integer, got ${options.maxBacklogRows}`);
  }

  const pending = new Map<string, Entry>();
  const leases = new Map<string, Lease>();
  const held = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let timer: Subscription | null = null;
  let retryMs = initialRetryMs;
  let failing = false;
  let droppingLogged = false;
  let closed = false;

  const report = (): void => metrics?.backlogRows.set(pending.size);

  function enforceBound(): void {
    const excess = pending.size - options.maxBacklogRows;
    if (excess <= 0) return;
    const oldest = [...pending.entries()].sort(([, a], [, b]) => a.row.intervalStart - b.row.intervalStart || a.queuedAt - b.queuedAt);
    for (const [key] of oldest.slice(0, excess)) pending.delete(key);
    metrics?.rowsDropped.inc(excess);
    if (!droppingLogged) {
      droppingLogged = true;
      logger.error({ dropped: excess, maxBacklogRows: options.maxBacklogRows }, 'rollup backlog full: dropping the oldest intervals');
    }
  }

  function schedule(delayMs: number): void {
    if (timer !== null || closed) return;
    timer = scheduler.schedule(() => {
      timer = null;
      // A failure schedules its own retry and is logged there.
      flush().catch(() => undefined);
    }, delayMs);
  }

  async function holds(tenant: string): Promise<boolean> {
    const factory = options.lease;
    if (factory === undefined) return true;
    let lease = leases.get(tenant);
    if (lease === undefined) {
      lease = factory(tenant);
      leases.set(tenant, lease);
    }
    const ok = await lease.acquire();
    if (ok) held.add(tenant);
    else held.delete(tenant);
    return ok;
  }

  /** Writes `entries` and forgets those not replaced by a newer row meanwhile. */
  async function upsert(sql: string, entries: readonly [string, Entry][]): Promise<void> {
    for (const part of chunks(entries, maxRows)) {
      await db.query(sql, [JSON.stringify(part.map(([, e]) => e.row)), clock.now()]);
      for (const [key, entry] of part) if (pending.get(key) === entry) pending.delete(key);
      metrics?.rowsWritten.inc(part.length);
      report();
    }
  }

  async function flushOnce(): Promise<void> {
    const byTenant = new Map<string, [string, Entry][]>();
    for (const item of pending) {
      const tenant = item[1].row.tenant;
      const list = byTenant.get(tenant);
      if (list === undefined) byTenant.set(tenant, [item]);
      else list.push(item);
    }
    for (const [tenant, entries] of byTenant) {
      if (!(await holds(tenant))) {
        const horizon = clock.now() - standbyRetainMs;
        for (const [key, entry] of entries) if (entry.queuedAt < horizon && pending.get(key) === entry) pending.delete(key);
        report();
        continue;
      }
      await upsert(
        QUEUE_UPSERT,
        entries.filter(([, e]) => e.kind === 'queue'),
      );
      await upsert(
        AGENT_UPSERT,
        entries.filter(([, e]) => e.kind === 'agent'),
      );
    }
  }

  async function attempt(): Promise<void> {
    try {
      await flushOnce();
    } catch (err) {
      if (!failing) {
        failing = true;
        logger.warn({ err, backlog: pending.size }, 'rollup write failed: rows kept in memory, retrying with backoff');
      }
      schedule(retryMs);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
      throw err;
    }
    if (failing) {
      failing = false;
      logger.info({ backlog: pending.size }, 'rollup writes resumed');
    }
    retryMs = initialRetryMs;
    droppingLogged = false;
  }

  function flush(): Promise<void> {
    const run = chain.then(attempt);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    write(batch) {
      if (closed) throw new Error('the rollup writer is closed');
      batch.queues.forEach(checkQueueRow);
      batch.agents.forEach(checkAgentRow);
      const queuedAt = clock.now();
      for (const row of batch.queues) {
        pending.set(queueKey(row), { kind: 'queue', row, queuedAt });
      }
      for (const row of batch.agents) {
        pending.set(agentKey(row), { kind: 'agent', row, queuedAt });
      }
      enforceBound();
      report();
      schedule(0);
    },
    flush,
    backlog: () => pending.size,
    async close() {
      closed = true;
      timer?.unsubscribe();
      timer = null;
      try {
        await flush();
      } finally {
        for (const tenant of held) await leases.get(tenant)?.release().catch(() => undefined);
        held.clear();
      }
    },
  };
}
