import type { Channel } from '../events/index.js';
import type { ReleasedContactSaved } from './checkpoint.js';
import { wins, type RatingHolder } from './contact.js';

/** Numbers per entry: released at, rated at (NaN: none), csat. */
const NUMS = 3;
/** Names per entry (id, queue, channel, agent, rating's event id), one array of them per chunk. */
const REFS = 5;
const R_ID = 0;
const R_QUEUE = 1;
const R_CHANNEL = 2;
const R_AGENT = 3;
const R_RATED = 4;
/** Entries per chunk (a power of two). */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS;
const SLOT = CHUNK - 1;

/** A run of CHUNK entries: their names entry-major (an entry's on one cache line or two) and their numbers. */
class ReleasedChunk {
  readonly refs: (string | null)[] = new Array<string | null>(CHUNK * REFS).fill(null);
  readonly nums = new Float64Array(CHUNK * NUMS);
}

/**
 * The contacts released within the rating window, kept for late ratings (post-contact surveys):
 * where a rating goes (queue, channel, answering agent) and the rating each holds, in release
 * order. A busy tenant holds tens of thousands, so entries are rows of fixed-size chunks (an entry
 * is one Map entry, five slots of a chunk's names and a row of its numbers) rather than an object
 * each with its numbers boxed: the collector marks far fewer objects. Chunks are appended as the
 * store fills and dropped from the front as it forgets, never copied: a store that grew by copying
 * its columns left every outgrown copy to the old generation (~25 MB a benchmark run), and the
 * store's oldest chunk, once forgotten, serves as its next. Queue and agent names should be the
 * engine's own strings, so entries share them.
 *
 * The id index may be the owner's own: the engine keeps its open contacts and its released ones in
 * one Map (a Contact, or an entry's sequence number), so that a new contact costs one lookup and a
 * release overwrites a value instead of deleting one key and inserting another.
 */
export class ReleasedContacts {
  /** Sequence number of the first entry of chunks[0]: entry index = seq - base. */
  private base = 0;
  /** Entries [head, size) are held, oldest first (indices from base). */
  private head = 0;
  private size = 0;
  private readonly chunks: ReleasedChunk[] = [];
  /** A forgotten chunk kept to serve as the next one. */
  private spare: ReleasedChunk | null = null;
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
    if (i >> CHUNK_BITS === this.chunks.length) {
      this.chunks.push(this.spare ?? new ReleasedChunk());
      this.spare = null;
    }
    const chunk = this.chunks[i >> CHUNK_BITS]!;
    const r = (i & SLOT) * REFS;
    const refs = chunk.refs;
    refs[r + R_ID] = id;
    refs[r + R_QUEUE] = queue;
    refs[r + R_CHANNEL] = channel;
    refs[r + R_AGENT] = agent;
    refs[r + R_RATED] = rating.id;
    const n = (i & SLOT) * NUMS;
    chunk.nums[n] = releasedAt;
    chunk.nums[n + 1] = rating.at;
    chunk.nums[n + 2] = rating.csat;
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
    const { refs, nums } = this.chunks[i >> CHUNK_BITS]!;
    const r = (i & SLOT) * REFS;
    const n = (i & SLOT) * NUMS;
    if (!wins(e.ts, e.id, nums[n + 1]!, refs[r + R_RATED]!)) return false;
    if (!Number.isNaN(nums[n + 1]!)) apply(this.holderOf(i), -1);
    nums[n + 1] = e.ts;
    nums[n + 2] = e.csat;
    refs[r + R_RATED] = e.id;
    apply(this.holderOf(i), 1);
    return true;
  }

  /** Forgets the entries released at or before `t`. */
  forgetUntil(t: number): void {
    while (this.head < this.size) {
      const { refs, nums } = this.chunks[this.head >> CHUNK_BITS]!;
      if (nums[(this.head & SLOT) * NUMS]! > t) break;
      this.index.delete(refs[(this.head & SLOT) * REFS + R_ID]!);
      this.head++;
    }
    // Whole chunks forgotten are dropped; the last one is kept (names cleared) to serve as the next.
    while (this.head >= CHUNK) {
      const gone = this.chunks.shift()!;
      gone.refs.fill(null);
      this.spare = gone;
      this.head -= CHUNK;
      this.size -= CHUNK;
      this.base += CHUNK;
    }
  }

  save(): ReleasedContactSaved[] {
    const out: ReleasedContactSaved[] = [];
    for (let i = this.head; i < this.size; i++) {
      const { refs, nums } = this.chunks[i >> CHUNK_BITS]!;
      const r = (i & SLOT) * REFS;
      const n = (i & SLOT) * NUMS;
      out.push({
        id: refs[r + R_ID]!,
        queueId: refs[r + R_QUEUE]!,
        channel: refs[r + R_CHANNEL] as Channel,
        agentId: refs[r + R_AGENT]!,
        releasedAt: nums[n]!,
        rating: { at: nums[n + 1]!, id: refs[r + R_RATED]!, csat: nums[n + 2]! },
      });
    }
    return out;
  }

  private holderOf(i: number): RatingHolder {
    const { refs, nums } = this.chunks[i >> CHUNK_BITS]!;
    const r = (i & SLOT) * REFS;
    const n = (i & SLOT) * NUMS;
    const h = this.holder;
    h.ratedAt = nums[n + 1]!;
    h.ratedQueue = refs[r + R_QUEUE]!;
    h.ratedChannel = refs[r + R_CHANNEL] as Channel;
    h.ratedAgent = refs[r + R_AGENT]!;
    h.csat = nums[n + 2]!;
    return h;
  }
}
