import type { WindowName } from '../protocol/index.js';
import type { WindowFrame } from './window-frame.js';

const COMPACT_AT = 64;
/** Capacities (in buckets, and in wait entries) allocated on first use; buckets grow by half when full, waits double. */
const INITIAL_BUCKETS = 16;
const INITIAL_WAITS = 16;
/** Stands in for the arrays of a series that holds nothing yet (never written: capacity 0). */
const NONE = new Float64Array(0);

/**
 * A series in a checkpoint: its retained buckets (seconds, `width` values each, the waits that
 * left the queue in each second and their max), running sums and window cursors.
 */
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
 * Buckets live in typed arrays (seconds, values bucket-major, max wait) that grow when full and
 * are compacted in place, so a series allocates nothing in steady state; each rolling window keeps
 * a cursor to its first bucket, so sliding costs only the seconds that leave it.
 */
export class CounterSeries {
  /** Buckets [0, n) in order of second, in arrays of `cap` buckets. */
  private n = 0;
  private cap = 0;
  private secs = NONE;
  private vals = NONE;
  /** Largest wait of each bucket. */
  private bmax = NONE;
  /**
   * Waits of the contacts that left the queue (for the non-additive maximum), as (second, wait)
   * entries [0, wn) of the retained buckets, in no order; capacity `wcap`.
   */
  private wn = 0;
  private wcap = 0;
  private wsecs = NONE;
  private wms = NONE;
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
  /** Target of `inc`: offset of its bucket's values (-1: not retained) and which windows it lies in. */
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
    const n = this.n;
    const waits: (number[] | null)[] = new Array<number[] | null>(n).fill(null);
    for (let j = 0; j < this.wn; j++) (waits[this.indexOf(this.wsecs[j]!)] ??= []).push(this.wms[j]!);
    return {
      secs: Array.from(this.secs.subarray(0, n)),
      vals: Array.from(this.vals.subarray(0, n * this.width)),
      waits,
      bmax: Array.from(this.bmax.subarray(0, n)),
      sums: { '15m': Array.from(this.sums['15m']), '60m': Array.from(this.sums['60m']), today: Array.from(this.sums.today) },
      maxes: { ...this.maxes },
      maxStale: { ...this.maxStale },
      releasedTodayMax: this.releasedTodayMax,
      synced: [this.synced15, this.synced60, this.syncedTodaySec, this.first15, this.first60],
    };
  }

  /** A series from a checkpoint; it catches up with the frame on first use. */
  static restore(width: number, frame: WindowFrame, st: CounterSeriesState): CounterSeries {
    const s = new CounterSeries(width, frame);
    const n = st.secs.length;
    if (n > 0) {
      s.growBuckets(n);
      s.secs.set(st.secs);
      s.vals.set(st.vals);
      s.bmax.set(st.bmax);
      s.n = n;
    }
    for (let k = 0; k < n; k++) for (const w of st.waits[k] ?? []) s.pushWait(st.secs[k]!, w);
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
    const k = this.bucket(sec, true);
    this.cursor = k < 0 ? -1 : k * this.width;
    this.in15 = sec >= f.start15;
    this.in60 = sec >= f.start60;
    this.inToday = sec >= f.todaySec;
    return this;
  }

  /** Adds `delta` to counter `field` at the time given to `at`. */
  inc(field: number, delta: number): this {
    if (this.cursor >= 0) this.vals[this.cursor + field]! += delta;
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
      const bmax = this.bmax;
      if (sign > 0) {
        this.pushWait(sec, waitMs);
        if (waitMs > bmax[k]!) bmax[k] = waitMs;
      } else {
        this.dropWait(sec, waitMs);
        if (waitMs >= bmax[k]!) bmax[k] = this.maxWaitOf(sec);
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
      for (let k = from; k < this.n; k++) if (bmax[k]! > m) m = bmax[k]!;
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
    const width = this.width;
    const vals = this.vals;
    if (f.todaySec !== this.syncedTodaySec) {
      // A new local day (or a new timezone): today is what the retained buckets hold since its start.
      this.syncedTodaySec = f.todaySec;
      const today = this.sums.today;
      today.fill(0);
      this.releasedTodayMax = 0;
      for (let k = this.indexOf(f.todaySec); k < this.n; k++) {
        for (let i = 0; i < width; i++) today[i]! += vals[k * width + i]!;
      }
      this.maxStale.today = true;
    }
    // Buckets before the 60m window are dead weight; compact once they are half the buckets, so
    // sliding stays O(1) amortised.
    const drop = this.first60;
    const n = this.n;
    if (drop >= COMPACT_AT && drop * 2 >= n) {
      const secs = this.secs;
      const bmax = this.bmax;
      for (let k = 0; k < drop; k++) {
        if (secs[k]! >= f.todaySec && bmax[k]! > this.releasedTodayMax) this.releasedTodayMax = bmax[k]!;
      }
      // Waits of the released buckets go too (buckets are in order of second).
      const lastDropped = secs[drop - 1]!;
      const wsecs = this.wsecs;
      const wms = this.wms;
      let kept = 0;
      for (let j = 0; j < this.wn; j++) {
        if (wsecs[j]! > lastDropped) {
          wsecs[kept] = wsecs[j]!;
          wms[kept] = wms[j]!;
          kept++;
        }
      }
      this.wn = kept;
      secs.copyWithin(0, drop, n);
      vals.copyWithin(0, drop * width, n * width);
      bmax.copyWithin(0, drop, n);
      this.n = n - drop;
      this.first15 -= drop;
      this.first60 = 0;
    }
  }

  /** Subtracts buckets from index `k` while their second is before `to`; returns the new first index. */
  private expire(w: WindowName, k: number, to: number): number {
    const sums = this.sums[w];
    const width = this.width;
    const { secs, vals, bmax } = this;
    for (; k < this.n && secs[k]! < to; k++) {
      const base = k * width;
      for (let i = 0; i < width; i++) sums[i]! -= vals[base + i]!;
      // Only the window's maximum leaving it makes the maximum unknown.
      if (bmax[k]! >= this.maxes[w] && bmax[k]! > 0) this.maxStale[w] = true;
    }
    return k;
  }

  /** Index of the first bucket whose second is >= sec. */
  private indexOf(sec: number): number {
    const secs = this.secs;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (secs[mid]! < sec) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of a second's bucket, created in order when `create`; -1 when absent or not retained. */
  private bucket(sec: number, create: boolean): number {
    const n = this.n;
    let k = n;
    if (n > 0) {
      const last = this.secs[n - 1]!;
      if (last === sec) return n - 1;
      if (last > sec) {
        k = this.indexOf(sec);
        if (this.secs[k] === sec) return k;
      }
    }
    // Seconds before the 60m window are never read again: do not resurrect them.
    if (!create || sec < this.frame.start60) return -1;
    if (n === this.cap) this.growBuckets(n + 1);
    const width = this.width;
    const { secs, vals, bmax } = this;
    if (k < n) {
      secs.copyWithin(k + 1, k, n);
      vals.copyWithin((k + 1) * width, k * width, n * width);
      bmax.copyWithin(k + 1, k, n);
    }
    secs[k] = sec;
    vals.fill(0, k * width, (k + 1) * width);
    bmax[k] = 0;
    this.n = n + 1;
    // Keep the window cursors on the same buckets: a bucket inserted before one moves it along.
    if (sec < this.synced15) this.first15++;
    if (sec < this.synced60) this.first60++;
    return k;
  }

  /** Makes room for at least `min` buckets, growing the capacity by half (compaction keeps up to twice the live buckets). */
  private growBuckets(min: number): void {
    const cap = Math.max(Math.ceil(this.cap * 1.5), INITIAL_BUCKETS, min);
    const secs = new Float64Array(cap);
    const vals = new Float64Array(cap * this.width);
    const bmax = new Float64Array(cap);
    secs.set(this.secs);
    vals.set(this.vals);
    bmax.set(this.bmax);
    this.secs = secs;
    this.vals = vals;
    this.bmax = bmax;
    this.cap = cap;
  }

  private pushWait(sec: number, waitMs: number): void {
    if (this.wn === this.wcap) {
      const cap = Math.max(this.wcap * 2, INITIAL_WAITS);
      const wsecs = new Float64Array(cap);
      const wms = new Float64Array(cap);
      wsecs.set(this.wsecs);
      wms.set(this.wms);
      this.wsecs = wsecs;
      this.wms = wms;
      this.wcap = cap;
    }
    this.wsecs[this.wn] = sec;
    this.wms[this.wn] = waitMs;
    this.wn++;
  }

  /** Removes one entry of `waitMs` at `sec` (if any) by moving the last entry into its place. */
  private dropWait(sec: number, waitMs: number): void {
    const { wsecs, wms } = this;
    for (let j = this.wn - 1; j >= 0; j--) {
      if (wsecs[j] === sec && wms[j] === waitMs) {
        const last = --this.wn;
        wsecs[j] = wsecs[last]!;
        wms[j] = wms[last]!;
        return;
      }
    }
  }

  /** Largest wait of the entries at `sec` (0 when none). */
  private maxWaitOf(sec: number): number {
    const { wsecs, wms } = this;
    let m = -Infinity;
    for (let j = 0; j < this.wn; j++) if (wsecs[j] === sec && wms[j]! > m) m = wms[j]!;
    return m === -Infinity ? 0 : m;
  }
}
