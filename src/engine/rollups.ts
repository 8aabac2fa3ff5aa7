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
    return {
      tenant,
      queueId: this.queueId,
      channel: this.channel,
      intervalStart: this.intervalStart,
      ...named(this.v, Q),
      maxWaitMs,
      answeredWithin: [...this.answeredWithin],
      abandonedWithin: [...this.abandonedWithin],
    };
  }
}

/** One agent × interval: handled and rating counters (time in state comes from the timeline). */
export class AgentInterval {
  readonly v: number[] = new Array<number>(AGENT_WIDTH).fill(0);
  /** Changed since the last collection. */
  changed = false;
  constructor(readonly intervalStart: number) {}

  inc(field: number, delta: number): void {
    this.v[field]! += delta;
  }

  row(tenant: string, agentId: string, time: TimeByState): AgentIntervalRow {
    return { tenant, agentId, intervalStart: this.intervalStart, ...named(this.v, A), ...time };
  }
}

/** Counters by name, read from a counter array through its layout (Q or A). */
function named<K extends string>(values: ArrayLike<number>, layout: Readonly<Record<K, number>>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k in layout) out[k] = values[layout[k]]!;
  return out;
}

const CHANNEL_INDEX: Record<Channel, number> = { voice: 0, chat: 1, email: 2, messaging: 3, task: 4 };

/** Key of a queue's interval for one channel (numeric, so the per-contribution lookup does not build strings). */
export function queueIntervalKey(intervalStart: number, channel: Channel): number {
  return (intervalStart / INTERVAL_MS) * 8 + CHANNEL_INDEX[channel];
}
