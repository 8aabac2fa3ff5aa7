/**
 * CounterSeries (src/engine/counter-series.ts) against a naive model: every contribution kept in a
 * map of seconds and a list of waits, windows summed by scanning. Random operations move the
 * frame (seconds to hours, across local midnights and DST changes), add counters at any time of
 * the last hour and before it (out of order), add and retract waits, and round-trip the series
 * through a JSON checkpoint; all three windows' sums and maximum waits must match after each step,
 * and so must the buckets the checkpoint holds.
 *
 * What the model leaves out holds by construction of the operations: counters are added at or
 * before `now`, so no bucket of a new day exists when the day rolls over (recounting `today` from
 * the retained buckets gives 0, as the model's scan does); waits are only added and retracted
 * inside the 60m window, where the series still holds them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterSeries, type CounterSeriesState } from '../../src/engine/counter-series.js';
import { WindowFrame } from '../../src/engine/window-frame.js';
import type { WindowName } from '../../src/protocol/index.js';
import { figures } from '../support/series-figures.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The oldest time (ms before now) still in the 60m window. */
const IN_60M = 3599 * SECOND;
const WIDTH = 3;

/** Every contribution ever made, by second, and every wait not retracted; windows by scanning. */
class Model {
  readonly counters = new Map<number, number[]>();
  readonly waits: { sec: number; ms: number }[] = [];

  constructor(private readonly frame: WindowFrame) {}

  inc(t: number, field: number, delta: number): void {
    const sec = Math.floor(t / SECOND);
    let v = this.counters.get(sec);
    if (!v) this.counters.set(sec, (v = new Array<number>(WIDTH).fill(0)));
    v[field]! += delta;
  }

  addWait(t: number, ms: number): void {
    this.waits.push({ sec: Math.floor(t / SECOND), ms });
  }

  private start(w: WindowName): number {
    return w === '15m' ? this.frame.start15 : w === '60m' ? this.frame.start60 : this.frame.todaySec;
  }

  window(w: WindowName): number[] {
    const sums = new Array<number>(WIDTH).fill(0);
    for (const [sec, v] of this.counters) if (sec >= this.start(w)) v.forEach((x, i) => (sums[i]! += x));
    return sums;
  }

  maxWait(w: WindowName): number {
    return this.waits.reduce((m, x) => (x.sec >= this.start(w) && x.ms > m ? x.ms : m), 0);
  }
}

/** Deep equality, checked cheaply first (the property compares thousands of states). */
function same(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, what).toEqual(expected);
}

/**
 * The buckets a series holds: in order of second, one for every second of the 60m window that was
 * given a contribution, each with exactly what the model holds for its second.
 */
function checkBuckets(st: CounterSeriesState, model: Model, start60: number, what: string): void {
  const waits = new Map<number, number[]>();
  for (const x of model.waits) {
    const own = waits.get(x.sec);
    if (own) own.push(x.ms);
    else waits.set(x.sec, [x.ms]);
  }
  const touched = [...new Set([...model.counters.keys(), ...waits.keys()])].filter((sec) => sec >= start60);
  const secs = [...new Set([...st.secs, ...touched])].sort((x, y) => x - y);
  const byMs = (x: number, y: number): number => x - y;
  same(
    { secs: st.secs, vals: st.vals, waits: st.waits.map((w) => [...(w ?? [])].sort(byMs)), bmax: st.bmax },
    {
      secs,
      vals: secs.flatMap((sec) => model.counters.get(sec) ?? new Array<number>(WIDTH).fill(0)),
      waits: secs.map((sec) => [...(waits.get(sec) ?? [])].sort(byMs)),
      bmax: secs.map((sec) => Math.max(0, ...(waits.get(sec) ?? []))),
    },
    `${what}: buckets`,
  );
}

function roundTrip(s: CounterSeries, frame: WindowFrame): CounterSeries {
  return CounterSeries.restore(s.width, frame, JSON.parse(JSON.stringify(s.save())) as CounterSeriesState);
}

type Op =
  | { op: 'advance'; ms: number }
  | { op: 'inc'; back: number; incs: { field: number; delta: number }[] }
  | { op: 'burst'; back: number; count: number; strideSec: number; field: number; delta: number; wait: number | null }
  | { op: 'wait'; back: number; ms: number }
  | { op: 'retract'; pick: number; largest: boolean }
  | { op: 'timezone'; timezone: string }
  | { op: 'roundTrip' }
  | { op: 'read' };

const fieldArb = fc.integer({ min: 0, max: WIDTH - 1 });
const deltaArb = fc.integer({ min: -3, max: 5 });
/**
 * Within 8 s of a rolling window's start (ms back from now): the seconds that time just moved
 * out of a window, which a series slides past only every so often (and on every read).
 */
const edgeArb = (upTo: number): fc.Arbitrary<number> =>
  fc.tuple(fc.constantFrom(15 * MINUTE, 60 * MINUTE), fc.integer({ min: -8 * SECOND, max: 8 * SECOND })).map(([w, d]) => Math.min(upTo, w + d));
/**
 * How far back (ms) a counter lands: mostly the last seconds, any time of the hour, near a
 * window's start, or before the hour.
 */
const backArb = fc.oneof(fc.integer({ min: 0, max: 5 * SECOND }), fc.integer({ min: 0, max: IN_60M }), edgeArb(61 * MINUTE), fc.integer({ min: IN_60M + 1, max: 2 * HOUR }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 3 * SECOND }), fc.integer({ min: 1, max: 20 }).map((m) => m * MINUTE + 17), fc.integer({ min: 0, max: 3 * HOUR })),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('inc' as const), back: backArb, incs: fc.array(fc.record({ field: fieldArb, delta: deltaArb }), { minLength: 1, maxLength: 3 }) }), weight: 5 },
  {
    arbitrary: fc.record({
      op: fc.constant('burst' as const),
      back: fc.integer({ min: 0, max: IN_60M }),
      count: fc.integer({ min: 1, max: 150 }),
      strideSec: fc.integer({ min: 1, max: 30 }),
      field: fieldArb,
      delta: deltaArb,
      wait: fc.option(fc.nat(600_000)),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant('wait' as const), back: fc.oneof(fc.integer({ min: 0, max: 5 * SECOND }), fc.integer({ min: 0, max: IN_60M }), edgeArb(IN_60M)), ms: fc.nat(600_000) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('retract' as const), pick: fc.nat(), largest: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('timezone' as const), timezone: fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Tokyo') }), weight: 1 },
  { arbitrary: fc.constant({ op: 'roundTrip' as const }), weight: 1 },
);

/** Shortly before a Paris midnight: an ordinary one, and the nights of both DST changes of 2026. */
const startArb = fc.tuple(
  fc.constantFrom(Date.UTC(2026, 5, 15, 21, 0), Date.UTC(2026, 2, 28, 22, 0), Date.UTC(2026, 9, 24, 21, 0)),
  fc.integer({ min: 0, max: 2 * HOUR }),
);

/**
 * Moves in seconds and contributions near the windows' starts: what lands in the seconds a window
 * has just left, before the series slides past them.
 */
const edgeOpArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4 * SECOND }) }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant('inc' as const), back: edgeArb(61 * MINUTE), incs: fc.array(fc.record({ field: fieldArb, delta: deltaArb }), { minLength: 1, maxLength: 2 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('wait' as const), back: edgeArb(IN_60M), ms: fc.nat(600_000) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('retract' as const), pick: fc.nat(), largest: fc.boolean() }), weight: 1 },
  { arbitrary: fc.constant({ op: 'roundTrip' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'read' as const }), weight: 2 },
);

describe('CounterSeries against a naive model', () => {
  it('agrees on every window after any sequence of moves, contributions, retractions and round trips', () => {
    fc.assert(fc.property(startArb, fc.array(opArb, { minLength: 1, maxLength: 150, size: 'max' }), (start, ops) => checkAgainstModel(start, ops, true)), { numRuns: 200 });
  });

  // Reading a window slides the series: here only some steps read, so contributions land while it lags.
  it('agrees near the windows\' starts while time moves by seconds', () => {
    fc.assert(fc.property(startArb, fc.array(edgeOpArb, { minLength: 1, maxLength: 150, size: 'max' }), (start, ops) => checkAgainstModel(start, ops, false)), { numRuns: 200 });
  });
});

/**
 * Applies the ops to a series, to a series round-tripped through checkpoints and to the model,
 * comparing them after every step (`everyStep`) or after `read` ops and the last step.
 */
function checkAgainstModel([base, offset]: [number, number], ops: Op[], everyStep: boolean): void {
  const frame = new WindowFrame('Europe/Paris', base + offset);
  const model = new Model(frame);
  const live = new CounterSeries(WIDTH, frame);
  let restored = new CounterSeries(WIDTH, frame);
  for (const [step, o] of ops.entries()) {
    const now = frame.now;
    switch (o.op) {
      case 'advance':
        frame.advance(now + o.ms);
        break;
      case 'inc':
        for (const s of [live, restored]) {
          const at = s.at(now - o.back);
          for (const { field, delta } of o.incs) expect(at.inc(field, delta)).toBe(s);
        }
        for (const { field, delta } of o.incs) model.inc(now - o.back, field, delta);
        break;
      case 'burst':
        // Seconds newest first: each bucket after the first lands before the existing ones.
        for (let i = 0; i < o.count; i++) {
          const t = now - o.back - i * o.strideSec * SECOND;
          if (t < now - IN_60M) break;
          for (const s of [live, restored]) s.at(t).inc(o.field, o.delta);
          model.inc(t, o.field, o.delta);
          if (o.wait === null) continue;
          for (const s of [live, restored]) s.addWait(t, o.wait + i, 1);
          model.addWait(t, o.wait + i);
        }
        break;
      case 'wait':
        for (const s of [live, restored]) s.addWait(now - o.back, o.ms, 1);
        model.addWait(now - o.back, o.ms);
        break;
      case 'retract': {
        const retained = model.waits.filter((x) => x.sec >= frame.start60);
        // The largest makes the windows' maximum unknown until recounted.
        const x = o.largest ? retained.reduce<(typeof retained)[number] | undefined>((m, y) => (!m || y.ms > m.ms ? y : m), undefined) : retained[o.pick % Math.max(1, retained.length)];
        if (!x) break;
        // Any time within the wait's second.
        const t = x.sec * SECOND + (o.pick % SECOND);
        for (const s of [live, restored]) s.addWait(t, x.ms, -1);
        model.waits.splice(model.waits.indexOf(x), 1);
        break;
      }
      case 'timezone':
        frame.setTimezone(o.timezone);
        break;
      case 'roundTrip':
        restored = roundTrip(restored, frame);
        break;
      case 'read':
        break;
    }
    if (!everyStep && o.op !== 'read' && step < ops.length - 1) continue;
    const expected = figures(model);
    for (const [s, name] of [[live, 'live'], [restored, 'restored']] as const) {
      const what = `${name} series after step ${step} (${o.op})`;
      same(figures(s), expected, what);
      checkBuckets(s.save(), model, frame.start60, what);
    }
  }
}

describe('CounterSeries that takes no waits', () => {
  it('holds the same buckets and sums as one that does, in rows without a maximum wait', () => {
    fc.assert(
      fc.property(startArb, fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), ([base, offset], ops) => {
        const frame = new WindowFrame('Europe/Paris', base + offset);
        const withWaits = new CounterSeries(WIDTH, frame);
        let without = new CounterSeries(WIDTH, frame, 16, false);
        for (const o of ops) {
          const now = frame.now;
          if (o.op === 'advance') frame.advance(now + o.ms);
          else if (o.op === 'timezone') frame.setTimezone(o.timezone);
          else if (o.op === 'roundTrip') without = CounterSeries.restore(WIDTH, frame, JSON.parse(JSON.stringify(without.save())) as CounterSeriesState, 16, false);
          else if (o.op === 'inc') for (const s of [withWaits, without]) for (const { field, delta } of o.incs) s.at(now - o.back).inc(field, delta);
          else if (o.op === 'burst') {
            for (let i = 0; i < o.count && now - o.back - i * o.strideSec * SECOND >= now - IN_60M; i++) {
              for (const s of [withWaits, without]) s.at(now - o.back - i * o.strideSec * SECOND).inc(o.field, o.delta);
            }
          }
          for (const w of ['15m', '60m', 'today'] as const) same(Array.from(without.window(w)), Array.from(withWaits.window(w)), `${w} after ${o.op}`);
          const [a, b] = [without.save(), withWaits.save()];
          same({ secs: a.secs, vals: a.vals, sums: a.sums }, { secs: b.secs, vals: b.vals, sums: b.sums }, `buckets after ${o.op}`);
        }
        expect(() => without.addWait(frame.now, 1000, 1)).toThrow(/holds no waits/);
        expect(() => without.maxWait('15m')).toThrow(/holds no waits/);
      }),
      { numRuns: 100 },
    );
  });
});

describe('CounterSeries edges', () => {
  const t0 = Date.UTC(2026, 5, 15, 10, 0);

  it('keeps the window cursors on their buckets when a bucket is inserted before them', () => {
    const frame = new WindowFrame('UTC', t0);
    const s = new CounterSeries(2, frame);
    s.at(t0 - 20 * MINUTE).inc(0, 1);
    s.addWait(t0 - 20 * MINUTE, 700, 1);
    s.at(t0 - MINUTE).inc(0, 10);
    s.addWait(t0 - MINUTE, 300, 1);
    frame.advance(t0 + SECOND);
    expect(Array.from(s.window('15m'))).toEqual([10, 0]);
    expect(s.maxWait('15m')).toBe(300);
    // Before both buckets, so before the first buckets of the 15m and the 60m windows.
    s.at(t0 - 50 * MINUTE).inc(0, 100).inc(1, 1);
    s.addWait(t0 - 50 * MINUTE, 900, 1);
    expect(Array.from(s.window('15m'))).toEqual([10, 0]);
    expect(Array.from(s.window('60m'))).toEqual([111, 1]);
    expect(s.maxWait('60m')).toBe(900);
    // The bucket a minute back leaves the 15m window, the inserted one the 60m window.
    frame.advance(t0 + 15 * MINUTE);
    expect(Array.from(s.window('15m'))).toEqual([0, 0]);
    expect(s.maxWait('15m')).toBe(0);
    expect(Array.from(s.window('60m'))).toEqual([11, 0]);
    expect(s.maxWait('60m')).toBe(700);
    expect(Array.from(s.window('today'))).toEqual([111, 1]);
    expect(s.maxWait('today')).toBe(900);
  });

  it('releases buckets older than the 60m window in place, with their waits, and keeps today whole', () => {
    const frame = new WindowFrame('UTC', t0);
    const s = new CounterSeries(1, frame);
    // Waits shrink with time, so the largest of today's are among the buckets released.
    for (let i = 0; i < 100; i++) {
      frame.advance(t0 + i * SECOND);
      s.at(frame.now).inc(0, 1);
      s.addWait(frame.now, 2000 - i, 1);
    }
    s.addWait(frame.now, 9999, 1);
    frame.advance(t0 + HOUR + 79 * SECOND);
    s.at(frame.now).inc(0, 5);
    s.addWait(frame.now, 50, 1);
    // The first 80 buckets are gone; the rest stay, each with its waits.
    const st = s.save();
    expect(st.secs).toHaveLength(21);
    expect(st.secs[0]).toBe(t0 / SECOND + 80);
    expect(st.waits.flatMap((w) => w ?? []).sort((a, b) => a - b)).toEqual([50, ...Array.from({ length: 20 }, (_, i) => 1901 + i), 9999]);
    expect(Array.from(s.window('60m'))).toEqual([25]);
    expect(Array.from(s.window('today'))).toEqual([105]);
    expect(s.maxWait('60m')).toBe(9999);
    expect(s.maxWait('today')).toBe(9999);
    // Retracting the largest wait: today's maximum is then one of the released buckets'.
    s.addWait(t0 + 99 * SECOND, 9999, -1);
    expect(s.maxWait('60m')).toBe(1920);
    expect(s.maxWait('today')).toBe(2000);
    // A late contribution to a released second reaches only `today`, and recreates nothing.
    s.at(t0 + 10 * SECOND).inc(0, 1);
    expect(s.save().secs).toHaveLength(21);
    expect(Array.from(s.window('60m'))).toEqual([25]);
    expect(Array.from(s.window('today'))).toEqual([106]);
    expect(roundTrip(s, frame).save()).toEqual(s.save());
  });

  it('grows past its initial capacity, in and out of order, and restores from a checkpoint', () => {
    const frame = new WindowFrame('UTC', t0);
    const s = new CounterSeries(3, frame);
    const secs: number[] = [];
    // Every other second of the last 50 minutes, newest first (each one inserted at the front),
    // then the seconds in between oldest first.
    for (let i = 0; i < 1500; i++) secs.push(t0 - 2 * i * SECOND);
    for (let i = 1499; i >= 0; i--) secs.push(t0 - (2 * i + 1) * SECOND);
    for (const [i, t] of secs.entries()) {
      s.at(t).inc(i % 3, i);
      s.addWait(t, i, 1);
    }
    const st = s.save();
    expect(st.secs).toHaveLength(3000);
    expect(st.secs).toEqual([...st.secs].sort((a, b) => a - b));
    const index = new Map(st.secs.map((sec, k) => [sec, k]));
    for (const [i, t] of secs.entries()) {
      const k = index.get(t / SECOND)!;
      expect(st.vals.slice(3 * k, 3 * k + 3)).toEqual([0, 1, 2].map((f) => (f === i % 3 ? i : 0)));
      expect(st.waits[k]).toEqual([i]);
      expect(st.bmax[k]).toBe(i);
    }
    const total = [0, 1, 2].map((f) => secs.reduce((sum, _t, i) => (i % 3 === f ? sum + i : sum), 0));
    expect(Array.from(s.window('60m'))).toEqual(total);
    expect(s.maxWait('60m')).toBe(2999);
    // 15 minutes on: what leaves the window leaves the sums.
    frame.advance(t0 + 15 * MINUTE);
    const back = roundTrip(s, frame);
    const left = [0, 1, 2].map((f) => secs.reduce((sum, t, i) => (i % 3 === f && t / SECOND < frame.start60 ? sum + i : sum), 0));
    expect(Array.from(back.window('60m'))).toEqual(total.map((x, f) => x - left[f]!));
    expect(figures(back)).toEqual(figures(s));
  });

  it('restores a checkpoint written before the series kept its buckets in typed arrays', () => {
    const frame = new WindowFrame('UTC', t0);
    const sec = t0 / SECOND;
    const st: CounterSeriesState = {
      secs: [sec - 30, sec - 10],
      vals: [1, 2, 3, 4],
      waits: [[500, 200], null],
      bmax: [500, 0],
      sums: { '15m': [4, 6], '60m': [4, 6], today: [4, 6] },
      maxes: { '15m': 500, '60m': 500, today: 500 },
      maxStale: { '15m': false, '60m': false, today: false },
      releasedTodayMax: 0,
      synced: [frame.start15, frame.start60, frame.todaySec, 0, 0],
    };
    const s = CounterSeries.restore(2, frame, st);
    expect(s.save()).toEqual(st);
    s.addWait(t0 - 30 * SECOND, 500, -1);
    expect(s.maxWait('15m')).toBe(200);
    s.at(t0 - 20 * SECOND).inc(1, 1);
    expect(Array.from(s.window('15m'))).toEqual([4, 7]);
  });
});
