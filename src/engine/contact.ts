import type { Channel, HubEvent } from '../events/index.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
export type LeaveKind = 'contact.answered' | 'contact.abandoned' | 'contact.dequeued';
/** True when an event (ts, id) comes before the current holder of its kind (NaN ts: none). */
export function wins(ts: number, id: string, holderTs: number, holderId: string): boolean {
  return Number.isNaN(holderTs) || ts < holderTs || (ts === holderTs && id < holderId);
}

/**
 * One contact: the first event of each kind in canonical order (SPEC §3 needs no other), copied
 * into plain fields (no event object outlives its batch), and what the contact currently
 * contributes, so the per-event path compares numbers instead of allocating. Within a kind all
 * events share a type rank, so (ts, id) decides. A new event either becomes the first of its kind
 * or changes nothing: the figures are a function of the event set, whatever the arrival order.
 *
 * The fields are class fields with their initial values so that V8 lays them all out inside the
 * object: fields first assigned by a method the constructor calls mostly spill into a separate
 * property array, which costs a reallocation per few fields and an extra load per access.
 */
export class Contact implements RatingHolder {
  queuedTs = NaN;
  queuedId = '';
  queuedQueue = '';
  queuedChannel: Channel = 'voice';
  leaveTs = NaN;
  leaveId = '';
  leaveType: LeaveKind = 'contact.answered';
  /** Answering agent ('' unless the leave is an answer). */
  leaveAgent = '';
  endedTs = NaN;
  endedId = '';
  endedHold = 0;
  endedAcw = true;
  acwEndedTs = NaN;
  acwEndedId = '';
  ratedTs = NaN;
  ratedId = '';
  ratedCsat = 0;
  /** Highest event time seen, for release once nothing can change it any more. */
  lastTs = -Infinity;

  /** The queue it was offered to (null: no queued event yet), on which channel, and when. */
  queueId: string | null = null;
  channel: Channel = 'voice';
  queuedAt = 0;
  /** Applied leave contribution (kind null: none). */
  leaveKind: LeaveKind | null = null;
  leaveQueue = '';
  leaveChannel: Channel = 'voice';
  leaveAt = 0;
  leaveWait = 0;
  leaveInSl = false;
  leaveShort = false;
  /** Applied handled contribution (handledAgent null: none). */
  handledAgent: string | null = null;
  handledQueue: string | null = null;
  handledChannel: Channel = 'voice';
  handledAt = 0;
  talk = 0;
  hold = 0;
  acw = 0;
  /** Applied rating (ratedAt NaN: none). */
  ratedAt = NaN;
  ratedQueue: string | null = null;
  ratedChannel: Channel = 'voice';
  ratedAgent: string | null = null;
  csat = 0;
  /** Applied agent activity: the agent and its interval bounds (NaN: open); they determine the marks placed. */
  activityAgent: string | null = null;
  onStart = NaN;
  onEnd = NaN;
  acwOn = false;
  acwEnd = NaN;
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  waitingIn: string | null = null;
  /** Its index in the waiting list of `waitingIn` (-1: none). */
  waitingSlot = -1;
  openWith: string | null = null;
  openSince = 0;
  releaseQueued = false;

  readonly id: string;

  constructor(id: string) {
    this.id = id;
  }

  /** Takes an event into account; false when it changes nothing (a duplicate, or not the first of its kind). */
  offer(e: ContactEvent): boolean {
    if (e.ts > this.lastTs) this.lastTs = e.ts;
    switch (e.type) {
      case 'contact.queued':
        if (!wins(e.ts, e.id, this.queuedTs, this.queuedId)) return false;
        this.queuedTs = e.ts;
        this.queuedId = e.id;
        this.queuedQueue = e.queueId;
        this.queuedChannel = e.channel;
        return true;
      case 'contact.answered':
      case 'contact.abandoned':
      case 'contact.dequeued':
        if (!wins(e.ts, e.id, this.leaveTs, this.leaveId)) return false;
        this.leaveTs = e.ts;
        this.leaveId = e.id;
        this.leaveType = e.type;
        this.leaveAgent = e.type === 'contact.answered' ? e.agentId : '';
        return true;
      case 'contact.ended':
        if (!wins(e.ts, e.id, this.endedTs, this.endedId)) return false;
        this.endedTs = e.ts;
        this.endedId = e.id;
        this.endedHold = e.holdMs;
        this.endedAcw = e.acw;
        return true;
      case 'contact.acw_ended':
        if (!wins(e.ts, e.id, this.acwEndedTs, this.acwEndedId)) return false;
        this.acwEndedTs = e.ts;
        this.acwEndedId = e.id;
        return true;
      case 'contact.rated':
        if (!wins(e.ts, e.id, this.ratedTs, this.ratedId)) return false;
        this.ratedTs = e.ts;
        this.ratedId = e.id;
        this.ratedCsat = e.csat;
        return true;
    }
  }

  /** Neither waiting nor open with an agent: only a late event could still change it. */
  isClosed(): boolean {
    return this.waitingIn === null && this.openWith === null;
  }
}

/** The applied rating of a contact, or of a released one (./released-contacts.ts): where it counts and what it is. */
export interface RatingHolder {
  ratedAt: number;
  ratedQueue: string | null;
  ratedChannel: Channel;
  ratedAgent: string | null;
  csat: number;
}
