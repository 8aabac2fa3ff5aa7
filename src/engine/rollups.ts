import type { Channel } from '../events/index.js';
import { NO_AUX } from './agent-timeline.js';
import { A, AGENT_WIDTH, Q, QUEUE_WIDTH, whole } from './counters.js';
import { room } from './rows.js';

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

/** A pending agent row's numbers: its interval start, its counters (A layout), then its time in state. */
const R_START = 0;
const R_COUNTS = 1;
const R_TIME = R_COUNTS + AGENT_WIDTH;
const ROW_WIDTH = R_TIME + 4;

/**
 * Agent rows made and not handed over yet, kept as numbers (a row of ROW_WIDTH each, with the
 * agent and its aux time by reason beside them) until `take` makes them objects. Rows of ended
 * intervals are made as every agent is folded, every 15 minutes, and wait for the next hand-over;
 * as objects, those of a busy node (a row and a heap number or two for each of thousands of agents)
 * outlived the young generation and died in the old one, which costs copying and fresh pages
 * (docs/benchmarks.md). The buffer's storage is reused from one hand-over to the next.
 */
export class PendingAgentRows {
  private nums = new Float64Array(0);
  private readonly agentIds: string[] = [];
  private readonly aux: Readonly<Record<string, number>>[] = [];
  private n = 0;

  get length(): number {
    return this.n;
  }

  /** Adds a row: the agent's counters of the interval (A layout; null: none) and its time in state (its aux object becomes the row's). */
  push(agentId: string, intervalStart: number, counts: ArrayLike<number> | null, time: TimeByState): void {
    const r = this.n * ROW_WIDTH;
    this.nums = room(this.nums, this.n + 1, ROW_WIDTH, 64);
    const nums = this.nums;
    nums[r + R_START] = intervalStart;
    for (let i = 0; i < AGENT_WIDTH; i++) nums[r + R_COUNTS + i] = counts === null ? 0 : counts[i]!;
    nums[r + R_TIME] = time.availableMs;
    nums[r + R_TIME + 1] = time.onContactMs;
    nums[r + R_TIME + 2] = time.acwTimeMs;
    nums[r + R_TIME + 3] = time.offlineMs;
    this.agentIds[this.n] = agentId;
    this.aux[this.n] = time.auxMs;
    this.n++;
  }

  /** Adds a row object's values (a checkpoint's rows); its aux object is copied. */
  pushRow(row: AgentIntervalRow): void {
    const counts = new Array<number>(AGENT_WIDTH);
    for (const [k, i] of Object.entries(A)) counts[i] = row[k as keyof typeof A];
    this.push(row.agentId, row.intervalStart, counts, { ...row, auxMs: Object.keys(row.auxMs).length === 0 ? NO_AUX : { ...row.auxMs } });
  }

  /** The rows as objects, in the order added, and the buffer emptied. */
  take(tenant: string): AgentIntervalRow[] {
    const out = this.rows(tenant);
    // Let go of what the rows now hold (agents may be forgotten; aux objects are theirs).
    this.agentIds.fill('', 0, this.n);
    this.aux.fill(NO_AUX, 0, this.n);
    this.n = 0;
    return out;
  }

  /**
   * The rows as objects, the buffer keeping them; with `copyAux` they share nothing with it
   * (checkpoints), else their aux objects are the buffer's.
   */
  rows(tenant: string, copyAux = false): AgentIntervalRow[] {
    const out: AgentIntervalRow[] = [];
    const nums = this.nums;
    for (let k = 0; k < this.n; k++) {
      const r = k * ROW_WIDTH;
      const c = r + R_COUNTS;
      const t = r + R_TIME;
      const aux = this.aux[k]!;
      // A literal with every field, not spreads: a hand-over makes a row for every agent at once.
      out.push({
        tenant,
        agentId: this.agentIds[k]!,
        intervalStart: nums[r + R_START]!,
        handled: whole(nums[c + A.handled]!),
        talkMs: whole(nums[c + A.talkMs]!),
        holdMs: whole(nums[c + A.holdMs]!),
        acwMs: whole(nums[c + A.acwMs]!),
        csatSum: whole(nums[c + A.csatSum]!),
        csatCount: whole(nums[c + A.csatCount]!),
        csatPositive: whole(nums[c + A.csatPositive]!),
        availableMs: whole(nums[t]!),
        onContactMs: whole(nums[t + 1]!),
        acwTimeMs: whole(nums[t + 2]!),
        offlineMs: whole(nums[t + 3]!),
        auxMs: copyAux && aux !== NO_AUX ? { ...aux } : aux,
      });
    }
    return out;
  }
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
