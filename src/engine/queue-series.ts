import type { WindowName } from '../protocol/index.js';
import { CounterSeries, type CounterSeriesState } from './counter-series.js';
import { Q, QUEUE_WIDTH } from './counters.js';
import type { WindowFrame } from './window-frame.js';

/**
 * A queue's counters by the moment that settles them: when a contact is queued (offered), when it
 * leaves the queue (answered, abandoned or flowed out, with its wait), when it is handled, when it
 * is rated. A contribution lands in one of these at a time, so each keeps a series of its own
 * (with initial buckets for about a busy queue's hour): one series of all fifteen counters held a
 * row of fifteen for every second with any contribution, mostly zeros, and the queues' series were
 * the largest part of the engine's state. In the engine benchmark a queue's parts hold on average
 * 252, 249, 207 and 49 buckets at the end (dead ones awaiting compaction included).
 */
const PARTS: readonly { fields: readonly (keyof typeof Q)[]; initialBuckets: number }[] = [
  { fields: ['offered'], initialBuckets: 320 },
  { fields: ['answered', 'answeredInSl', 'abandoned', 'shortAbandoned', 'flowedOut', 'waitAnsweredMs', 'waitAbandonedMs'], initialBuckets: 320 },
  { fields: ['handled', 'talkMs', 'holdMs', 'acwMs'], initialBuckets: 256 },
  { fields: ['csatSum', 'csatCount', 'csatPositive'], initialBuckets: 64 },
];
/** The part that holds the waits of contacts that left (maximum wait): the only one whose rows hold one. */
const LEAVE = 1;
/** Each part's columns as Q fields, and each Q field's part and its column there. */
const FIELDS_OF = PARTS.map(({ fields }) => fields.map((f) => Q[f]));
const PART_OF = new Int8Array(QUEUE_WIDTH);
const COLUMN_OF = new Int8Array(QUEUE_WIDTH);
FIELDS_OF.forEach((fields, p) =>
  fields.forEach((field, c) => {
    PART_OF[field] = p;
    COLUMN_OF[field] = c;
  }),
);

/** A queue series in a checkpoint: its parts' series, in PARTS order. */
export type QueueSeriesState = CounterSeriesState[];

/** The counters of one queue (Q layout) with running sums for the 15m, 60m and today windows: see CounterSeries. */
export class QueueSeries {
  private readonly parts: CounterSeries[];
  /** The time given to `at`, and the parts already pointed at it (bit p: part p). */
  private t = 0;
  private pointed = 0;
  /** The sums `window` returns, in Q order. */
  private readonly sums = new Float64Array(QUEUE_WIDTH);

  constructor(frame: WindowFrame, parts?: CounterSeries[]) {
    this.parts = parts ?? PARTS.map((p, i) => new CounterSeries(p.fields.length, frame, p.initialBuckets, i === LEAVE));
  }

  static restore(frame: WindowFrame, st: QueueSeriesState): QueueSeries {
    return new QueueSeries(
      frame,
      PARTS.map((p, i) => CounterSeries.restore(p.fields.length, frame, st[i]!, p.initialBuckets, i === LEAVE)),
    );
  }

  save(): QueueSeriesState {
    return this.parts.map((p) => p.save());
  }

  /** Points the series at time t (ms); `inc` then adds to that second (a part is pointed when first added to). */
  at(t: number): this {
    this.t = t;
    this.pointed = 0;
    return this;
  }

  /** Adds `delta` to counter `field` (Q layout) at the time given to `at`. */
  inc(field: number, delta: number): this {
    const p = PART_OF[field]!;
    const part = this.parts[p]!;
    if ((this.pointed & (1 << p)) === 0) {
      part.at(this.t);
      this.pointed |= 1 << p;
    }
    part.inc(COLUMN_OF[field]!, delta);
    return this;
  }

  /** Adds (sign 1) or retracts (sign -1) a wait candidate for maxWaitMs at time t. */
  addWait(t: number, waitMs: number, sign: 1 | -1): void {
    // It may slide the part and move its buckets: a later `inc` points it again.
    this.pointed = 0;
    this.parts[LEAVE]!.addWait(t, waitMs, sign);
  }

  /** The running sums of a window in Q order: read-only, and only until the next `window` call on this series. */
  window(w: WindowName): Float64Array {
    const sums = this.sums;
    for (let p = 0; p < FIELDS_OF.length; p++) {
      const v = this.parts[p]!.window(w);
      const fields = FIELDS_OF[p]!;
      for (let c = 0; c < fields.length; c++) sums[fields[c]!] = v[c]!;
    }
    return sums;
  }

  maxWait(w: WindowName): number {
    return this.parts[LEAVE]!.maxWait(w);
  }
}
