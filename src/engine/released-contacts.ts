import type { Channel } from '../events/index.js';
import type { ReleasedContactSaved } from './checkpoint.js';
import { wins, type RatingHolder } from './contact.js';
import { room } from './rows.js';

const INITIAL = 256;
/** Numbers per entry: released at, rated at (NaN: none), csat. */
const NUMS = 3;
/** Compact once this many entries at the front are forgotten and they are half of the store. */
const COMPACT_AT = 1024;

/**
 * The contacts released within the rating window, kept for late ratings (post-contact surveys):
 * where a rating goes (queue, channel, answering agent) and the rating each holds, in release
 * order. A busy tenant holds tens of thousands, so they are columns (an entry is one Map entry,
 * five array slots and a row of numbers) rather than an object each with its numbers boxed: the
 * collector marks far fewer objects. Queue and agent names should be the engine's own strings, so
 * entries share them.
 *
 * The id index may be the owner's own: the engine keeps its open contacts and its released ones in
 * one Map (a Contact, or an entry's sequence number), so that a new contact costs one lookup and a
 * release overwrites a value instead of deleting one key and inserting another.
 */
export class ReleasedContacts {
  /** Sequence number of entry 0 (entries are renumbered as the store compacts): index = seq - base. */
  private base = 0;
  /** Entries [head, size) are held, oldest first. */
  private head = 0;
  private size = 0;
  private ids: string[] = [];
  private queues: (string | null)[] = [];
  private channels: Channel[] = [];
  private agents: (string | null)[] = [];
  private ratedIds: string[] = [];
  private nums = new Float64Array(INITIAL * NUMS);
  /** The entry a rating is applied to or retracted from, as the engine reads it. */
  private readonly holder: RatingHolder = { ratedAt: NaN, ratedQueue: null, ratedChannel: 'voice', ratedAgent: null, csat: 0 };

  /**
   * `index`: maps each held id to its entry's sequence number (see `entryOf`); the store sets an
   * id when it adds the entry and deletes it when it forgets the entry, and reads nothing else.
   */
  constructor(private readonly index: Map<string, unknown> = new Map<string, number>()) {}

  get count(): number {
    return this.size - this.head;
  }

  add(id: string, queue: string | null, channel: Channel, agent: string | null, releasedAt: number, rating: { at: number; id: string; csat: number }): void {
    const i = this.size++;
    this.nums = room(this.nums, i + 1, NUMS);
    this.ids[i] = id;
    this.queues[i] = queue;
    this.channels[i] = channel;
    this.agents[i] = agent;
    this.ratedIds[i] = rating.id;
    this.nums[i * NUMS] = releasedAt;
    this.nums[i * NUMS + 1] = rating.at;
    this.nums[i * NUMS + 2] = rating.csat;
    this.index.set(id, this.base + i);
  }

  /** The entry of a released contact, or -1. */
  find(id: string): number {
    const seq = this.index.get(id);
    return typeof seq === 'number' ? this.entryOf(seq) : -1;
  }

  /** The entry of a sequence number the index holds. */
  entryOf(seq: number): number {
    return seq - this.base;
  }

  /**
   * Takes a late rating for entry `i` if it is the contact's first: `apply` retracts the rating
   * held (sign -1), if any, then adds the new one (sign 1). False when it changes nothing.
   */
  rate(i: number, e: { ts: number; id: string; csat: number }, apply: (h: RatingHolder, sign: 1 | -1) => void): boolean {
    const nums = this.nums;
    if (!wins(e.ts, e.id, nums[i * NUMS + 1]!, this.ratedIds[i]!)) return false;
    if (!Number.isNaN(nums[i * NUMS + 1]!)) apply(this.holderOf(i), -1);
    nums[i * NUMS + 1] = e.ts;
    nums[i * NUMS + 2] = e.csat;
    this.ratedIds[i] = e.id;
    apply(this.holderOf(i), 1);
    return true;
  }

  /** Forgets the entries released at or before `t`. */
  forgetUntil(t: number): void {
    while (this.head < this.size && this.nums[this.head * NUMS]! <= t) {
      this.index.delete(this.ids[this.head]!);
      this.head++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.size) {
      const h = this.head;
      for (const column of [this.ids, this.queues, this.channels, this.agents, this.ratedIds]) column.splice(0, h);
      this.nums.copyWithin(0, h * NUMS, this.size * NUMS);
      this.size -= h;
      this.base += h;
      this.head = 0;
    }
  }

  save(): ReleasedContactSaved[] {
    const out: ReleasedContactSaved[] = [];
    for (let i = this.head; i < this.size; i++) {
      out.push({
        id: this.ids[i]!,
        queueId: this.queues[i]!,
        channel: this.channels[i]!,
        agentId: this.agents[i]!,
        releasedAt: this.nums[i * NUMS]!,
        rating: { at: this.nums[i * NUMS + 1]!, id: this.ratedIds[i]!, csat: this.nums[i * NUMS + 2]! },
      });
    }
    return out;
  }

  private holderOf(i: number): RatingHolder {
    const h = this.holder;
    h.ratedAt = this.nums[i * NUMS + 1]!;
    h.ratedQueue = this.queues[i]!;
    h.ratedChannel = this.channels[i]!;
    h.ratedAgent = this.agents[i]!;
    h.csat = this.nums[i * NUMS + 2]!;
    return h;
  }
}
