import type { AgentTimelineState } from './agent-timeline.js';
import type { CounterSeriesState } from './counter-series.js';
import type { QueueSeriesState } from './queue-series.js';
import type { TenantSettings } from './settings.js';
import type { FrameDay } from './window-frame.js';
import type { Channel } from '../events/index.js';
import type { AgentIntervalRow } from './rollups.js';

/** Checkpoint format version: a node refuses a checkpoint of another version and replays the log instead. */
export const CHECKPOINT_VERSION = 4;

/** A released contact kept for late ratings: where a rating goes, and the rating it holds (at NaN: none). */
export interface ReleasedContactSaved {
  id: string;
  queueId: string | null;
  channel: Channel;
  agentId: string | null;
  releasedAt: number;
  rating: { at: number; id: string; csat: number };
}

export interface ContactState {
  fields: Record<string, unknown>;
}

export interface QueueIntervalState {
  channel: Channel;
  start: number;
  v: number[];
  answeredWithin: number[];
  abandonedWithin: number[];
  waits: number[];
}

export interface QueueStateSaved {
  id: string;
  waiting: string[];
  offers: number;
  skilled: number;
  series: QueueSeriesState;
  intervals: QueueIntervalState[];
  changed: number[];
}

export interface AgentStateSaved {
  id: string;
  fields: { contacts: number; name: string | null; team: string | null; skills: string[] };
  keys: { name: [number, string] | null; team: [number, string] | null; skills: [number, string] | null };
  timeline: AgentTimelineState;
  series: CounterSeriesState;
  open: string[];
  writtenIntervals: number[];
}

export interface TenantCheckpoint {
  version: number;
  tenant: string;
  position: string;
  now: number;
  settings: TenantSettings;
  latenessMs: number;
  retentionMs: number;
  lastFoldSec: number;
  lastCollectAt: number;
  contacts: [string, ContactState][];
  queues: QueueStateSaved[];
  agents: AgentStateSaved[];
  release: [string, number][];
  released: ReleasedContactSaved[];
  ratingWindowMs: number;
  day: FrameDay;
  /**
   * Agent rows of ended intervals made when the agents were last folded and not handed over yet
   * (absent in checkpoints from before they were kept: none).
   */
  endedAgentRows?: AgentIntervalRow[];
}

const NON_FINITE = '\u0000n:';

/** JSON text of a checkpoint; NaN and infinities (used as "none") survive the round trip. */
export function encodeCheckpoint(cp: TenantCheckpoint): string {
  return JSON.stringify(cp, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? NON_FINITE + String(v) : v));
}

export function decodeCheckpoint(text: string): TenantCheckpoint {
  const cp = JSON.parse(text, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith(NON_FINITE) ? Number(v.slice(NON_FINITE.length)) : v,
  ) as TenantCheckpoint;
  if (cp.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint version ${String(cp.version)} is not ${CHECKPOINT_VERSION}`);
  return cp;
}
