import type { WindowName } from '../protocol/index.js';
import { room } from './rows.js';
import type { WindowFrame } from './window-frame.js';

const COMPACT_AT = 16;
/** How far (seconds) the windows may move before a contribution slides the sums after them. */
const SLIDE_SEC = 60;
/** Stands in for the waits of a series that holds none yet (never written: capacity 0). */
const NONE = new Float64Array(0);
/**
 * The head of a series' one array: the largest wait of each window (by window index), whether
 * each must be recomputed (0 or 1), then the running sums of the windows, field-major.
 */
const H_MAX = 0;
const H_STALE = 3;
const H_SUMS = 6;
/**
 * A bucket row: its second, the largest wait that left the queue in it (only in a series that
 * holds waits), then `width` values.
 */
const ROW_SEC = 0;
const ROW_MAX = 1;
/** Windows in WINDOW_NAMES order: the index of each in the sums and maxima. */
const W15 = 0;
const W60 = 1;
const WTODAY = 2;
const WINDOW_INDEX: Record<WindowName, number> = { '15m': W15, '60m': W60, today: WTODAY };
/** Scratch of `window`, by width. */
const GATHERED: Float64Array[] = [];

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
  /** Earliest second contributed to since the last `takeChangedFrom` (absent: none). */
  changedFromSec?: number;
}

/**
 * Counters of one target (a queue or an agent) in sparse one-second buckets, with running sums
 * for the 15m, 60m and today windows. Contributions may be added and retracted at any time in
 * the past that is still retained, so late events land where they belong. Buckets older than the
 * 60m window are released: late events cannot reach them (the lateness bound is shorter).
 *
 * The per-event path is bound by memory, not arithmetic (a busy hub's state far exceeds the
 * cache), so the layout minimises the objects and cache lines a contribution touches: the
 * window maxima, running sums and buckets are one typed array (a series first touched in a while
 * costs one object and its array, not one typed array per part); a bucket is one row (second, max
 * wait if the series takes waits, values), and the sums are field-major (`field * 3 + window`),
 * so one contribution updates one row and one line of sums. The array grows when full and is
 * compacted in place, so a series allocates nothing in steady state; each rolling window keeps a
 * cursor to its first bucket, so sliding costs only the seconds that leave it.
 */
export class CounterSeries {
  /** The head (see H_MAX) then buckets [0, n) in order of second, rows of `stride` numbers from `base`. */
  private n = 0;
  private data: Float64Array<ArrayBuffer>;
  private readonly base: number;
  private readonly stride: number;
  /** Offset of the values in a row: after the second, and the maximum wait if the series holds waits. */
  private readonly vals: number;
  /**
   * Waits of the contacts that left the queue (for the non-additive maximum), as (second, wait)
   * pairs [0, wn) of the retained buckets, in no order.
   */
  private wn = 0;
  private waits = NONE;
  /** Largest wait of today's buckets already released. */
  private releasedTodayMax = 0;
  private generation: number;
  /** Window starts the sums reflect, and the index of the first bucket inside each rolling window. */
  private synced15: number;
  private synced60: number;
  private syncedTodaySec: number;
  private first15 = 0;
  private first60 = 0;
  /** Earliest second contributed to since the last `takeChangedFrom` (rollups recount from there). */
  private changedFromSec = Infinity;
  /** Target of `inc`: offset of its bucket's values (-1: not retained) and which windows it lies in. */
  private cursor = -1;
  private in15 = false;
  private in60 = false;
  private inToday = false;

  /**
   * `initialBuckets`: capacity allocated with the first bucket, best what the series holds in
   * steady state (each growth allocates and copies a new array). Until then the series holds only
   * its head: a queue's part or an agent that is never contributed to costs no buckets.
   */
  constructor(
    readonly width: number,
    private readonly frame: WindowFrame,
    private readonly initialBuckets = 16,
    /** Whether it takes waits (`addWait`, `maxWait`): only then do its rows hold a maximum wait. */
    private readonly holdsWaits = true,
  ) {
    this.vals = holdsWaits ? ROW_MAX + 1 : ROW_MAX;
    this.stride = this.vals + width;
    this.base = H_SUMS + 3 * width;
    this.data = new Float64Array(this.base);
    this.generation = frame.generation;
    this.synced15 = frame.start15;
    this.synced60 = frame.start60;
    this.syncedTodaySec = frame.todaySec;
  }

  /** The series' state, for a checkpoint (plain data; shares nothing with the series). */
  save(): CounterSeriesState {
    const { n, width, stride, base, data } = this;
    const secs: number[] = [];
    const vals: number[] = [];
    const bmax: number[] = [];
    for (let k = 0; k < n; k++) {
      const r = base + k * stride;
      secs.push(data[r + ROW_SEC]!);
      bmax.push(this.holdsWaits ? data[r + ROW_MAX]! : 0);
      for (let i = 0; i < width; i++) vals.push(data[r + this.vals + i]!);
    }
    const waits: (number[] | null)[] = new Array<number[] | null>(n).fill(null);
    for (let j = 0; j < this.wn; j++) (waits[this.indexOf(this.waits[2 * j]!)] ??= []).push(this.waits[2 * j + 1]!);
    const window = (w: number): number[] => Array.from({ length: width }, (_, i) => data[H_SUMS + i * 3 + w]!);
    const stale = (w: number): boolean => data[H_STALE + w] === 1;
    return {
      secs,
      vals,
      waits,
      bmax,
      sums: { '15m': window(W15), '60m': window(W60), today: window(WTODAY) },
      maxes: { '15m': data[H_MAX + W15]!, '60m': data[H_MAX + W60]!, today: data[H_MAX + WTODAY]! },
      maxStale: { '15m': stale(W15), '60m': stale(W60), today: stale(WTODAY) },
      releasedTodayMax: this.releasedTodayMax,
      synced: [this.synced15, this.synced60, this.syncedTodaySec, this.first15, this.first60],
      ...(Number.isFinite(this.changedFromSec) ? { changedFromSec: this.changedFromSec } : {}),
    };
  }

  /** A series from a checkpoint; it catches up with the frame on first use. */
  static restore(width: number, frame: WindowFrame, st: CounterSeriesState, initialBuckets?: number, holdsWaits = true): CounterSeries {
    const s = new CounterSeries(width, frame, initialBuckets, holdsWaits);
    const n = st.secs.length;
    s.reserve(n);
    const data = s.data;
    for (let k = 0; k < n; k++) {
      const r = s.base + k * s.stride;
      data[r + ROW_SEC] = st.secs[k]!;
      if (holdsWaits) data[r + ROW_MAX] = st.bmax[k]!;
      for (let i = 0; i < width; i++) data[r + s.vals + i] = st.vals[k * width + i]!;
    }
    s.n = n;
    for (let k = 0; k < n; k++) for (const w of st.waits[k] ?? []) s.pushWait(st.secs[k]!, w);
    for (const w of ['15m', '60m', 'today'] as const) {
      const wi = WINDOW_INDEX[w];
      for (let i = 0; i < width; i++) data[H_SUMS + i * 3 + wi] = st.sums[w][i]!;
      data[H_MAX + wi] = st.maxes[w];
      data[H_STALE + wi] = st.maxStale[w] ? 1 : 0;
    }
    s.releasedTodayMax = st.releasedTodayMax;
    [s.synced15, s.synced60, s.syncedTodaySec, s.first15, s.first60] = st.synced;
    s.changedFromSec = st.changedFromSec ?? Infinity;
    s.generation = -1;
    return s;
  }

  /** Points the series at time t (ms); `inc` then adds to that second. */
  at(t: number): this {
    this.slide();
    const sec = Math.floor(t / 1000);
    const k = this.bucket(sec, true);
    this.cursor = k < 0 ? -1 : this.base + k * this.stride + this.vals;
    if (sec < this.changedFromSec) this.changedFromSec = sec;
    // The sums hold the windows from the starts they were last slid to: a retained second from
    // there on is in them (and leaves them when they next slide past it).
    this.in15 = k >= 0 && sec >= this.synced15;
    this.in60 = k >= 0 && sec >= this.synced60;
    this.inToday = sec >= this.syncedTodaySec;
    return this;
  }

  /** Adds `delta` to counter `field` at the time given to `at`. */
  inc(field: number, delta: number): this {
    const data = this.data;
    if (this.cursor >= 0) data[this.cursor + field]! += delta;
    const i = H_SUMS + field * 3;
    if (this.in15) data[i + W15]! += delta;
    if (this.in60) data[i + W60]! += delta;
    if (this.inToday) data[i + WTODAY]! += delta;
    return this;
  }

  /** Adds (sign 1) or retracts (sign -1) a wait candidate for maxWaitMs at time t. */
  addWait(t: number, waitMs: number, sign: 1 | -1): void {
    if (!this.holdsWaits) throw new Error('this counter series holds no waits');
    this.slide();
    const sec = Math.floor(t / 1000);
    const k = this.bucket(sec, sign > 0);
    if (k >= 0) {
      const at = this.base + k * this.stride + ROW_MAX;
      if (sign > 0) {
        this.pushWait(sec, waitMs);
        if (waitMs > this.data[at]!) this.data[at] = waitMs;
      } else {
        this.dropWait(sec, waitMs);
        if (waitMs >= this.data[at]!) this.data[at] = this.maxWaitOf(sec);
      }
    }
    this.touchMax(W15, k >= 0 && sec >= this.synced15, waitMs, sign);
    this.touchMax(W60, k >= 0 && sec >= this.synced60, waitMs, sign);
    this.touchMax(WTODAY, sec >= this.syncedTodaySec, waitMs, sign);
  }

  /**
   * The running sums of a window: read-only, and only until the next call on any series of the
   * same width (one scratch array per width serves them all).
   */
  window(w: WindowName): Float64Array {
    this.sync();
    const wi = WINDOW_INDEX[w];
    const out = (GATHERED[this.width] ??= new Float64Array(this.width));
    for (let i = 0; i < this.width; i++) out[i] = this.data[H_SUMS + i * 3 + wi]!;
    return out;
  }

  maxWait(w: WindowName): number {
    if (!this.holdsWaits) throw new Error('this counter series holds no waits');
    this.sync();
    const wi = WINDOW_INDEX[w];
    const data = this.data;
    if (data[H_STALE + wi] === 1) {
      const from = wi === W15 ? this.first15 : wi === W60 ? this.first60 : this.indexOf(this.frame.todaySec);
      let m = wi === WTODAY ? this.releasedTodayMax : 0;
      const { base, stride } = this;
      for (let k = from; k < this.n; k++) if (data[base + k * stride + ROW_MAX]! > m) m = data[base + k * stride + ROW_MAX]!;
      data[H_MAX + wi] = m;
      data[H_STALE + wi] = 0;
    }
    return data[H_MAX + wi]!;
  }

  /** The earliest time (ms) contributed to since the previous call (Infinity when none). */
  takeChangedFrom(): number {
    const sec = this.changedFromSec;
    this.changedFromSec = Infinity;
    return sec * 1000;
  }

  /**
   * The counters contributed at seconds [fromSec, toSec), summed into `out`; false when no
   * bucket lies there. Only seconds from the 60m window's start on are sure to be retained.
   */
  sumRange(fromSec: number, toSec: number, out: Float64Array): boolean {
    const { data, base, stride, width } = this;
    for (let i = 0; i < out.length; i++) out[i] = 0;
    let k = this.indexOf(fromSec);
    const first = k;
    for (; k < this.n && data[base + k * stride + ROW_SEC]! < toSec; k++) {
      const r = base + k * stride + this.vals;
      for (let i = 0; i < width; i++) out[i]! += data[r + i]!;
    }
    return k > first;
  }

  private touchMax(wi: number, inside: boolean, waitMs: number, sign: 1 | -1): void {
    const data = this.data;
    if (!inside || data[H_STALE + wi] === 1) return;
    if (sign > 0) {
      if (waitMs > data[H_MAX + wi]!) data[H_MAX + wi] = waitMs;
    } else if (waitMs >= data[H_MAX + wi]!) data[H_STALE + wi] = 1;
  }

  /**
   * Before a contribution: catches up with the frame once the windows have moved SLIDE_SEC or the
   * day has rolled over. Sliding a window subtracts the buckets that left it, rows written 15 and
   * 60 minutes earlier and long out of cache; doing it for every second the engine's time moves
   * (each log record, in a replay) cost a cold row per window and contribution. Reads (`window`,
   * `maxWait`, `sumRange`) catch up exactly.
   */
  private slide(): void {
    const f = this.frame;
    if (this.generation !== f.generation && (f.start15 - this.synced15 >= SLIDE_SEC || f.todaySec !== this.syncedTodaySec)) this.sync();
  }

  /** Catches up with the frame: expires seconds that left the rolling windows, rolls the day over, releases old buckets. */
  private sync(): void {
    const f = this.frame;
    if (this.generation === f.generation) return;
    this.generation = f.generation;
    if (f.start15 > this.synced15) {
      this.first15 = this.expire(W15, this.first15, f.start15);
      this.synced15 = f.start15;
    }
    if (f.start60 > this.synced60) {
      this.first60 = this.expire(W60, this.first60, f.start60);
      this.synced60 = f.start60;
    }
    const { width, stride, base, data } = this;
    if (f.todaySec !== this.syncedTodaySec) {
      // A new local day (or a new timezone): today is what the retained buckets hold since its start.
      this.syncedTodaySec = f.todaySec;
      for (let i = 0; i < width; i++) data[H_SUMS + i * 3 + WTODAY] = 0;
      this.releasedTodayMax = 0;
      for (let k = this.indexOf(f.todaySec); k < this.n; k++) {
        for (let i = 0; i < width; i++) data[H_SUMS + i * 3 + WTODAY]! += data[base + k * stride + this.vals + i]!;
      }
      data[H_STALE + WTODAY] = 1;
    }
    // Buckets before the 60m window are dead weight; compact once they are an eighth of the
    // buckets (and at least COMPACT_AT, so a small series does not compact for every bucket), so
    // the array stays near the live buckets' size and moving the live ones costs O(1) amortised
    // per bucket dropped.
    const drop = this.first60;
    const n = this.n;
    if (drop >= COMPACT_AT && drop * 8 >= n) {
      if (this.holdsWaits) {
        for (let k = 0; k < drop; k++) {
          const max = data[base + k * stride + ROW_MAX]!;
          if (data[base + k * stride + ROW_SEC]! >= f.todaySec && max > this.releasedTodayMax) this.releasedTodayMax = max;
        }
      }
      // Waits of the released buckets go too (buckets are in order of second).
      const lastDropped = data[base + (drop - 1) * stride + ROW_SEC]!;
      const waits = this.waits;
      let kept = 0;
      for (let j = 0; j < this.wn; j++) {
        if (waits[2 * j]! > lastDropped) {
          waits[2 * kept] = waits[2 * j]!;
          waits[2 * kept + 1] = waits[2 * j + 1]!;
          kept++;
        }
      }
      this.wn = kept;
      data.copyWithin(base, base + drop * stride, base + n * stride);
      this.n = n - drop;
      this.first15 -= drop;
      this.first60 = 0;
    }
  }

  /** Subtracts buckets from index `k` from window `wi` while their second is before `to`; returns the new first index. */
  private expire(wi: number, k: number, to: number): number {
    const { width, stride, base, data } = this;
    for (; k < this.n && data[base + k * stride + ROW_SEC]! < to; k++) {
      const r = base + k * stride;
      for (let i = 0; i < width; i++) data[H_SUMS + i * 3 + wi]! -= data[r + this.vals + i]!;
      // Only the window's maximum leaving it makes the maximum unknown.
      if (this.holdsWaits) {
        const max = data[r + ROW_MAX]!;
        if (max >= data[H_MAX + wi]! && max > 0) data[H_STALE + wi] = 1;
      }
    }
    return k;
  }

  /** Index of the first bucket whose second is >= sec. */
  private indexOf(sec: number): number {
    const { data, base, stride } = this;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (data[base + mid * stride + ROW_SEC]! < sec) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Room for at least `buckets` buckets after the head: the array grows by half (rows.ts), first to `initialBuckets`. */
  private reserve(buckets: number): void {
    this.data = room(this.data, this.base + buckets * this.stride, 1, this.base + this.initialBuckets * this.stride);
  }

  /** Index of a second's bucket, created in order when `create`; -1 when absent or not retained. */
  private bucket(sec: number, create: boolean): number {
    const n = this.n;
    const { stride, base } = this;
    let k = n;
    if (n > 0) {
      const last = this.data[base + (n - 1) * stride + ROW_SEC]!;
      if (last === sec) return n - 1;
      if (last > sec) {
        k = this.indexOf(sec);
        if (this.data[base + k * stride + ROW_SEC] === sec) return k;
      }
    }
    // Seconds before the 60m window are never read again: do not resurrect them.
    if (!create || sec < this.frame.start60) return -1;
    this.reserve(n + 1);
    const data = this.data;
    const r = base + k * stride;
    if (k < n) data.copyWithin(r + stride, r, base + n * stride);
    // A loop, not `fill`: a builtin call costs three times the few stores of a row.
    data[r + ROW_SEC] = sec;
    for (let i = r + 1; i < r + stride; i++) data[i] = 0;
    this.n = n + 1;
    // Keep the window cursors on the same buckets: a bucket inserted before one moves it along.
    if (sec < this.synced15) this.first15++;
    if (sec < this.synced60) this.first60++;
    return k;
  }

  private pushWait(sec: number, waitMs: number): void {
    // First as many entries as buckets: a series that holds waits holds about one a bucket
    // (growing from a few, a busy queue's waits were copied eight times an hour).
    this.waits = room(this.waits, this.wn + 1, 2, this.initialBuckets);
    this.waits[2 * this.wn] = sec;
    this.waits[2 * this.wn + 1] = waitMs;
    this.wn++;
  }

  /** Removes one entry of `waitMs` at `sec` (if any) by moving the last entry into its place. */
  private dropWait(sec: number, waitMs: number): void {
    const waits = this.waits;
    for (let j = this.wn - 1; j >= 0; j--) {
      if (waits[2 * j] === sec && waits[2 * j + 1] === waitMs) {
        const last = --this.wn;
        waits[2 * j] = waits[2 * last]!;
        waits[2 * j + 1] = waits[2 * last + 1]!;
        return;
      }
    }
  }

  /** Largest wait of the entries at `sec` (0 when none). */
  private maxWaitOf(sec: number): number {
    const waits = this.waits;
    let m = -Infinity;
    for (let j = 0; j < this.wn; j++) if (waits[2 * j] === sec && waits[2 * j + 1]! > m) m = waits[2 * j + 1]!;
    return m === -Infinity ? 0 : m;
  }
}
