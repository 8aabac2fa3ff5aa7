/**
 * QueueSeries (src/engine/queue-series.ts) keeps a queue's counters in four series, one per moment
 * that settles them. Against one CounterSeries of all fifteen counters (itself checked against a
 * naive model in counter-series.test.ts): random contributions to any counters at any time of the
 * last hour and before it, leaves with their waits (counters, the wait, then more counters at the
 * counters' time without pointing the series again), retractions, moves of the frame and
 * checkpoint round trips; every window's sums (in Q order) and maximum wait must match after each
 * step.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterSeries } from '../../src/engine/counter-series.js';
import { Q, QUEUE_WIDTH } from '../../src/engine/counters.js';
import { QueueSeries, type QueueSeriesState } from '../../src/engine/queue-series.js';
import { WindowFrame } from '../../src/engine/window-frame.js';
import { figures } from '../support/series-figures.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const IN_60M = 3599 * SECOND;

type Op =
  | { op: 'advance'; ms: number }
  | { op: 'inc'; back: number; incs: { field: number; delta: number }[] }
  | { op: 'leave'; back: number; wait: number; sign: 1 | -1; after: number }
  | { op: 'roundTrip' };

const backArb = fc.oneof(fc.integer({ min: 0, max: 5 * SECOND }), fc.integer({ min: 0, max: IN_60M }), fc.integer({ min: IN_60M + 1, max: 2 * HOUR }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 3 * SECOND }), fc.integer({ min: 0, max: 2 * HOUR })) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('inc' as const),
      back: backArb,
      incs: fc.array(fc.record({ field: fc.integer({ min: 0, max: QUEUE_WIDTH - 1 }), delta: fc.integer({ min: -3, max: 5 }) }), { minLength: 1, maxLength: 4 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ op: fc.constant('leave' as const), back: fc.integer({ min: 0, max: IN_60M }), wait: fc.nat(600_000), sign: fc.constantFrom(1 as const, -1 as const), after: fc.integer({ min: 0, max: 5 * SECOND }) }), weight: 3 },
  { arbitrary: fc.constant({ op: 'roundTrip' as const }), weight: 1 },
);

describe('QueueSeries against one series of every counter', () => {
  it('agrees on every window after any sequence of moves, contributions, leaves with waits and round trips', () => {
    const start = Date.UTC(2026, 9, 24, 21, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * HOUR }), fc.array(opArb, { minLength: 1, maxLength: 120 }), (offset, ops) => {
        const frame = new WindowFrame('Europe/Paris', start + offset);
        const reference = new CounterSeries(QUEUE_WIDTH, frame);
        let queue = new QueueSeries(frame);
        // Waits added and not yet retracted, so a retraction takes back one that was added.
        const waits: { t: number; ms: number }[] = [];
        for (const [step, o] of ops.entries()) {
          const now = frame.now;
          switch (o.op) {
            case 'advance':
              frame.advance(now + o.ms);
              break;
            case 'inc': {
              const t = now - o.back;
              reference.at(t);
              expect(queue.at(t)).toBe(queue);
              for (const { field, delta } of o.incs) {
                reference.inc(field, delta);
                expect(queue.inc(field, delta)).toBe(queue);
              }
              break;
            }
            case 'leave': {
              const kept = waits.filter((x) => x.t >= frame.start60 * SECOND);
              const w = o.sign > 0 ? { t: now - o.back, ms: o.wait } : kept[o.wait % Math.max(1, kept.length)];
              if (!w) break;
              if (o.sign > 0) waits.push(w);
              else waits.splice(waits.indexOf(w), 1);
              // A leave's counters, its wait (up to 5 s earlier: the wait may add a bucket before the
              // counters' one), then more counters without pointing the series again.
              const t = Math.min(now, w.t + o.after);
              reference.at(t).inc(Q.answered, o.sign);
              queue.at(t).inc(Q.answered, o.sign);
              reference.addWait(w.t, w.ms, o.sign);
              queue.addWait(w.t, w.ms, o.sign);
              reference.at(t).inc(Q.waitAnsweredMs, o.sign * w.ms);
              queue.inc(Q.waitAnsweredMs, o.sign * w.ms);
              break;
            }
            case 'roundTrip':
              queue = QueueSeries.restore(frame, JSON.parse(JSON.stringify(queue.save())) as QueueSeriesState);
              break;
          }
          expect(figures(queue), `after step ${step}: ${JSON.stringify(o)}`).toEqual(figures(reference));
        }
      }),
      { numRuns: 200 },
    );
  });
});
