import { compareEvents, type HubEvent } from '../events/index.js';
import type { ActivityMark } from './agent-timeline.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
export type LeaveKind = 'contact.answered' | 'contact.abandoned' | 'contact.dequeued';

/**
 * One contact: its events in canonical order, and what it currently contributes, kept as plain
 * fields so the per-event path compares numbers instead of allocating. Its figures are a pure
 * function of its event set, so any arrival order ends in the same place.
 */
export class Contact {
  readonly events: ContactEvent[] = [];
  /** Highest event time seen, for release once nothing can change it any more. */
  lastTs = -Infinity;

  /** The queue it was offered to (null: no queued event yet) and when. */
  queueId: string | null = null;
  queuedAt = 0;
  /** Applied leave contribution (kind null: none). */
  leaveKind: LeaveKind | null = null;
  leaveQueue = '';
  leaveAt = 0;
  leaveWait = 0;
  leaveInSl = false;
  leaveShort = false;
  /** Applied handled contribution (handledAgent null: none). */
  handledAgent: string | null = null;
  handledQueue: string | null = null;
  handledAt = 0;
  talk = 0;
  hold = 0;
  acw = 0;
  /** Applied rating (ratedAt NaN: none). */
  ratedAt = NaN;
  ratedQueue: string | null = null;
  ratedAgent: string | null = null;
  csat = 0;
  /** Applied agent activity: the agent, its interval bounds (NaN: open) and the marks placed. */
  activityAgent: string | null = null;
  onStart = NaN;
  onEnd = NaN;
  acwOn = false;
  acwEnd = NaN;
  marks: ActivityMark[] = [];
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  waitingIn: string | null = null;
  openWith: string | null = null;
  openSince = 0;
  releaseQueued = false;

  constructor(readonly id: string) {}

  /** Inserts an event in canonical order; false for a duplicate id. */
  insert(e: ContactEvent): boolean {
    const es = this.events;
    for (let k = 0; k < es.length; k++) if (es[k]!.id === e.id) return false;
    let i = es.length;
    while (i > 0 && compareEvents(es[i - 1]!, e) > 0) i--;
    es.splice(i, 0, e);
    if (e.ts > this.lastTs) this.lastTs = e.ts;
    return true;
  }

  /** Neither waiting nor open with an agent: only a late event could still change it. */
  isClosed(): boolean {
    return this.waitingIn === null && this.openWith === null;
  }
}
