import type { Channel, HubEvent } from '../events/index.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
export type LeaveKind = 'contact.answered' | 'contact.abandoned' | 'contact.dequeued';
/** True when an event (ts, id) comes before the current holder of its kind (NaN ts: none). */
function wins(ts: number, id: string, holderTs: number, holderId: string): boolean {
  return Number.isNaN(holderTs) || ts < holderTs || (ts === holderTs && id < holderId);
}

/**
 * One contact: the first event of each kind in canonical order (SPEC §3 needs no other), copied
 * into plain fields (no event object outlives its batch), and what the contact currently
 * contributes, so the per-event path compares numbers instead of allocating. Within a kind all
 * events share a type rank, so (ts, id) decides. A new event either becomes the first of its kind
 * or changes nothing: the figures are a function of the event set, whatever the arrival order.
 */
export class Contact implements RatingHolder {
  declare queuedTs: number;
  declare queuedId: string;
  declare queuedQueue: string;
  declare queuedChannel: Channel;
  declare leaveTs: number;
  declare leaveId: string;
  declare leaveType: LeaveKind;
  /** Answering agent ('' unless the leave is an answer). */
  declare leaveAgent: string;
  declare endedTs: number;
  declare endedId: string;
  declare endedHold: number;
  declare endedAcw: boolean;
  declare acwEndedTs: number;
  declare acwEndedId: string;
  declare ratedTs: number;
  declare ratedId: string;
  declare ratedCsat: number;
  /** Highest event time seen, for release once nothing can change it any more. */
  declare lastTs: number;

  /** The queue it was offered to (null: no queued event yet), on which channel, and when. */
  declare queueId: string | null;
  declare channel: Channel;
  declare queuedAt: number;
  /** Applied leave contribution (kind null: none). */
  declare leaveKind: LeaveKind | null;
  declare leaveQueue: string;
  declare leaveChannel: Channel;
  declare leaveAt: number;
  declare leaveWait: number;
  declare leaveInSl: boolean;
  declare leaveShort: boolean;
  /** Applied handled contribution (handledAgent null: none). */
  declare handledAgent: string | null;
  declare handledQueue: string | null;
  declare handledChannel: Channel;
  declare handledAt: number;
  declare talk: number;
  declare hold: number;
  declare acw: number;
  /** Applied rating (ratedAt NaN: none). */
  declare ratedAt: number;
  declare ratedQueue: string | null;
  declare ratedChannel: Channel;
  declare ratedAgent: string | null;
  declare csat: number;
  /** Applied agent activity: the agent and its interval bounds (NaN: open); they determine the marks placed. */
  declare activityAgent: string | null;
  declare onStart: number;
  declare onEnd: number;
  declare acwOn: boolean;
  declare acwEnd: number;
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  declare waitingIn: string | null;
  declare openWith: string | null;
  declare openSince: number;
  declare releaseQueued: boolean;

  declare id: string;

  constructor(id: string) {
    this.reset(id);
  }

  /**
   * Makes this a new contact with no events. Released contacts are recycled: steady traffic then
   * allocates no contact objects (they outlive young-generation collections and made much of the
   * collector's work).
   */
  reset(id: string): this {
    this.id = id;
    this.queuedTs = NaN;
    this.queuedId = '';
    this.queuedQueue = '';
    this.queuedChannel = 'voice';
    this.leaveTs = NaN;
    this.leaveId = '';
    this.leaveType = 'contact.answered';
    this.leaveAgent = '';
    this.endedTs = NaN;
    this.endedId = '';
    this.endedHold = 0;
    this.endedAcw = true;
    this.acwEndedTs = NaN;
    this.acwEndedId = '';
    this.ratedTs = NaN;
    this.ratedId = '';
    this.ratedCsat = 0;
    this.lastTs = -Infinity;
    this.queueId = null;
    this.channel = 'voice';
    this.queuedAt = 0;
    this.leaveKind = null;
    this.leaveQueue = '';
    this.leaveChannel = 'voice';
    this.leaveAt = 0;
    this.leaveWait = 0;
    this.leaveInSl = false;
    this.leaveShort = false;
    this.handledAgent = null;
    this.handledQueue = null;
    this.handledChannel = 'voice';
    this.handledAt = 0;
    this.talk = 0;
    this.hold = 0;
    this.acw = 0;
    this.ratedAt = NaN;
    this.ratedQueue = null;
    this.ratedChannel = 'voice';
    this.ratedAgent = null;
    this.csat = 0;
    this.activityAgent = null;
    this.onStart = NaN;
    this.onEnd = NaN;
    this.acwOn = false;
    this.acwEnd = NaN;
    this.waitingIn = null;
    this.openWith = null;
    this.openSince = 0;
    this.releaseQueued = false;
    return this;
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

/** The applied rating of a contact, or of a released one: where it counts and what it is. */
export interface RatingHolder {
  ratedAt: number;
  ratedQueue: string | null;
  ratedChannel: Channel;
  ratedAgent: string | null;
  csat: number;
}

/**
 * What a released contact keeps for the rating window: where a late rating goes (its queue,
 * channel and answering agent) and the rating it holds, so post-contact surveys that arrive long
 * after the contact still count. Other late events for it change nothing: the contact is known.
 */
export class ReleasedContact implements RatingHolder {
  ratedAt: number;
  ratedId: string;
  csat: number;
  constructor(
    readonly id: string,
    readonly ratedQueue: string | null,
    readonly ratedChannel: Channel,
    readonly ratedAgent: string | null,
    readonly releasedAt: number,
    rating: { at: number; id: string; csat: number },
  ) {
    this.ratedAt = rating.at;
    this.ratedId = rating.id;
    this.csat = rating.csat;
  }

  static of(c: Contact, now: number): ReleasedContact {
    const agent = !Number.isNaN(c.leaveTs) && c.leaveType === 'contact.answered' ? c.leaveAgent : null;
    return new ReleasedContact(c.id, c.queueId, c.channel, agent, now, { at: c.ratedAt, id: c.ratedId, csat: c.csat });
  }

  /** Takes a late rating; false when it is not the first of the contact's ratings. */
  offerRating(e: { ts: number; id: string }): boolean {
    return wins(e.ts, e.id, this.ratedAt, this.ratedId);
  }
}
