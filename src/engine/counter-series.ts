import type { WindowName } from '../protocol/index.js';
import type { WindowFrame } from './window-frame.js';

interface Bucket {
  sec: number;
  v: Float64Array;
  /** Waits of the contacts that left the queue in this second (for the non-additive maximum). */
  waits: number[] | null;
}

/**
 * Counters of one target (a queue or an agent) in sparse one-second buckets, with running sums
 * for the 15m, 60m and today windows. Contributions may be added and retracted at any time in
 * the past that is still retained, so late events land where they belong. Buckets older than the
 * 60m window are released: late events cannot reach them (the lateness bound is shorter).
 */
export class CounterSeries {
  private buckets: Bucket[] = [];
  private readonly sums: Record<WindowName, Float64Array>;
  private readonly maxes: Record<WindowName, number> = { '15m': 0, '60m': 0, today: 0 };
  private readonly maxStale: Record<WindowName, boolean> = { '15m': false, '60m': false, today: false };
  /** Largest wait of today's buckets already released. */
  private releasedTodayMax = 0;
  private generation: number;
  private synced15: number;
  private synced60: number;
  private syncedTodaySec: number;

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

  /** Adds `delta` to counter `field` at time t (ms). */
  add(t: number, field: number, delta: number): void {
    this.sync();
    const sec = Math.floor(t / 1000);
    const b = this.bucket(sec, true);
    if (b) b.v[field]! += delta;
    const f = this.frame;
    if (sec >= f.start15) this.sums['15m'][field]! += delta;
    if (sec >= f.start60) this.sums['60m'][field]! += delta;
    if (sec >= f.todaySec) this.sums.today[field]! += delta;
  }

  /** Adds (sign 1) or retracts (sign -1) a wait candidate for maxWaitMs at time t. */
  addWait(t: number, waitMs: number, sign: 1 | -1): void {
    this.sync();
    const sec = Math.floor(t / 1000);
    const b = this.bucket(sec, sign > 0);
    if (b) {
      const waits = (b.waits ??= []);
      if (sign > 0) waits.push(waitMs);
      else {
        const i = waits.indexOf(waitMs);
        if (i >= 0) waits.splice(i, 1);
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
      const from = w === '15m' ? this.frame.start15 : w === '60m' ? this.frame.start60 : this.frame.todaySec;
      let m = w === 'today' ? this.releasedTodayMax : 0;
      for (const b of this.buckets) {
        if (b.sec < from || !b.waits) continue;
        for (const x of b.waits) if (x > m) m = x;
      }
      this.maxes[w] = m;
      this.maxStale[w] = false;
    }
    return this.maxes[w];
  }

  /** True when nothing is retained (the target can be forgotten without changing a figure). */
  isEmpty(): boolean {
    this.sync();
    return this.buckets.length === 0;
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
      this.expire('15m', this.synced15, f.start15);
      this.synced15 = f.start15;
    }
    if (f.start60 > this.synced60) {
      this.expire('60m', this.synced60, f.start60);
      this.synced60 = f.start60;
    }
    if (f.todaySec !== this.syncedTodaySec) {
      // A new local day (or a new timezone): today is what the retained buckets hold since its start.
      this.syncedTodaySec = f.todaySec;
      const today = this.sums.today;
      today.fill(0);
      this.releasedTodayMax = 0;
      for (const b of this.buckets) {
        if (b.sec < f.todaySec) continue;
        for (let i = 0; i < this.width; i++) today[i]! += b.v[i]!;
      }
      this.maxStale.today = true;
    }
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop]!.sec < f.start60) {
      const b = this.buckets[drop]!;
      if (b.waits && b.sec >= f.todaySec) {
        for (const x of b.waits) if (x > this.releasedTodayMax) this.releasedTodayMax = x;
      }
      drop++;
    }
    if (drop > 0) this.buckets.splice(0, drop);
  }

  private expire(w: WindowName, from: number, to: number): void {
    const sums = this.sums[w];
    for (const b of this.buckets) {
      if (b.sec < from) continue;
      if (b.sec >= to) break;
      for (let i = 0; i < this.width; i++) sums[i]! -= b.v[i]!;
      if (b.waits && b.waits.length > 0) this.maxStale[w] = true;
    }
  }

  /** The bucket of a second; created in order when `create`, else undefined when absent. */
  private bucket(sec: number, create: boolean): Bucket | undefined {
    const bs = this.buckets;
    const n = bs.length;
    if (n > 0 && bs[n - 1]!.sec === sec) return bs[n - 1];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bs[mid]!.sec < sec) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && bs[lo]!.sec === sec) return bs[lo];
    // Seconds before the 60m window are never read again: do not resurrect them.
    if (!create || sec < this.frame.start60) return undefined;
    const b: Bucket = { sec, v: new Float64Array(this.width), waits: null };
    bs.splice(lo, 0, b);
    return b;
  }
}
