import type { Channel, HubEvent } from '../events/index.js';

export type ContactEvent = Exclude<HubEvent, { type: 'agent.status' }>;
export type LeaveKind = 'contact.answered' | 'contact.abandoned' | 'contact.dequeued';
/** The events of one type (or of a union of types). */
export type EventOf<T extends ContactEvent['type']> = Extract<ContactEvent, { type: T }>;
/** True when an event (ts, id) comes before the current holder of its kind (NaN ts: none). */
export function wins(ts: number, id: string, holderTs: number, holderId: string): boolean {
  return Number.isNaN(holderTs) || ts < holderTs || (ts === holderTs && id < holderId);
}

/** Keeps the highest event time a contact has seen (row `r`). */
function noteLast(nums: Float64Array, r: number, ts: number): void {
  if (ts > nums[r + C.lastTs]!) nums[r + C.lastTs] = ts;
}

/**
 * A contact's numbers, as columns of its tenant's ContactTable (the row is the contact's `slot`):
 * the times and durations of its first events of each kind, then what it currently contributes.
 */
export const C = {
  queuedTs: 0,
  leaveTs: 1,
  endedTs: 2,
  endedHold: 3,
  acwEndedTs: 4,
  ratedTs: 5,
  ratedCsat: 6,
  /** Highest event time seen, for release once nothing can change it any more. */
  lastTs: 7,
  /** Applied contributions: when it was queued; its leave's time and wait; its handled time and durations; its rating. */
  queuedAt: 8,
  leaveAt: 9,
  leaveWait: 10,
  handledAt: 11,
  talk: 12,
  hold: 13,
  acw: 14,
  ratedAt: 15,
  csat: 16,
  /** Applied agent activity: its interval bounds (NaN: open), and since when it is open with the agent. */
  onStart: 17,
  onEnd: 18,
  acwEnd: 19,
  openSince: 20,
} as const;
export const CONTACT_WIDTH = 21;

/** A new contact's numbers: no event of any kind (NaN), and nothing applied. */
const EMPTY_ROW = new Float64Array(CONTACT_WIDTH);
for (const k of ['queuedTs', 'leaveTs', 'endedTs', 'acwEndedTs', 'ratedTs', 'ratedAt', 'onStart', 'onEnd', 'acwEnd'] as const) EMPTY_ROW[C[k]] = NaN;
EMPTY_ROW[C.lastTs] = -Infinity;
const NUMBER_NAMES = Object.keys(C) as (keyof typeof C)[];
/** A contact's fields that place it in its table (and its waiting list), not part of its state in a checkpoint. */
const ROW_FIELDS: readonly string[] = ['slot', 'nums', 'row', 'waitingSlot'];

/** Rows per chunk of a ContactTable (21.5 KB of numbers: allocated from the C heap's free lists, not mapped apart). */
const CHUNK_ROWS = 128;

/**
 * The numbers of a tenant's contacts, one row each, in chunks of CHUNK_ROWS rows (Float64Arrays).
 * A contact's times are epoch milliseconds, beyond small integers: as object fields, V8 would keep
 * each in a heap box of its own, some twenty objects per contact for the collector to copy and
 * mark. Chunks are added as the table fills and never copied: one array grown by half each time
 * allocated twice its final size over a benchmark run, in arrays large enough to be mapped apart
 * and faulted in afresh (docs/benchmarks.md). A contact holds its chunk and row offset itself.
 *
 * A released contact's row and object serve the next new contact: a busy tenant starts thousands
 * of contacts an hour, and an object made for each would be copied twice by the young collector,
 * then die in the old generation, whose growth costs fresh pages (see docs/benchmarks.md).
 */
export class ContactTable {
  /** The chunk new rows go to: slots are numbered in order, so only the last one is ever filled. */
  private chunk = new Float64Array(0);
  /** Each row's contact object (the row is its `slot`). */
  private readonly objects: Contact[] = [];
  private readonly free: number[] = [];
  private used = 0;

  /** A new contact: a row holding EMPTY_ROW, and an object with every field as new. */
  add(id: string): Contact {
    const slot = this.free.length > 0 ? this.free.pop()! : this.used++;
    let c = this.objects[slot];
    if (c === undefined) {
      if (slot % CHUNK_ROWS === 0) this.chunk = new Float64Array(CHUNK_ROWS * CONTACT_WIDTH);
      this.objects[slot] = c = new Contact(id, slot, this.chunk, (slot % CHUNK_ROWS) * CONTACT_WIDTH);
    } else c.reset(id);
    c.nums.set(EMPTY_ROW, c.row);
    return c;
  }

  /** Frees a released contact's row and object for reuse: nothing may hold the object any more. */
  remove(c: Contact): void {
    this.free.push(c.slot);
  }
}

/**
 * One contact: the first event of each kind in canonical order (SPEC §3 needs no other), copied
 * into plain fields and its table row (no event object outlives its batch), and what the contact
 * currently contributes, so the per-event path compares values instead of allocating. Within a
 * kind all events share a type rank, so (ts, id) decides. A new event either becomes the first of
 * its kind or changes nothing: the figures are a function of the event set, whatever the arrival
 * order.
 *
 * The fields are declared as class fields (defined by the constructor before `reset` sets them) so
 * that V8 lays them all out inside the object: fields first assigned by a method the constructor
 * calls would mostly spill into a separate property array, which costs a reallocation per few
 * fields and an extra load per access.
 */
export class Contact {
  queuedId!: string;
  queuedQueue!: string;
  queuedChannel!: Channel;
  leaveId!: string;
  leaveType!: LeaveKind;
  /** Answering agent ('' unless the leave is an answer). */
  leaveAgent!: string;
  endedId!: string;
  endedAcw!: boolean;
  acwEndedId!: string;
  ratedId!: string;

  /** The queue it was offered to (null: no queued event yet) and on which channel. */
  queueId!: string | null;
  channel!: Channel;
  /** Applied leave contribution (kind null: none). */
  leaveKind!: LeaveKind | null;
  leaveQueue!: string;
  leaveChannel!: Channel;
  leaveInSl!: boolean;
  leaveShort!: boolean;
  /** Applied handled contribution (handledAgent null: none). */
  handledAgent!: string | null;
  handledQueue!: string | null;
  handledChannel!: Channel;
  /** Applied rating's queue, channel and agent (the row's ratedAt NaN: none). */
  ratedQueue!: string | null;
  ratedChannel!: Channel;
  ratedAgent!: string | null;
  /** Applied agent activity: the agent (its interval bounds are in the row) and whether acw follows. */
  activityAgent!: string | null;
  acwOn!: boolean;
  /** Queue it waits in, and agent it is open with (on contact or in acw). */
  waitingIn!: string | null;
  /** Its index in the waiting list of `waitingIn` (-1: none). */
  waitingSlot!: number;
  openWith!: string | null;
  releaseQueued!: boolean;

  id!: string;
  /** Its row in the tenant's ContactTable: its number, and where its numbers are (a chunk, and the row's offset in it). */
  readonly slot: number;
  readonly nums: Float64Array;
  readonly row: number;

  constructor(id: string, slot: number, nums: Float64Array, row: number) {
    this.slot = slot;
    this.nums = nums;
    this.row = row;
    this.reset(id);
  }

  /** Every field as a new contact's (its table row is reset apart): a new contact, or a released one's object reused. */
  reset(id: string): void {
    this.id = id;
    this.queuedId = '';
    this.queuedQueue = '';
    this.queuedChannel = 'voice';
    this.leaveId = '';
    this.leaveType = 'contact.answered';
    this.leaveAgent = '';
    this.endedId = '';
    this.endedAcw = true;
    this.acwEndedId = '';
    this.ratedId = '';
    this.queueId = null;
    this.channel = 'voice';
    this.leaveKind = null;
    this.leaveQueue = '';
    this.leaveChannel = 'voice';
    this.leaveInSl = false;
    this.leaveShort = false;
    this.handledAgent = null;
    this.handledQueue = null;
    this.handledChannel = 'voice';
    this.ratedQueue = null;
    this.ratedChannel = 'voice';
    this.ratedAgent = null;
    this.activityAgent = null;
    this.acwOn = false;
    this.waitingIn = null;
    this.waitingSlot = -1;
    this.openWith = null;
    this.releaseQueued = false;
  }

  /*
   * Offers of the events of each type: each takes an event into account and returns false when it
   * changes nothing (a duplicate, or not the first of its kind). One method per type, called
   * where the type is known (TenantEngine.apply): an event's fields are then read from one shape,
   * not where the shapes of all types meet (a megamorphic load, which also boxes a number read),
   * and each method is small enough for the compiler to inline its helpers whole.
   */

  offerQueued(e: EventOf<'contact.queued'>): boolean {
    const ts = e.ts;
    if (!this.first(C.queuedTs, ts, e.id, this.queuedId)) return false;
    this.queuedId = e.id;
    this.queuedQueue = e.queueId;
    this.queuedChannel = e.channel;
    return true;
  }

  /**
   * A leave of the queue: answered (by `agent`), abandoned or dequeued (agent ''). The kind is the
   * literal, not the event's copy of it: a parsed string this long is not interned, and the engine
   * compares the kind a few times for each later event.
   */
  offerLeave(e: EventOf<LeaveKind>, kind: LeaveKind, agent: string): boolean {
    const ts = e.ts;
    if (!this.first(C.leaveTs, ts, e.id, this.leaveId)) return false;
    this.leaveId = e.id;
    this.leaveType = kind;
    this.leaveAgent = agent;
    return true;
  }

  offerEnded(e: EventOf<'contact.ended'>): boolean {
    const ts = e.ts;
    if (!this.first(C.endedTs, ts, e.id, this.endedId)) return false;
    this.endedId = e.id;
    this.nums[this.row + C.endedHold] = e.holdMs;
    this.endedAcw = e.acw;
    return true;
  }

  offerAcwEnded(e: EventOf<'contact.acw_ended'>): boolean {
    const ts = e.ts;
    if (!this.first(C.acwEndedTs, ts, e.id, this.acwEndedId)) return false;
    this.acwEndedId = e.id;
    return true;
  }

  offerRated(e: EventOf<'contact.rated'>): boolean {
    const ts = e.ts;
    if (!this.first(C.ratedTs, ts, e.id, this.ratedId)) return false;
    this.ratedId = e.id;
    this.nums[this.row + C.ratedCsat] = e.csat;
    return true;
  }

  /**
   * Notes an event of the kind whose time is column `col` (its id `id`, the kind's current first
   * `holderId`) and, when it comes first, makes its time the kind's: whether it did.
   */
  private first(col: number, ts: number, id: string, holderId: string): boolean {
    const nums = this.nums;
    const r = this.row;
    noteLast(nums, r, ts);
    if (!wins(ts, id, nums[r + col]!, holderId)) return false;
    nums[r + col] = ts;
    return true;
  }

  /** Neither waiting nor open with an agent: only a late event could still change it. */
  isClosed(): boolean {
    return this.waitingIn === null && this.openWith === null;
  }

  /** Every field and number by name (a checkpoint's form, which `restore` reads back). */
  save(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...(this as object) };
    for (const k of ROW_FIELDS) delete out[k];
    for (const k of NUMBER_NAMES) out[k] = this.nums[this.row + C[k]];
    return out;
  }

  static restore(id: string, fields: Record<string, unknown>, table: ContactTable): Contact {
    const c = table.add(id);
    for (const [k, v] of Object.entries(fields)) {
      if (Object.hasOwn(C, k)) c.nums[c.row + C[k as keyof typeof C]] = v as number;
      else if (k !== 'id' && !ROW_FIELDS.includes(k)) (c as unknown as Record<string, unknown>)[k] = v;
    }
    return c;
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
