import type { Channel } from '../events/index.js';
import { A, AGENT_WIDTH, Q, QUEUE_WIDTH } from './counters.js';

/** Rollup intervals: 15 minutes, aligned to the epoch (so to local quarter hours in every current zone). */
export const INTERVAL_MS = 900_000;
/** Answered-wait histogram: answered with wait <= N s, so service level at these thresholds can be recomputed. */
export const ANSWERED_WITHIN_SEC = [10, 15, 20, 30, 45, 60, 90, 120, 180, 300] as const;
/** Abandoned-wait histogram: abandoned with wait < N s, so short abandons can be recomputed. */
export const ABANDONED_WITHIN_SEC = [3, 5, 10, 15, 20, 30, 60] as const;

/** The additive counters of a queue (SPEC §4), by name, as the live windows hold them. */
export type QueueCounters = Record<keyof typeof Q, number>;
/** The additive counters of an agent. */
export type AgentCounters = Record<keyof typeof A, number>;

export interface QueueIntervalRow extends QueueCounters {
  tenant: string;
  queueId: string;
  channel: Channel;
  intervalStart: number;
  maxWaitMs: number;
  answeredWithin: number[];
  abandonedWithin: number[];
}

export interface AgentIntervalRow extends AgentCounters, TimeByState {
  tenant: string;
  agentId: string;
  intervalStart: number;
}

export interface RollupBatch {
  queues: QueueIntervalRow[];
  agents: AgentIntervalRow[];
}

/** Time in each state over a span (aux by reason). */
export interface TimeByState {
  availableMs: number;
  onContactMs: number;
  acwTimeMs: number;
  offlineMs: number;
  auxMs: Record<string, number>;
}

export function intervalOf(t: number): number {
  return Math.floor(t / INTERVAL_MS) * INTERVAL_MS;
}

/** One queue × channel × interval: the live window counters plus the wait histograms. */
export class QueueInterval {
  readonly v: number[] = new Array<number>(QUEUE_WIDTH).fill(0);
  readonly answeredWithin: number[] = new Array<number>(ANSWERED_WITHIN_SEC.length).fill(0);
  readonly abandonedWithin: number[] = new Array<number>(ABANDONED_WITHIN_SEC.length).fill(0);
  /** Waits of the contacts that left the queue in the interval (maximum with retraction). */
  readonly waits: number[] = [];
  /** Changed since the last collection (queued for it). */
  changed = false;
  constructor(
    readonly queueId: string,
    readonly channel: Channel,
    readonly intervalStart: number,
  ) {}

  inc(field: number, delta: number): void {
    this.v[field]! += delta;
  }

  addWait(waitMs: number, sign: 1 | -1): void {
    if (sign > 0) this.waits.push(waitMs);
    else {
      const i = this.waits.indexOf(waitMs);
      if (i >= 0) this.waits.splice(i, 1);
    }
  }

  answeredWait(waitMs: number, sign: 1 | -1): void {
    for (let i = 0; i < ANSWERED_WITHIN_SEC.length; i++) if (waitMs <= ANSWERED_WITHIN_SEC[i]! * 1000) this.answeredWithin[i]! += sign;
  }

  abandonedWait(waitMs: number, sign: 1 | -1): void {
    for (let i = 0; i < ABANDONED_WITHIN_SEC.length; i++) if (waitMs < ABANDONED_WITHIN_SEC[i]! * 1000) this.abandonedWithin[i]! += sign;
  }

  row(tenant: string): QueueIntervalRow {
    let maxWaitMs = 0;
    for (const w of this.waits) if (w > maxWaitMs) maxWaitMs = w;
    const v = this.v;
    // A literal with every field, not a spread: collections build thousands of rows at once.
    return {
      tenant,
      queueId: this.queueId,
      channel: this.channel,
      intervalStart: this.intervalStart,
      offered: v[Q.offered]!,
      answered: v[Q.answered]!,
      answeredInSl: v[Q.answeredInSl]!,
      abandoned: v[Q.abandoned]!,
      shortAbandoned: v[Q.shortAbandoned]!,
      flowedOut: v[Q.flowedOut]!,
      handled: v[Q.handled]!,
      waitAnsweredMs: v[Q.waitAnsweredMs]!,
      waitAbandonedMs: v[Q.waitAbandonedMs]!,
      talkMs: v[Q.talkMs]!,
      holdMs: v[Q.holdMs]!,
      acwMs: v[Q.acwMs]!,
      csatSum: v[Q.csatSum]!,
      csatCount: v[Q.csatCount]!,
      csatPositive: v[Q.csatPositive]!,
      maxWaitMs,
      answeredWithin: this.answeredWithin.slice(),
      abandonedWithin: this.abandonedWithin.slice(),
    };
  }
}

/** No handled or rated contact: the counters of an agent's interval that holds only time in state. */
const NO_AGENT_COUNTS: readonly number[] = new Array<number>(AGENT_WIDTH).fill(0);

/**
 * An agent's row for an interval, from its counters (A layout; none: only time in state). A
 * literal with every field, not spreads: a collection builds a row for every agent at once.
 */
export function agentIntervalRow(tenant: string, agentId: string, intervalStart: number, counts: ArrayLike<number> | null, time: TimeByState): AgentIntervalRow {
  const v = counts ?? NO_AGENT_COUNTS;
  return {
    tenant,
    agentId,
    intervalStart,
    handled: v[A.handled]!,
    talkMs: v[A.talkMs]!,
    holdMs: v[A.holdMs]!,
    acwMs: v[A.acwMs]!,
    csatSum: v[A.csatSum]!,
    csatCount: v[A.csatCount]!,
    csatPositive: v[A.csatPositive]!,
    availableMs: time.availableMs,
    onContactMs: time.onContactMs,
    acwTimeMs: time.acwTimeMs,
    offlineMs: time.offlineMs,
    auxMs: time.auxMs,
  };
}

/** A copy of agent rows that shares nothing with them (checkpoints). */
export function copyAgentRows(rows: readonly AgentIntervalRow[]): AgentIntervalRow[] {
  return rows.map((r) => ({ ...r, auxMs: { ...r.auxMs } }));
}

const CHANNEL_INDEX: Record<Channel, number> = { voice: 0, chat: 1, email: 2, messaging: 3, task: 4 };

/**
 * The starts of the rollup intervals an agent has had a row handed over for, that late changes
 * can still reach (a handful). Kept in a list that never shrinks: a plain array trimmed at each
 * fold and pushed to again reallocated its storage for every agent every 15 minutes, garbage the
 * young collector promoted because the agent holding it is old.
 */
export class IntervalStarts {
  private readonly starts: number[] = [NaN, NaN, NaN, NaN];
  private n = 0;

  has(start: number): boolean {
    for (let i = 0; i < this.n; i++) if (this.starts[i] === start) return true;
    return false;
  }

  add(start: number): void {
    if (this.has(start)) return;
    if (this.n < this.starts.length) this.starts[this.n] = start;
    else this.starts.push(start);
    this.n++;
  }

  /** Forgets the starts before `min`. */
  dropBelow(min: number): void {
    let kept = 0;
    for (let i = 0; i < this.n; i++) if (this.starts[i]! >= min) this.starts[kept++] = this.starts[i]!;
    this.n = kept;
  }

  toArray(): number[] {
    return this.starts.slice(0, this.n);
  }
}

/** Key of a queue's interval for one channel (numeric, so the per-contribution lookup does not build strings). */
export function queueIntervalKey(intervalStart: number, channel: Channel): number {
  return (intervalStart / INTERVAL_MS) * 8 + CHANNEL_INDEX[channel];
}
