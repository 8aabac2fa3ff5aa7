/**
 * History (SPEC §7): the rollup counters of a range, summed per period (in the database) and per
 * queue or agent, turned into the window objects of SPEC §4 with the live engine's own formulas
 * (src/engine/counters.ts), so a history period and a live window over the same instants agree.
 *
 * Settings are applied on read, with the CURRENT values: service level counts the answered
 * within the current threshold from the answered-within histogram when the threshold is one of
 * its buckets (ANSWERED_WITHIN_SEC), else the stored answeredInSl (counted at the threshold in
 * force when each contact was answered); short abandons likewise from the abandoned-within
 * histogram (ABANDONED_WITHIN_SEC, and 0 s counts none).
 */
import {
  A,
  ABANDONED_WITHIN_SEC,
  AGENT_WIDTH,
  ANSWERED_WITHIN_SEC,
  Q,
  QUEUE_WIDTH,
  agentWindow,
  occupancy,
  queueWindow,
  resolveQueueSettings,
  type QueueSettings,
  type TenantSettings,
} from '../engine/index.js';
import type { Channel } from '../events/index.js';
import type { AgentWindow, QueueWindow, SlFormula, TotalsWindow } from '../protocol/index.js';
import type { Db } from './db.js';
import { periodBoundaries, type Granularity } from './periods.js';
import { iso } from './sql.js';
import {
  ABANDONED_WITHIN_COLUMNS,
  AGENT_SUMMED,
  ANSWERED_WITHIN_COLUMNS,
  QUEUE_SUMMED,
  columnOf,
  type AgentSummedField,
  type QueueSummedField,
} from './rollup-columns.js';

/** Summed queue counters of one queue (or several) over a period. */
export type QueueCounters = Record<QueueSummedField, number> & {
  maxWaitMs: number;
  /** Per ANSWERED_WITHIN_SEC bucket. */
  answeredWithin: number[];
  /** Per ABANDONED_WITHIN_SEC bucket. */
  abandonedWithin: number[];
};

/** Summed agent counters and time in state over a period. */
export type AgentCounters = Record<AgentSummedField, number> & { auxMs: number };

export interface HistoryQuery {
  tenant: string;
  /** Epoch ms; the periods cover [from, to), widened to the granularity's boundaries. */
  from: number;
  to: number;
  granularity: Granularity;
  timezone: string;
  /** The queues to report; null: every queue with rows in the range. */
  queues: readonly string[] | null;
  /** The agents to report: a list, every agent with rows in the range, or none. */
  agents: readonly string[] | 'all' | null;
  /** Agents the caller may see (applied to `agents`); default: all. */
  canSeeAgent?: ((agentId: string) => boolean) | undefined;
  /** Whose time in state makes the totals' occupancy; null: every agent of the tenant. */
  occupancyAgents: readonly string[] | null;
  channel: Channel | null;
  settings: TenantSettings;
  /** Most window objects in the answer (periods × (queues + agents + 1)); default 200,000. */
  maxCells?: number | undefined;
}

export interface HistoryPeriod {
  start: number;
  end: number;
  queues: Map<string, QueueCounters>;
  agents: Map<string, AgentCounters>;
  /** Time in state of the occupancy agents. */
  busyMs: number;
  availMs: number;
}

/** The counters of a range, per period, before any ratio is taken. */
export interface HistoryCounters {
  tenant: string;
  granularity: Granularity;
  timezone: string;
  from: number;
  to: number;
  queueIds: string[];
  /** null when no agent figures were asked for. */
  agentIds: string[] | null;
  periods: HistoryPeriod[];
  settings: TenantSettings;
}

/** The answer of GET /v1/history (SPEC §7). */
export interface HistoryResponse {
  tenant: string;
  from: string;
  to: string;
  granularity: Granularity;
  timezone: string;
  periods: {
    start: string;
    end: string;
    queues: Record<string, QueueWindow>;
    agents?: Record<string, AgentWindow>;
    totals: TotalsWindow;
  }[];
  totals: TotalsWindow;
}

/** What a caller may see: the history route and report runs build it from the token. */
export interface HistoryScope {
  /** The queues the caller may see; null: all of the tenant's. */
  queues: readonly string[] | null;
  /** Each agent's current skills (from the live engine), for queue-limited views. */
  agentSkills: ReadonlyMap<string, readonly string[]>;
}

/** What a caller asks for. */
export interface HistoryFilters {
  queues: readonly string[] | null;
  agents: readonly string[] | 'all' | null;
  channel: Channel | null;
}

export type HistoryRange = Pick<HistoryQuery, 'tenant' | 'from' | 'to' | 'granularity' | 'timezone' | 'settings'>;

function skilledIn(skills: ReadonlyMap<string, readonly string[]>, queues: readonly string[]): (agentId: string) => boolean {
  const set = new Set(queues);
  return (agentId) => (skills.get(agentId) ?? []).some((q) => set.has(q));
}

/**
 * The query for a caller, as the live snapshot filters: the queues asked for within those it may
 * see; when that selection is not the whole tenant, only the agents now skilled in a selected
 * queue, and the totals' occupancy over them; else every agent.
 */
export function scopedQuery(range: HistoryRange, filters: HistoryFilters, scope: HistoryScope): HistoryQuery {
  const allowed = scope.queues;
  const asked = filters.queues;
  const queues = asked === null ? allowed : allowed === null ? asked : asked.filter((q) => allowed.includes(q));
  const occupancyAgents = queues === null ? null : [...scope.agentSkills.keys()].filter(skilledIn(scope.agentSkills, queues)).sort();
  return {
    ...range,
    queues,
    agents: filters.agents,
    canSeeAgent: queues === null ? undefined : skilledIn(scope.agentSkills, queues),
    occupancyAgents,
    channel: filters.channel,
  };
}

/** The range and filters would give more window objects than allowed. */
export class HistoryTooLargeError extends Error {
  constructor(cells: number, max: number) {
    super(
      `the answer would hold ${cells} window objects (at most ${max}): narrow the range, take a coarser granularity, or ask for fewer queues or agents`,
    );
    this.name = 'HistoryTooLargeError';
  }
}


export function emptyQueueCounters(): QueueCounters {
  const c = { maxWaitMs: 0, answeredWithin: ANSWERED_WITHIN_SEC.map(() => 0), abandonedWithin: ABANDONED_WITHIN_SEC.map(() => 0) } as QueueCounters;
  for (const f of QUEUE_SUMMED) c[f] = 0;
  return c;
}

export function emptyAgentCounters(): AgentCounters {
  const c = { auxMs: 0 } as AgentCounters;
  for (const f of AGENT_SUMMED) c[f] = 0;
  return c;
}

/** Adds `b` into `a` (maxWaitMs: the larger). */
export function addQueueCounters(a: QueueCounters, b: QueueCounters): void {
  for (const f of QUEUE_SUMMED) a[f] += b[f];
  a.maxWaitMs = Math.max(a.maxWaitMs, b.maxWaitMs);
  b.answeredWithin.forEach((v, i) => (a.answeredWithin[i]! += v));
  b.abandonedWithin.forEach((v, i) => (a.abandonedWithin[i]! += v));
}

export function addAgentCounters(a: AgentCounters, b: AgentCounters): void {
  for (const f of AGENT_SUMMED) a[f] += b[f];
  a.auxMs += b.auxMs;
}

/** The counters with answeredInSl and shortAbandoned taken at the queue's current settings. */
export function atSettings(c: QueueCounters, s: QueueSettings): QueueCounters {
  const sl = ANSWERED_WITHIN_SEC.findIndex((sec) => sec === s.slThresholdSec);
  const sa = ABANDONED_WITHIN_SEC.findIndex((sec) => sec === s.shortAbandonSec);
  return {
    ...c,
    answeredInSl: sl >= 0 ? c.answeredWithin[sl]! : c.answeredInSl,
    shortAbandoned: s.shortAbandonSec === 0 ? 0 : sa >= 0 ? c.abandonedWithin[sa]! : c.shortAbandoned,
  };
}

function queueVector(c: QueueCounters): Float64Array {
  const v = new Float64Array(QUEUE_WIDTH);
  for (const f of QUEUE_SUMMED) v[Q[f]] = c[f];
  return v;
}

function agentVector(c: AgentCounters): Float64Array {
  const v = new Float64Array(AGENT_WIDTH);
  for (const f of Object.keys(A) as (keyof typeof A)[]) v[A[f]] = c[f];
  return v;
}

/** A queue's window object from its summed counters (already at its settings). */
export function queueWindowOf(c: QueueCounters, formula: SlFormula): QueueWindow {
  return queueWindow(queueVector(c), c.maxWaitMs, formula);
}

export function agentWindowOf(c: AgentCounters): AgentWindow {
  return agentWindow(agentVector(c), c.onContactMs + c.acwTimeMs, c.availableMs);
}

/** The totals formula of the live engine: the queues' shared formula, else the default. */
export function totalsFormula(settings: TenantSettings, queueIds: readonly string[]): SlFormula {
  const formulas = new Set(queueIds.map((q) => resolveQueueSettings(settings, q).slFormula));
  return formulas.size === 1 ? [...formulas][0]! : 'excludeShortAbandons';
}

/** Tenant-level counters: every queue's counters at its own settings, summed. */
export function totalsCounters(period: Pick<HistoryPeriod, 'queues'>, queueIds: readonly string[], settings: TenantSettings): QueueCounters {
  const sum = emptyQueueCounters();
  for (const id of queueIds) {
    const c = period.queues.get(id);
    if (c !== undefined) addQueueCounters(sum, atSettings(c, resolveQueueSettings(settings, id)));
  }
  return sum;
}

export function totalsWindowOf(
  period: Pick<HistoryPeriod, 'queues' | 'busyMs' | 'availMs'>,
  queueIds: readonly string[],
  settings: TenantSettings,
): TotalsWindow {
  const qw = queueWindowOf(totalsCounters(period, queueIds, settings), totalsFormula(settings, queueIds));
  return { ...qw, occupancy: occupancy(period.busyMs, period.availMs) };
}

/** One period holding the whole range: the sum of `periods`. */
export function wholeRange(periods: readonly HistoryPeriod[]): HistoryPeriod {
  const all: HistoryPeriod = { start: periods[0]?.start ?? 0, end: periods.at(-1)?.end ?? 0, queues: new Map(), agents: new Map(), busyMs: 0, availMs: 0 };
  for (const p of periods) {
    for (const [id, c] of p.queues) {
      let sum = all.queues.get(id);
      if (sum === undefined) all.queues.set(id, (sum = emptyQueueCounters()));
      addQueueCounters(sum, c);
    }
    for (const [id, c] of p.agents) {
      let sum = all.agents.get(id);
      if (sum === undefined) all.agents.set(id, (sum = emptyAgentCounters()));
      addAgentCounters(sum, c);
    }
    all.busyMs += p.busyMs;
    all.availMs += p.availMs;
  }
  return all;
}

// ---- SQL ------------------------------------------------------------------------------------

const sum = (column: string, alias: string): string => `sum(${column})::float8 AS "${alias}"`;

const QUEUE_SELECT = [
  ...QUEUE_SUMMED.map((f) => sum(columnOf(f), f)),
  'max(max_wait_ms)::float8 AS "maxWaitMs"',
  ...ANSWERED_WITHIN_COLUMNS.map((c) => sum(c, c)),
  ...ABANDONED_WITHIN_COLUMNS.map((c) => sum(c, c)),
].join(', ');

const AGENT_SELECT = [...AGENT_SUMMED.map((f) => sum(columnOf(f), f)), sum('aux_total_ms', 'auxMs')].join(', ');

/** Bucket i (1-based) of width_bucket is period i-1; the WHERE keeps rows inside b0..bn. */
const BUCKET = 'width_bucket(interval_start, $2::timestamptz[]) AS bucket';
const RANGE = 'tenant = $1 AND interval_start >= $3::timestamptz AND interval_start < $4::timestamptz';

interface Filters {
  sql: string;
  params: unknown[];
}

/** Appends `AND column = ANY($n)` / `AND column = $n` clauses after the four fixed parameters. */
function filters(clauses: readonly (readonly [string, 'any' | 'eq', unknown])[]): Filters {
  const params: unknown[] = [];
  let sql = '';
  for (const [column, op, value] of clauses) {
    params.push(value);
    const n = 4 + params.length;
    sql += op === 'any' ? ` AND ${column} = ANY($${n}::text[])` : ` AND ${column} = $${n}`;
  }
  return { sql, params };
}

type Row = Record<string, number | string>;

function queueCountersOf(row: Row): QueueCounters {
  const c = emptyQueueCounters();
  for (const f of QUEUE_SUMMED) c[f] = Number(row[f]);
  c.maxWaitMs = Number(row['maxWaitMs']);
  c.answeredWithin = ANSWERED_WITHIN_COLUMNS.map((col) => Number(row[col]));
  c.abandonedWithin = ABANDONED_WITHIN_COLUMNS.map((col) => Number(row[col]));
  return c;
}

function agentCountersOf(row: Row): AgentCounters {
  const c = emptyAgentCounters();
  for (const f of AGENT_SUMMED) c[f] = Number(row[f]);
  c.auxMs = Number(row['auxMs']);
  return c;
}

/** Reads and sums the counters of a query, per period. Ratios are left to the caller. */
export async function queryHistoryCounters(db: Db, q: HistoryQuery): Promise<HistoryCounters> {
  const bounds = periodBoundaries(q.from, q.to, q.granularity, q.timezone);
  const fixed = [q.tenant, bounds.map(iso), iso(bounds[0]!), iso(bounds.at(-1)!)];
  const periods: HistoryPeriod[] = bounds.slice(0, -1).map((start, i) => ({
    start,
    end: bounds[i + 1]!,
    queues: new Map(),
    agents: new Map(),
    busyMs: 0,
    availMs: 0,
  }));
  const periodOf = (row: Row): HistoryPeriod => periods[Number(row['bucket']) - 1]!;

  const queueFilter = filters([
    ...(q.queues === null ? [] : [['queue_id', 'any', q.queues] as const]),
    ...(q.channel === null ? [] : [['channel', 'eq', q.channel] as const]),
  ]);
  const queueRows = await db.query<Row>(
    `SELECT ${BUCKET}, queue_id, ${QUEUE_SELECT} FROM queue_rollups WHERE ${RANGE}${queueFilter.sql} GROUP BY bucket, queue_id`,
    [...fixed, ...queueFilter.params],
  );
  const seenQueues = new Set<string>();
  for (const row of queueRows.rows) {
    const id = String(row['queue_id']);
    seenQueues.add(id);
    periodOf(row).queues.set(id, queueCountersOf(row));
  }
  const queueIds = q.queues === null ? [...seenQueues].sort() : [...new Set(q.queues)];

  let agentIds: string[] | null = null;
  if (q.agents !== null) {
    const canSee = q.canSeeAgent ?? (() => true);
    const agentFilter = filters(q.agents === 'all' ? [] : [['agent_id', 'any', q.agents]]);
    const agentRows = await db.query<Row>(
      `SELECT ${BUCKET}, agent_id, ${AGENT_SELECT} FROM agent_rollups WHERE ${RANGE}${agentFilter.sql} GROUP BY bucket, agent_id`,
      [...fixed, ...agentFilter.params],
    );
    const seenAgents = new Set<string>();
    for (const row of agentRows.rows) {
      const id = String(row['agent_id']);
      if (!canSee(id)) continue;
      seenAgents.add(id);
      periodOf(row).agents.set(id, agentCountersOf(row));
    }
    agentIds = q.agents === 'all' ? [...seenAgents].sort() : [...new Set(q.agents)].filter(canSee);
  }

  const occupancyFilter = filters(q.occupancyAgents === null ? [] : [['agent_id', 'any', q.occupancyAgents]]);
  const occupancyRows = await db.query<Row>(
    `SELECT ${BUCKET}, sum(on_contact_ms + acw_time_ms)::float8 AS busy, sum(available_ms)::float8 AS avail
     FROM agent_rollups WHERE ${RANGE}${occupancyFilter.sql} GROUP BY bucket`,
    [...fixed, ...occupancyFilter.params],
  );
  for (const row of occupancyRows.rows) {
    const p = periodOf(row);
    p.busyMs = Number(row['busy']);
    p.availMs = Number(row['avail']);
  }

  const maxCells = q.maxCells ?? 200_000;
  const cells = periods.length * (queueIds.length + (agentIds?.length ?? 0) + 1);
  if (cells > maxCells) throw new HistoryTooLargeError(cells, maxCells);

  return {
    tenant: q.tenant,
    granularity: q.granularity,
    timezone: q.timezone,
    from: bounds[0]!,
    to: bounds.at(-1)!,
    queueIds,
    agentIds,
    periods,
    settings: q.settings,
  };
}

/** The window objects of every period, and of the whole range (SPEC §7). */
export function historyResponse(h: HistoryCounters): HistoryResponse {
  const queueWindows = (p: HistoryPeriod): Record<string, QueueWindow> => {
    const out: Record<string, QueueWindow> = {};
    for (const id of h.queueIds) {
      const s = resolveQueueSettings(h.settings, id);
      out[id] = queueWindowOf(atSettings(p.queues.get(id) ?? emptyQueueCounters(), s), s.slFormula);
    }
    return out;
  };
  const agentWindows = (p: HistoryPeriod, ids: readonly string[]): Record<string, AgentWindow> => {
    const out: Record<string, AgentWindow> = {};
    for (const id of ids) out[id] = agentWindowOf(p.agents.get(id) ?? emptyAgentCounters());
    return out;
  };
  return {
    tenant: h.tenant,
    from: iso(h.from),
    to: iso(h.to),
    granularity: h.granularity,
    timezone: h.timezone,
    periods: h.periods.map((p) => ({
      start: iso(p.start),
      end: iso(p.end),
      queues: queueWindows(p),
      ...(h.agentIds === null ? {} : { agents: agentWindows(p, h.agentIds) }),
      totals: totalsWindowOf(p, h.queueIds, h.settings),
    })),
    totals: totalsWindowOf(wholeRange(h.periods), h.queueIds, h.settings),
  };
}
