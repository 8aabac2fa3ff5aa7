import { compareEvents, type HubEvent } from '../events/index.js';
import type { ActivityMark } from './agent-timeline.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
type Of<T extends ContactEvent['type']> = Extract<ContactEvent, { type: T }>;
export type LeaveEvent = Of<'contact.answered'> | Of<'contact.abandoned'> | Of<'contact.dequeued'>;

/** What a contact's events settle, each the first of its kind in event order (SPEC §3). */
export interface ContactFacts {
  queued: Of<'contact.queued'> | null;
  leave: LeaveEvent | null;
  ended: Of<'contact.ended'> | null;
  acwEnded: Of<'contact.acw_ended'> | null;
  rated: Of<'contact.rated'> | null;
}

/** Contributions a contact has applied, kept so they can be retracted exactly. */
export interface AppliedLeave {
  queueId: string;
  kind: LeaveEvent['type'];
  t: number;
  wait: number;
  inSl: boolean;
  short: boolean;
}
export interface AppliedHandled {
  queueId: string | null;
  agentId: string;
  t: number;
  talk: number;
  hold: number;
  acw: number;
}
export interface AppliedRating {
  queueId: string | null;
  agentId: string | null;
  t: number;
  csat: number;
}
export interface AppliedActivity {
  agentId: string;
  marks: ActivityMark[];
}

/**
 * One contact: its events in canonical order, and what it currently contributes. Its figures are
 * a pure function of its event set, so any arrival order ends in the same place.
 */
export class Contact {
  readonly events: ContactEvent[] = [];
  /** Highest event time seen, for release once nothing can change it any more. */
  lastTs = -Infinity;
  offered: { queueId: string; t: number } | null = null;
  leave: AppliedLeave | null = null;
  handled: AppliedHandled | null = null;
  rating: AppliedRating | null = null;
  activity: AppliedActivity | null = null;
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  waitingIn: string | null = null;
  openWith: string | null = null;
  openSince = 0;
  queuedAt = 0;
  queueId: string | null = null;
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

  facts(): ContactFacts {
    const f: ContactFacts = { queued: null, leave: null, ended: null, acwEnded: null, rated: null };
    for (const e of this.events) {
      switch (e.type) {
        case 'contact.queued':
          f.queued ??= e;
          break;
        case 'contact.answered':
        case 'contact.abandoned':
        case 'contact.dequeued':
          f.leave ??= e;
          break;
        case 'contact.ended':
          f.ended ??= e;
          break;
        case 'contact.acw_ended':
          f.acwEnded ??= e;
          break;
        case 'contact.rated':
          f.rated ??= e;
          break;
      }
    }
    return f;
  }

  /** Neither waiting nor open with an agent: only a late event could still change it. */
  isClosed(): boolean {
    return this.waitingIn === null && this.openWith === null;
  }
}
