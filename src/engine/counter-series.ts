import type { WindowName } from '../protocol/index.js';
import type { WindowFrame } from './window-frame.js';

const COMPACT_AT = 64;

export interface CounterSeriesState {
  secs: number[];
  vals: number[];
  waits: (number[] | null)[];
  bmax: number[];
  sums: Record<WindowName, number[]>;
  maxes: Record<WindowName, number>;
  maxStale: Record<WindowName, boolean>;
  releasedTodayMax: number;
  synced: [number, number, number, number, number];
}

/**
 * Counters of one target (a queue or an agent) in sparse one-second buckets, with running sums
 * for the 15m, 60m and today windows. Contributions may be added and retracted at any time in
 * the past that is still retained, so late events land where they belong. Buckets older than the
 * 60m window are released: late events cannot reach them (the lateness bound is shorter).
 *
 * Buckets are parallel flat arrays (seconds, values, waits) rather than objects, and each rolling
 * window keeps a cursor to its first bucket, so sliding costs only the seconds that leave it.
 */
export class CounterSeries {
  private secs: number[] = [];
  private vals: number[] = [];
  /** Waits of the contacts that left the queue in each second (for the non-additive maximum), and their max. */
  private waits: (number[] | null)[] = [];
  private bmax: number[] = [];
  private readonly sums: Record<WindowName, Float64Array>;
  private readonly maxes: Record<WindowName, number> = { '15m': 0, '60m': 0, today: 0 };
  private readonly maxStale: Record<WindowName, boolean> = { '15m': false, '60m': false, today: false };
  /** Largest wait of today's buckets already released. */
  private releasedTodayMax = 0;
  private generation: number;
  /** Window starts the sums reflect, and the index of the first bucket inside each rolling window. */
  private synced15: number;
  private synced60: number;
  private syncedTodaySec: number;
  private first15 = 0;
  private first60 = 0;
  /** Target of `inc`: bucket index (-1: not retained) and which windows it lies in. */
  private cursor = -1;
  private in15 = false;
  private in60 = false;
  private inToday = false;

  constructor(
    readonly width: number,
    private readonly frame: WindowFrame,
  ) {
    this.sums = { '15m': new Float64Array(width), '60m': new Float64Array(width), today: new Float64Array(width) };
    this.generation = frame.generation;
    this.synced15 = frame.start15;
    this.synced60 = frame.start60;
    this.syncedTodaySec = frame.todaySec;
  }

  /** The series' state, for a checkpoint (plain data; shares nothing with the series). */
  save(): CounterSeriesState {
    return {
      secs: [...this.secs],
      vals: [...this.vals],
      waits: this.waits.map((w) => (w ? [...w] : null)),
      bmax: [...this.bmax],
      sums: { '15m': [...this.sums['15m']], '60m': [...this.sums['60m']], today: [...this.sums.today] },
      maxes: { ...this.maxes },
      maxStale: { ...this.maxStale },
      releasedTodayMax: this.releasedTodayMax,
      synced: [this.synced15, this.synced60, this.syncedTodaySec, this.first15, this.first60],
    };
  }

  /** A series from a checkpoint; it catches up with the frame on first use. */
  static restore(width: number, frame: WindowFrame, st: CounterSeriesState): CounterSeries {
    const s = new CounterSeries(width, frame);
    s.secs = [...st.secs];
    s.vals = [...st.vals];
    s.waits = st.waits.map((w) => (w ? [...w] : null));
    s.bmax = [...st.bmax];
    for (const w of ['15m', '60m', 'today'] as const) {
      s.sums[w].set(st.sums[w]);
      s.maxes[w] = st.maxes[w];
      s.maxStale[w] = st.maxStale[w];
    }
    s.releasedTodayMax = st.releasedTodayMax;
    [s.synced15, s.synced60, s.syncedTodaySec, s.first15, s.first60] = st.synced;
    s.generation = -1;
    return s;
  }

  /** Points the series at time t (ms); `inc` then adds to that second. */
  at(t: number): this {
    this.sync();
    const sec = Math.floor(t / 1000);
    const f = this.frame;
    this.cursor = this.bucket(sec, true);
    this.in15 = sec >= f.start15;
    this.in60 = sec >= f.start60;
    this.inToday = sec >= f.todaySec;
    return this;
  }

  /** Adds `delta` to counter `field` at the time given to `at`. */
  inc(field: number, delta: number): this {
    if (this.cursor >= 0) this.vals[this.cursor * this.width + field]! += delta;
    if (this.in15) this.sums['15m'][field]! += delta;
    if (this.in60) this.sums['60m'][field]! += delta;
    if (this.inToday) this.sums.today[field]! += delta;
    return this;
  }

  /** Adds (sign 1) or retracts (sign -1) a wait candidate for maxWaitMs at time t. */
  addWait(t: number, waitMs: number, sign: 1 | -1): void {
    this.sync();
    const sec = Math.floor(t / 1000);
    const k = this.bucket(sec, sign > 0);
    if (k >= 0) {
      const list = (this.waits[k] ??= []);
      if (sign > 0) {
        list.push(waitMs);
        if (waitMs > this.bmax[k]!) this.bmax[k] = waitMs;
      } else {
        const i = list.indexOf(waitMs);
        if (i >= 0) list.splice(i, 1);
        if (waitMs >= this.bmax[k]!) this.bmax[k] = list.length === 0 ? 0 : Math.max(...list);
      }
    }
    const f = this.frame;
    this.touchMax('15m', sec >= f.start15, waitMs, sign);
    this.touchMax('60m', sec >= f.start60, waitMs, sign);
    this.touchMax('today', sec >= f.todaySec, waitMs, sign);
  }

  /** The running sums of a window (read-only view; do not keep across calls). */
  window(w: WindowName): Float64Array {
    this.sync();
    return this.sums[w];
  }

  maxWait(w: WindowName): number {
    this.sync();
    if (this.maxStale[w]) {
      const from = w === '15m' ? this.first15 : w === '60m' ? this.first60 : this.indexOf(this.frame.todaySec);
      let m = w === 'today' ? this.releasedTodayMax : 0;
      const bmax = this.bmax;
      for (let k = from; k < bmax.length; k++) if (bmax[k]! > m) m = bmax[k]!;
      this.maxes[w] = m;
      this.maxStale[w] = false;
    }
    return this.maxes[w];
  }

  private touchMax(w: WindowName, inside: boolean, waitMs: number, sign: 1 | -1): void {
    if (!inside || this.maxStale[w]) return;
    if (sign > 0) {
      if (waitMs > this.maxes[w]) this.maxes[w] = waitMs;
    } else if (waitMs >= this.maxes[w]) this.maxStale[w] = true;
  }

  /** Catches up with the frame: expires seconds that left the rolling windows, rolls the day over, releases old buckets. */
  private sync(): void {
    const f = this.frame;
    if (this.generation === f.generation) return;
    this.generation = f.generation;
    if (f.start15 > this.synced15) {
      this.first15 = this.expire('15m', this.first15, f.start15);
      this.synced15 = f.start15;
    }
    if (f.start60 > this.synced60) {
      this.first60 = this.expire('60m', this.first60, f.start60);
      this.synced60 = f.start60;
    }
    if (f.todaySec !== this.syncedTodaySec) {
      // A new local day (or a new timezone): today is what the retained buckets hold since its start.
      this.syncedTodaySec = f.todaySec;
      const today = this.sums.today;
      today.fill(0);
      this.releasedTodayMax = 0;
      for (let k = this.indexOf(f.todaySec); k < this.secs.length; k++) {
        for (let i = 0; i < this.width; i++) today[i]! += this.vals[k * this.width + i]!;
      }
      this.maxStale.today = true;
    }
    // Buckets before the 60m window are dead weight; compact once they are half the arrays, so
    // sliding stays O(1) amortised.
    const drop = this.first60;
    if (drop >= COMPACT_AT && drop * 2 >= this.secs.length) {
      for (let k = 0; k < drop; k++) {
        if (this.secs[k]! >= f.todaySec && this.bmax[k]! > this.releasedTodayMax) this.releasedTodayMax = this.bmax[k]!;
      }
      this.secs.splice(0, drop);
      this.vals.splice(0, drop * this.width);
      this.waits.splice(0, drop);
      this.bmax.splice(0, drop);
      this.first15 -= drop;
      this.first60 = 0;
    }
  }

  /** Subtracts buckets from index `k` while their second is before `to`; returns the new first index. */
  private expire(w: WindowName, k: number, to: number): number {
    const sums = this.sums[w];
    const width = this.width;
    for (; k < this.secs.length && this.secs[k]! < to; k++) {
      const base = k * width;
      for (let i = 0; i < width; i++) sums[i]! -= this.vals[base + i]!;
      // Only the window's maximum leaving it makes the maximum unknown.
      if (this.bmax[k]! >= this.maxes[w] && this.bmax[k]! > 0) this.maxStale[w] = true;
    }
    return k;
  }

  /** Index of the first bucket whose second is >= sec. */
  private indexOf(sec: number): number {
    const secs = this.secs;
    let lo = 0;
    let hi = secs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (secs[mid]! < sec) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of a second's bucket, created in order when `create`; -1 when absent or not retained. */
  private bucket(sec: number, create: boolean): number {
    const secs = this.secs;
    const n = secs.length;
    if (n > 0 && secs[n - 1] === sec) return n - 1;
    const k = n === 0 || secs[n - 1]! < sec ? n : this.indexOf(sec);
    if (k < n && secs[k] === sec) return k;
    // Seconds before the 60m window are never read again: do not resurrect them.
    if (!create || sec < this.frame.start60) return -1;
    const width = this.width;
    if (k === n) {
      secs.push(sec);
      for (let i = 0; i < width; i++) this.vals.push(0);
      this.waits.push(null);
      this.bmax.push(0);
    } else {
      secs.splice(k, 0, sec);
      this.vals.splice(k * width, 0, ...new Array<number>(width).fill(0));
      this.waits.splice(k, 0, null);
      this.bmax.splice(k, 0, 0);
    }
    // Keep the window cursors on the same buckets: a bucket inserted before one moves it along.
    if (sec < this.synced15) this.first15++;
    if (sec < this.synced60) this.first60++;
    return k;
  }
}
