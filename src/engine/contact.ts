import type { Channel, HubEvent } from '../events/index.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
export type LeaveKind = 'contact.answered' | 'contact.abandoned' | 'contact.dequeued';
/** True when an event (ts, id) comes before the current holder of its kind (NaN ts: none). */
export function wins(ts: number, id: string, holderTs: number, holderId: string): boolean {
  return Number.isNaN(holderTs) || ts < holderTs || (ts === holderTs && id < holderId);
}

/** Offsets of a contact's numbers in its row. */
const F = {
  queuedTs: 0,
  leaveTs: 1,
  endedTs: 2,
  endedHold: 3,
  acwEndedTs: 4,
  ratedTs: 5,
  ratedCsat: 6,
  lastTs: 7,
  queuedAt: 8,
  leaveAt: 9,
  leaveWait: 10,
  handledAt: 11,
  talk: 12,
  hold: 13,
  acw: 14,
  ratedAt: 15,
  csat: 16,
  onStart: 17,
  onEnd: 18,
  acwEnd: 19,
  openSince: 20,
} as const;
const ROW = 21;
/** A new contact's numbers, in row order. */
const ROW_INIT = new Float64Array([NaN, NaN, NaN, 0, NaN, NaN, 0, -Infinity, 0, 0, 0, 0, 0, 0, 0, NaN, 0, NaN, NaN, NaN, 0]);
const INITIAL_ROWS = 256;

/**
 * The numbers of a tenant's contacts, a row each in one Float64Array. Rows of released contacts
 * are reused; the array grows by half when full.
 */
export class ContactRows {
  data = new Float64Array(INITIAL_ROWS * ROW);
  private readonly free: number[] = [];
  private used = 0;

  /** A row set to a new contact's numbers; returns its offset. */
  take(): number {
    let base = this.free.pop();
    if (base === undefined) {
      base = this.used++ * ROW;
      if (base + ROW > this.data.length) {
        const data = new Float64Array(Math.ceil((this.data.length / ROW) * 1.5) * ROW);
        data.set(this.data);
        this.data = data;
      }
    }
    this.data.set(ROW_INIT, base);
    return base;
  }

  give(base: number): void {
    this.free.push(base);
  }
}

/**
 * One contact: the first event of each kind in canonical order (SPEC §3 needs no other), copied
 * into plain fields (no event object outlives its batch), and what the contact currently
 * contributes, so the per-event path compares numbers instead of allocating. Within a kind all
 * events share a type rank, so (ts, id) decides. A new event either becomes the first of its kind
 * or changes nothing: the figures are a function of the event set, whatever the arrival order.
 *
 * A contact is compact, as a busy tenant holds thousands: its numbers live in a row of its
 * tenant's `ContactRows` (a number in an object field is a separate heap box, one more object for
 * the collector per field), and its other fields are class fields with initial values, which V8
 * lays out inside the object (fields first assigned by a method the constructor calls spill into
 * a separate property array).
 */
export class Contact implements RatingHolder {
  queuedId = '';
  queuedQueue = '';
  queuedChannel: Channel = 'voice';
  leaveId = '';
  leaveType: LeaveKind = 'contact.answered';
  /** Answering agent ('' unless the leave is an answer). */
  leaveAgent = '';
  endedId = '';
  endedAcw = true;
  acwEndedId = '';
  ratedId = '';

  /** The queue it was offered to (null: no queued event yet), on which channel, and when. */
  queueId: string | null = null;
  channel: Channel = 'voice';
  /** Applied leave contribution (kind null: none). */
  leaveKind: LeaveKind | null = null;
  leaveQueue = '';
  leaveChannel: Channel = 'voice';
  leaveInSl = false;
  leaveShort = false;
  /** Applied handled contribution (handledAgent null: none). */
  handledAgent: string | null = null;
  handledQueue: string | null = null;
  handledChannel: Channel = 'voice';
  /** Applied rating (ratedAt NaN: none). */
  ratedQueue: string | null = null;
  ratedChannel: Channel = 'voice';
  ratedAgent: string | null = null;
  /** Applied agent activity: the agent and its interval bounds (NaN: open); they determine the marks placed. */
  activityAgent: string | null = null;
  acwOn = false;
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  waitingIn: string | null = null;
  openWith: string | null = null;
  releaseQueued = false;

  readonly id: string;
  /** Where its numbers are; a released contact gives its row back and is not used again. */
  private readonly rows: ContactRows;
  private readonly base: number;

  constructor(id: string, rows: ContactRows) {
    this.id = id;
    this.rows = rows;
    this.base = rows.take();
  }

  /** Gives its row back: the contact is released and must not be used again. */
  release(): void {
    this.rows.give(this.base);
  }

  /** Every field by name, for a checkpoint. */
  save(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'rows' && k !== 'base') out[k] = v;
    for (const k of Object.keys(F) as (keyof typeof F)[]) out[k] = this[k];
    return out;
  }

  /** A contact with the fields a checkpoint saved. */
  static restore(rows: ContactRows, fields: Record<string, unknown>): Contact {
    const c = new Contact(fields['id'] as string, rows);
    const target = c as unknown as Record<string, unknown>;
    for (const k of Object.keys(fields)) {
      if (k in F || (Object.hasOwn(c, k) && k !== 'id' && k !== 'rows' && k !== 'base')) target[k] = fields[k];
    }
    return c;
  }

  get queuedTs(): number {
    return this.rows.data[this.base + F.queuedTs]!;
  }
  set queuedTs(v: number) {
    this.rows.data[this.base + F.queuedTs] = v;
  }

  get leaveTs(): number {
    return this.rows.data[this.base + F.leaveTs]!;
  }
  set leaveTs(v: number) {
    this.rows.data[this.base + F.leaveTs] = v;
  }

  get endedTs(): number {
    return this.rows.data[this.base + F.endedTs]!;
  }
  set endedTs(v: number) {
    this.rows.data[this.base + F.endedTs] = v;
  }

  get endedHold(): number {
    return this.rows.data[this.base + F.endedHold]!;
  }
  set endedHold(v: number) {
    this.rows.data[this.base + F.endedHold] = v;
  }

  get acwEndedTs(): number {
    return this.rows.data[this.base + F.acwEndedTs]!;
  }
  set acwEndedTs(v: number) {
    this.rows.data[this.base + F.acwEndedTs] = v;
  }

  get ratedTs(): number {
    return this.rows.data[this.base + F.ratedTs]!;
  }
  set ratedTs(v: number) {
    this.rows.data[this.base + F.ratedTs] = v;
  }

  get ratedCsat(): number {
    return this.rows.data[this.base + F.ratedCsat]!;
  }
  set ratedCsat(v: number) {
    this.rows.data[this.base + F.ratedCsat] = v;
  }

  /** Highest event time seen, for release once nothing can change it any more. */
  get lastTs(): number {
    return this.rows.data[this.base + F.lastTs]!;
  }
  set lastTs(v: number) {
    this.rows.data[this.base + F.lastTs] = v;
  }

  get queuedAt(): number {
    return this.rows.data[this.base + F.queuedAt]!;
  }
  set queuedAt(v: number) {
    this.rows.data[this.base + F.queuedAt] = v;
  }

  get leaveAt(): number {
    return this.rows.data[this.base + F.leaveAt]!;
  }
  set leaveAt(v: number) {
    this.rows.data[this.base + F.leaveAt] = v;
  }

  get leaveWait(): number {
    return this.rows.data[this.base + F.leaveWait]!;
  }
  set leaveWait(v: number) {
    this.rows.data[this.base + F.leaveWait] = v;
  }

  get handledAt(): number {
    return this.rows.data[this.base + F.handledAt]!;
  }
  set handledAt(v: number) {
    this.rows.data[this.base + F.handledAt] = v;
  }

  get talk(): number {
    return this.rows.data[this.base + F.talk]!;
  }
  set talk(v: number) {
    this.rows.data[this.base + F.talk] = v;
  }

  get hold(): number {
    return this.rows.data[this.base + F.hold]!;
  }
  set hold(v: number) {
    this.rows.data[this.base + F.hold] = v;
  }

  get acw(): number {
    return this.rows.data[this.base + F.acw]!;
  }
  set acw(v: number) {
    this.rows.data[this.base + F.acw] = v;
  }

  get ratedAt(): number {
    return this.rows.data[this.base + F.ratedAt]!;
  }
  set ratedAt(v: number) {
    this.rows.data[this.base + F.ratedAt] = v;
  }

  get csat(): number {
    return this.rows.data[this.base + F.csat]!;
  }
  set csat(v: number) {
    this.rows.data[this.base + F.csat] = v;
  }

  get onStart(): number {
    return this.rows.data[this.base + F.onStart]!;
  }
  set onStart(v: number) {
    this.rows.data[this.base + F.onStart] = v;
  }

  get onEnd(): number {
    return this.rows.data[this.base + F.onEnd]!;
  }
  set onEnd(v: number) {
    this.rows.data[this.base + F.onEnd] = v;
  }

  get acwEnd(): number {
    return this.rows.data[this.base + F.acwEnd]!;
  }
  set acwEnd(v: number) {
    this.rows.data[this.base + F.acwEnd] = v;
  }

  get openSince(): number {
    return this.rows.data[this.base + F.openSince]!;
  }
  set openSince(v: number) {
    this.rows.data[this.base + F.openSince] = v;
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
