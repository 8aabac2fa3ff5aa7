/**
 * AgentTimeline (src/engine/agent-timeline.ts) against a naive model that keeps every mark and
 * scans them: the displayed state at time x is on_contact while the activity marks up to x sum to
 * a positive on-contact count, else acw while they sum to a positive acw count, else the status of
 * the last status event at or before x (offline before any). Random operations place status
 * events and activity marks in any order, remove activity marks by value (one of several equal
 * ones), and round-trip the timeline through a JSON checkpoint; the time in each state over
 * random spans, the busy and available time from window starts, and the current state must match.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentTimeline, type AgentTimelineState } from '../../src/engine/agent-timeline.js';
import { CHECKPOINT_VERSION, decodeCheckpoint, encodeCheckpoint, type TenantCheckpoint } from '../../src/engine/checkpoint.js';
import type { TimeByState } from '../../src/engine/rollups.js';
import type { AgentState, AgentStatus } from '../../src/protocol/index.js';

const T0 = Date.UTC(2026, 10, 22, 9);
const MINUTE = 60_000;

interface Status {
  ts: number;
  id: string;
  status: AgentStatus;
  reason: string | null;
}
interface Mark {
  t: number;
  onContact: number;
  acw: number;
}

class Model {
  readonly statuses: Status[] = [];
  readonly marks: Mark[] = [];

  stateAt(x: number): AgentState {
    let on = 0;
    let acw = 0;
    for (const m of this.marks) {
      if (m.t <= x) {
        on += m.onContact;
        acw += m.acw;
      }
    }
    if (on > 0) return 'on_contact';
    if (acw > 0) return 'acw';
    return this.statusAt(x)?.status ?? 'offline';
  }

  statusAt(x: number): Status | undefined {
    let last: Status | undefined;
    for (const s of this.statuses) {
      if (s.ts <= x && (!last || s.ts > last.ts || (s.ts === last.ts && s.id > last.id))) last = s;
    }
    return last;
  }

  /** Times at which anything changes, sorted. */
  points(): number[] {
    return [...new Set([...this.statuses.map((s) => s.ts), ...this.marks.map((m) => m.t)])].sort((a, b) => a - b);
  }

  timeByState(from: number, to: number): TimeByState {
    const out: TimeByState = { availableMs: 0, onContactMs: 0, acwTimeMs: 0, offlineMs: 0, auxMs: {} };
    const ps = this.points();
    for (let i = 0; i < ps.length; i++) {
      const a = Math.max(ps[i]!, from);
      const b = Math.min(i + 1 < ps.length ? ps[i + 1]! : Infinity, to);
      if (b <= a) continue;
      const state = this.stateAt(ps[i]!);
      const ms = b - a;
      if (state === 'available') out.availableMs += ms;
      else if (state === 'on_contact') out.onContactMs += ms;
      else if (state === 'acw') out.acwTimeMs += ms;
      else if (state === 'offline') out.offlineMs += ms;
      else {
        const r = this.statusAt(ps[i]!)?.reason ?? 'unspecified';
        out.auxMs[r] = (out.auxMs[r] ?? 0) + ms;
      }
    }
    return out;
  }
}

type Op =
  | { kind: 'status'; at: number; status: AgentStatus; reason: string | null }
  | { kind: 'contact'; at: number; talk: number; acw: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'roundTrip' };

const at = fc.integer({ min: 0, max: 120 }).map((m) => T0 + m * MINUTE);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('status' as const),
    at,
    status: fc.constantFrom<AgentStatus>('available', 'aux', 'offline'),
    reason: fc.constantFrom(null, 'break', 'lunch'),
  }),
  fc.record({
    kind: fc.constant('contact' as const),
    at,
    talk: fc.integer({ min: 0, max: 20 }).map((m) => m * MINUTE),
    acw: fc.integer({ min: -1, max: 5 }).map((m) => m * MINUTE),
  }),
  fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
  fc.constant({ kind: 'roundTrip' as const }),
);

/** Through the checkpoint codec, as a checkpoint carries it (NaN and infinities survive). */
function roundTrip(tl: AgentTimeline): AgentTimeline {
  const cp = { version: CHECKPOINT_VERSION, timeline: tl.save() } as unknown as TenantCheckpoint;
  const back = decodeCheckpoint(encodeCheckpoint(cp)) as unknown as { timeline: AgentTimelineState };
  return AgentTimeline.restore(back.timeline);
}

function addMark(tl: AgentTimeline, model: Model, m: Mark): void {
  tl.addActivity(m.t, m.onContact, m.acw);
  model.marks.push(m);
}

describe('AgentTimeline against a scanning model', () => {
  it('agrees on time in state, busy and available time, and the current state, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.array(fc.tuple(at, at), { minLength: 1, maxLength: 5 }), (ops, spans) => {
        let tl = new AgentTimeline();
        const model = new Model();
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'status') {
            const id = `e${String(++seq).padStart(3, '0')}`;
            expect(tl.addStatus(o.at, id, o.status, o.reason)).toBe(true);
            model.statuses.push({ ts: o.at, id, status: o.status, reason: o.reason });
          } else if (o.kind === 'contact') {
            // What a contact places: on contact from `at` for `talk`, then acw (acw < 0: still open).
            addMark(tl, model, { t: o.at, onContact: 1, acw: 0 });
            if (o.talk > 0) {
              addMark(tl, model, { t: o.at + o.talk, onContact: -1, acw: 0 });
              if (o.acw !== 0) addMark(tl, model, { t: o.at + o.talk, onContact: 0, acw: 1 });
              if (o.acw > 0) addMark(tl, model, { t: o.at + o.talk + o.acw, onContact: 0, acw: -1 });
            }
          } else if (o.kind === 'remove') {
            if (model.marks.length === 0) continue;
            const [m] = model.marks.splice(o.pick % model.marks.length, 1);
            tl.removeActivity(m!.t, m!.onContact, m!.acw);
          } else {
            tl = roundTrip(tl);
          }
        }
        for (const [a, b] of spans) {
          const [from, to] = a <= b ? [a, b] : [b, a];
          expect(tl.timeByState(from, to)).toEqual(model.timeByState(from, to));
        }
        const end = T0 + 200 * MINUTE;
        const starts = spans.map(([a]) => a);
        const busy = starts.map(() => 0);
        const avail = starts.map(() => 0);
        tl.timeInState(starts, end, T0 - MINUTE, busy, avail);
        starts.forEach((from, i) => {
          const t = model.timeByState(from, end);
          expect(busy[i]).toBe(t.onContactMs + t.acwTimeMs);
          expect(avail[i]).toBe(t.availableMs);
        });
        expect(tl.state()).toBe(model.points().length === 0 ? 'offline' : model.stateAt(end));
      }),
      { numRuns: 300 },
    );
  });
});

describe('AgentTimeline edges', () => {
  it('removes one of two equal marks by value, and ignores a mark it does not hold', () => {
    const tl = new AgentTimeline();
    tl.addStatus(T0, 'e1', 'available', null);
    tl.addActivity(T0 + MINUTE, 1, 0);
    tl.addActivity(T0 + MINUTE, 1, 0);
    tl.addActivity(T0 + 3 * MINUTE, -1, 0);
    tl.removeActivity(T0 + MINUTE, 1, 0);
    tl.removeActivity(T0 + 2 * MINUTE, 1, 0);
    // One contact left from T0+1m to T0+3m.
    expect(tl.timeByState(T0, T0 + 4 * MINUTE)).toMatchObject({ availableMs: 2 * MINUTE, onContactMs: 2 * MINUTE });
    expect(tl.state()).toBe('available');
  });

  it('keeps counts of any sign and many contacts exactly in its segments', () => {
    const tl = new AgentTimeline();
    tl.addStatus(T0, 'e1', 'aux', 'lunch');
    // An end whose start it never saw (folded away, or not arrived yet): counts below zero.
    tl.addActivity(T0 + MINUTE, -1, 0);
    tl.addActivity(T0 + 2 * MINUTE, 0, -1);
    for (let i = 0; i < 300; i++) tl.addActivity(T0 + 3 * MINUTE, 1, 0);
    tl.addActivity(T0 + 4 * MINUTE, 0, 1);
    // Segments are rebuilt when read.
    expect(tl.timeByState(T0, T0 + 5 * MINUTE)).toMatchObject({ onContactMs: 2 * MINUTE, auxMs: { lunch: 3 * MINUTE } });
    const segments = tl.save().segments.map((g) => [g.state, g.status, g.reason, g.onContact, g.acw]);
    expect(segments).toEqual([
      ['aux', 'aux', 'lunch', 0, 0],
      ['aux', 'aux', 'lunch', -1, 0],
      ['aux', 'aux', 'lunch', -1, -1],
      ['on_contact', 'aux', 'lunch', 299, -1],
      ['on_contact', 'aux', 'lunch', 299, 0],
    ]);
  });

  it('grows past its initial rows in and out of order, and folds old history keeping the day start', () => {
    const tl = new AgentTimeline();
    const dayStart = T0 - 9 * 60 * MINUTE;
    tl.addStatus(T0, 'e0', 'available', null);
    // 100 contacts of 1 minute each every 2 minutes, placed newest first (each before the others).
    for (let i = 99; i >= 0; i--) {
      tl.addActivity(T0 + 2 * i * MINUTE, 1, 0);
      tl.addActivity(T0 + (2 * i + 1) * MINUTE, -1, 0);
    }
    const end = T0 + 200 * MINUTE;
    expect(tl.timeByState(T0, end)).toMatchObject({ onContactMs: 100 * MINUTE, availableMs: 100 * MINUTE });
    const busy = [0];
    const avail = [0];
    tl.timeInState([dayStart], end, dayStart, busy, avail);
    expect([busy[0], avail[0]]).toEqual([100 * MINUTE, 100 * MINUTE]);
    // Folding the first 150 minutes away keeps F at the day start, so `today` still adds up.
    tl.fold(T0 + 150 * MINUTE, dayStart);
    tl.timeInState([dayStart], end, dayStart, busy, avail);
    expect([busy[0], avail[0]]).toEqual([100 * MINUTE, 100 * MINUTE]);
    // Nothing can be placed before the fold any more.
    tl.addActivity(T0 + 10 * MINUTE, 1, 0);
    expect(tl.addStatus(T0 + 10 * MINUTE, 'e9', 'aux', 'break')).toBe(false);
    tl.timeInState([dayStart], end, dayStart, busy, avail);
    expect([busy[0], avail[0]]).toEqual([100 * MINUTE, 100 * MINUTE]);
    expect(roundTrip(tl).save()).toEqual(tl.save());
  });
});
