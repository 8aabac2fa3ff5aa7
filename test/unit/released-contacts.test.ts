/**
 * ReleasedContacts (src/engine/released-contacts.ts) against a plain list of entries: random
 * releases, late ratings (first rating wins, by time then id) and forgetting, in numbers that fill
 * many chunks (256 entries each), drop them and reuse the forgotten one; every step, each id is found exactly when the model holds it, and
 * what the late ratings add and retract sums to the model's (a rating held at release was counted
 * by the engine already, so only its retraction shows).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RatingHolder } from '../../src/engine/contact.js';
import { ReleasedContacts } from '../../src/engine/released-contacts.js';

interface Entry {
  id: string;
  queue: string | null;
  agent: string | null;
  releasedAt: number;
  rating: { at: number; id: string; csat: number };
}

type Op =
  | { kind: 'release'; n: number; rated: boolean }
  | { kind: 'rate'; pick: number; ts: number; id: string; csat: number }
  | { kind: 'forget'; age: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('release' as const), n: fc.integer({ min: 1, max: 900 }), rated: fc.boolean() }),
  fc.record({
    kind: fc.constant('rate' as const),
    pick: fc.nat(),
    ts: fc.integer({ min: 0, max: 5 }),
    id: fc.constantFrom('r1', 'r2', 'r3'),
    csat: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({ kind: fc.constant('forget' as const), age: fc.integer({ min: 0, max: 3000 }) }),
);

/** Sum of the ratings counted, per queue, as the engine's counters would hold them. */
function tally(into: Map<string, number>, h: RatingHolder, sign: number): void {
  const key = `${h.ratedQueue}|${h.ratedAgent}|${h.ratedChannel}`;
  into.set(key, (into.get(key) ?? 0) + sign * h.csat);
}

describe('ReleasedContacts', () => {
  it('finds, rates and forgets exactly as a plain list of entries does, across chunks dropped and reused', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), (ops) => {
        const store = new ReleasedContacts();
        let model: Entry[] = [];
        const counted = new Map<string, number>();
        const expected = new Map<string, number>();
        let now = 0;
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'release') {
            for (let k = 0; k < o.n; k++) {
              now += 1;
              const e: Entry = {
                id: `c${next++}`,
                queue: next % 3 === 0 ? null : `q${next % 5}`,
                agent: next % 4 === 0 ? null : `a${next % 7}`,
                releasedAt: now,
                rating: o.rated ? { at: 3, id: 'r2', csat: 4 } : { at: NaN, id: '', csat: 0 },
              };
              model.push(e);
              store.add(e.id, e.queue, 'chat', e.agent, e.releasedAt, e.rating);
            }
          } else if (o.kind === 'rate') {
            if (model.length === 0) continue;
            const e = model[o.pick % model.length]!;
            const first = Number.isNaN(e.rating.at) || o.ts < e.rating.at || (o.ts === e.rating.at && o.id < e.rating.id);
            const i = store.find(e.id);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(store.rate(i, { ts: o.ts, id: o.id, csat: o.csat }, (h, sign) => tally(counted, h, sign))).toBe(first);
            if (first) {
              const h = { ratedQueue: e.queue, ratedChannel: 'chat' as const, ratedAgent: e.agent };
              if (!Number.isNaN(e.rating.at)) tally(expected, { ...h, ratedAt: e.rating.at, csat: e.rating.csat }, -1);
              e.rating = { at: o.ts, id: o.id, csat: o.csat };
              tally(expected, { ...h, ratedAt: o.ts, csat: o.csat }, 1);
            }
          } else {
            const until = now - o.age;
            const gone = model.filter((e) => e.releasedAt <= until);
            model = model.filter((e) => e.releasedAt > until);
            store.forgetUntil(until);
            for (const e of gone) expect(store.find(e.id)).toBe(-1);
          }
          expect(store.count).toBe(model.length);
          expect(counted).toEqual(expected);
        }
        for (const e of model) expect(store.find(e.id)).toBeGreaterThanOrEqual(0);
        expect(store.save()).toEqual(
          model.map((e) => ({ id: e.id, queueId: e.queue, channel: 'chat', agentId: e.agent, releasedAt: e.releasedAt, rating: e.rating })),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('drops forgotten chunks and serves the next entries from the last one dropped, keeping every held entry', () => {
    const store = new ReleasedContacts();
    const none = { at: NaN, id: '', csat: 0 };
    for (let i = 0; i < 1000; i++) store.add(`c${i}`, 'q', 'voice', 'a', i, none);
    store.forgetUntil(599);
    expect(store.count).toBe(400);
    for (let i = 1000; i < 1600; i++) store.add(`c${i}`, 'q', 'voice', i % 2 ? 'a' : null, i, { at: i, id: `r${i}`, csat: 5 });
    expect(store.find('c599')).toBe(-1);
    const saved = store.save();
    expect(saved.map((e) => e.id)).toEqual(Array.from({ length: 1000 }, (_, k) => `c${600 + k}`));
    expect(saved.at(-1)).toEqual({ id: 'c1599', queueId: 'q', channel: 'voice', agentId: 'a', releasedAt: 1599, rating: { at: 1599, id: 'r1599', csat: 5 } });
    const rated: number[] = [];
    expect(store.rate(store.find('c1200'), { ts: 1, id: 'r', csat: 2 }, (h, sign) => rated.push(sign * h.csat))).toBe(true);
    expect(rated).toEqual([-5, 2]);
  });
});
