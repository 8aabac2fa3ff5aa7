/**
 * Rollup rows for store tests: generated rows, rows read back from the tables, and the two
 * database backends (a throw-away database on the real server, and PGlite).
 */
import { ABANDONED_WITHIN_SEC, ANSWERED_WITHIN_SEC, type AgentIntervalRow, type QueueIntervalRow } from '../../src/engine/index.js';
import type { Channel } from '../../src/events/index.js';
import { prng } from '../../src/sim/centre.js';
import { migrate, openDb, type Db } from '../../src/store/index.js';
import { AGENT_SUMMED, QUEUE_SUMMED, columnOf, type AgentSummedField, type QueueSummedField } from '../../src/store/rollup-columns.js';
import { createTempPglite, createTestDatabase, type TempPglite, type TestDatabase } from './db.js';

export type BackendKind = 'postgres' | 'pglite';

/** A migrated database of each kind for one test file; `open` gives another handle on it. */
export interface Backends {
  open(kind: BackendKind): Promise<Db>;
  server: TestDatabase;
  pglite: TempPglite;
  cleanup(): Promise<void>;
}

export async function createBackends(): Promise<Backends> {
  const [server, pglite] = await Promise.all([createTestDatabase(), createTempPglite()]);
  const opened: Db[] = [];
  let pgliteDb: Db | undefined;
  const backends: Backends = {
    server,
    pglite,
    async open(kind) {
      if (kind === 'pglite') {
        // One PGlite per directory: every handle is the same database.
        if (pgliteDb === undefined) {
          pgliteDb = await pglite.open();
          opened.push(pgliteDb);
          await migrate(pgliteDb);
        }
        return pgliteDb;
      }
      const db = await openDb({ databaseUrl: server.url, dataDir: '' });
      opened.push(db);
      await migrate(db);
      return db;
    },
    async cleanup() {
      for (const db of opened) await db.close();
      await Promise.all([server.drop(), pglite.cleanup()]);
    },
  };
  return backends;
}

/** A queue row with counters drawn from `seed` (consistent: histograms never exceed totals). */
export function queueRow(tenant: string, queueId: string, channel: Channel, intervalStart: number, seed: number): QueueIntervalRow {
  const r = prng(seed);
  const n = (max: number): number => Math.floor(r() * max);
  const answered = n(40);
  const abandoned = n(8);
  const answeredWithin = ANSWERED_WITHIN_SEC.map(() => 0);
  let acc = 0;
  for (let i = 0; i < answeredWithin.length; i++) answeredWithin[i] = acc = Math.min(answered, acc + n(answered / 3 + 1));
  const abandonedWithin = ABANDONED_WITHIN_SEC.map(() => 0);
  acc = 0;
  for (let i = 0; i < abandonedWithin.length; i++) abandonedWithin[i] = acc = Math.min(abandoned, acc + n(2));
  const handled = n(40);
  const csatCount = n(10);
  return {
    tenant,
    queueId,
    channel,
    intervalStart,
    offered: answered + abandoned + n(5),
    answered,
    answeredInSl: answeredWithin[2]!,
    abandoned,
    shortAbandoned: abandonedWithin[1]!,
    flowedOut: n(3),
    handled,
    waitAnsweredMs: answered * n(30_000),
    waitAbandonedMs: abandoned * n(60_000),
    maxWaitMs: n(400_000),
    talkMs: handled * n(300_000),
    holdMs: handled * n(20_000),
    acwMs: handled * n(60_000),
    csatSum: csatCount * (1 + n(5)),
    csatCount,
    csatPositive: Math.min(csatCount, n(10)),
    answeredWithin,
    abandonedWithin,
  };
}

export function agentRow(tenant: string, agentId: string, intervalStart: number, seed: number): AgentIntervalRow {
  const r = prng(seed);
  const n = (max: number): number => Math.floor(r() * max);
  const available = n(300_000);
  const onContact = n(500_000);
  const acw = n(100_000);
  const aux = Math.max(0, 900_000 - available - onContact - acw);
  const handled = n(6);
  const csatCount = n(3);
  return {
    tenant,
    agentId,
    intervalStart,
    handled,
    talkMs: handled * n(200_000),
    holdMs: handled * n(10_000),
    acwMs: handled * n(40_000),
    csatSum: csatCount * (1 + n(5)),
    csatCount,
    csatPositive: Math.min(csatCount, n(3)),
    availableMs: available,
    onContactMs: onContact,
    acwTimeMs: acw,
    offlineMs: 0,
    auxMs: aux === 0 ? {} : n(2) === 0 ? { lunch: aux } : { break: Math.floor(aux / 2), training: aux - Math.floor(aux / 2) },
  };
}

const ms = (column: string): string => `round(extract(epoch FROM ${column}) * 1000)::float8`;

type Stored = Record<string, unknown>;

/** The fields of a row from its columns (the store's own column names). */
function fields(row: Stored, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((f) => [f, Number(row[columnOf(f)])]));
}

/** The queue rows of a tenant as the writer was given them. */
export async function readQueueRows(db: Db, tenant: string): Promise<QueueIntervalRow[]> {
  const { rows } = await db.query<Stored>(`SELECT *, ${ms('interval_start')} AS start_ms FROM queue_rollups WHERE tenant = $1`, [tenant]);
  return rows.map((row) => ({
    tenant: String(row['tenant']),
    queueId: String(row['queue_id']),
    channel: row['channel'] as Channel,
    intervalStart: Number(row['start_ms']),
    ...(fields(row, [...QUEUE_SUMMED, 'maxWaitMs']) as Record<QueueSummedField | 'maxWaitMs', number>),
    answeredWithin: ANSWERED_WITHIN_SEC.map((s) => Number(row[`answered_within_${s}s`])),
    abandonedWithin: ABANDONED_WITHIN_SEC.map((s) => Number(row[`abandoned_within_${s}s`])),
  }));
}

export async function readAgentRows(db: Db, tenant: string): Promise<AgentIntervalRow[]> {
  const { rows } = await db.query<Stored>(`SELECT *, ${ms('interval_start')} AS start_ms FROM agent_rollups WHERE tenant = $1`, [tenant]);
  return rows.map((row) => ({
    tenant: String(row['tenant']),
    agentId: String(row['agent_id']),
    intervalStart: Number(row['start_ms']),
    ...(fields(row, AGENT_SUMMED) as Record<AgentSummedField, number>),
    auxMs: row['aux_ms'] as Record<string, number>,
  }));
}

export function byQueueKey(a: QueueIntervalRow, b: QueueIntervalRow): number {
  return a.queueId.localeCompare(b.queueId) || a.channel.localeCompare(b.channel) || a.intervalStart - b.intervalStart;
}

export function byAgentKey(a: AgentIntervalRow, b: AgentIntervalRow): number {
  return a.agentId.localeCompare(b.agentId) || a.intervalStart - b.intervalStart;
}
