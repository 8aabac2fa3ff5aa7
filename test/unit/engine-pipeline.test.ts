/**
 * The RxJS composition of the engine (LiveEngine) in virtual time: conflation of updates, the
 * one-second tick, per-topic merge patches and their `prev` chain, queue-filtered views, and the
 * reuse of unchanged agents' views (src/engine/tenant-engine.ts `SnapshotOptions`). The scheduler
 * is an RxJS TestScheduler whose clock starts at BASE (virtual frame 0 = BASE).
 */
import { map, Observable, takeUntil, timer, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { conflationInterval, LiveEngine, refreshAllMs, TenantEngine, topicValue, type EventBatch, type ViewUpdate } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import type { Snapshot, Topic } from '../../src/protocol/index.js';
import { applyMergePatch } from '../../src/protocol/merge-patch.js';
import { answered, ended, queued, status, utcDay } from '../support/engine-events.js';

const BASE = utcDay('2026-11-22')('10:00:00');
const TENANT = 't1';

/** A TestScheduler asserting with vitest, and the same clock shifted to BASE for the engine. */
function schedulers(): { test: TestScheduler; scheduler: SchedulerLike } {
  const test = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const scheduler: SchedulerLike = { now: () => BASE + test.now(), schedule: test.schedule.bind(test) };
  return { test, scheduler };
}

function batch(position: string, events: HubEvent[]): EventBatch {
  return { tenant: TENANT, position, events };
}

/** Every update of `live.run(batches$)` until virtual time `untilMs`, with the frame it came at. */
function collect(live: LiveEngine, batches$: Observable<EventBatch>, untilMs: number, test: TestScheduler) {
  const out: { at: number; update: ViewUpdate }[] = [];
  live
    .run(batches$)
    .pipe(takeUntil(timer(untilMs)))
    .subscribe((update) => out.push({ at: test.now(), update }));
  return out;
}

/** The value as a reader of merge patches sees it: a null-valued key is the same as no key. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/** A snapshot without its occupancy figures (agents and totals) and its view position. */
function withoutOccupancy(s: Snapshot): unknown {
  const strip = <W extends { occupancy: number | null }>(windows: Record<string, W>) =>
    Object.fromEntries(Object.entries(windows).map(([w, v]) => [w, { ...v, occupancy: 'ignored' }]));
  return {
    ...s,
    position: '',
    agents: Object.fromEntries(Object.entries(s.agents).map(([id, a]) => [id, { ...a, windows: strip(a.windows) }])),
    totals: { ...s.totals, windows: strip(s.totals.windows) },
  };
}

/** Virtual time: the real process's load must not stretch the intervals these tests expect. */
const idle = (): number => 0;

describe('conflation', () => {
  it('keeps the update interval when idle, and stretches it under load to keep views within the budget', () => {
    // 100 ms to refresh every view, budget 10%: saturated, one refresh per second at most.
    expect(conflationInterval(250, 100, 0.1, 0)).toBe(250);
    expect(conflationInterval(250, 100, 0.1, 0.2)).toBe(250);
    expect(conflationInterval(250, 100, 0.1, 0.5)).toBe(500);
    expect(conflationInterval(250, 100, 0.1, 1)).toBe(1000);
    // Loads outside 0..1 are clamped; cheap views never stretch it.
    expect(conflationInterval(250, 100, 0.1, 3)).toBe(1000);
    expect(conflationInterval(250, 2, 0.1, 1)).toBe(250);
  });

  it('counts each viewed tenant not measured yet at the mean cost of the measured ones', () => {
    // 3 of 10 viewed tenants measured, 6 ms in all: 2 ms each, 20 ms for all ten.
    expect(refreshAllMs(6, 3, 10)).toBe(20);
    expect(refreshAllMs(6, 3, 3)).toBe(6);
    // A tenant measured before its views closed still counts until its next refresh drops it.
    expect(refreshAllMs(6, 3, 2)).toBe(6);
    // Nothing measured yet: no cost known, the configured interval holds.
    expect(refreshAllMs(0, 0, 100)).toBe(0);
    // So, once the first of 100 tenants' refreshes took 1.5 ms, a saturated hub with a 5% budget
    // spaces every tenant's updates 3 s apart, not 250 ms for the first few.
    expect(conflationInterval(250, refreshAllMs(1.5, 1, 100), 0.05, 1)).toBe(3000);
  });

  it('sends the first change at once, the rest at the end of updateIntervalMs, and a tick refresh each second', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot, expectObservable }) => {
      const live = new LiveEngine({ load: idle, scheduler, updateIntervalMs: 250 });
      live.openView(TENANT, null);
      const batches$ = hot<EventBatch>('a 99ms b 99ms c', {
        a: batch('p1', [queued(BASE, 'c1', 'sales')]),
        b: batch('p2', [queued(BASE + 100, 'c2', 'sales')]),
        c: batch('p3', [queued(BASE + 200, 'c3', 'sales')]),
      });
      const seen = live.run(batches$).pipe(
        map((u) => ({ position: u.position, waiting: u.snapshot.totals.waiting, asOf: u.snapshot.asOf })),
      );
      // 0 ms: a at once (leading edge). 100 and 200 ms: b and c held, sent together at 250 ms
      // (trailing edge). 1000 ms: the tick. The view's positions count its emissions: p1.1, p3.2, p3.3.
      expectObservable(seen, '^ 1500ms !').toBe('a 249ms b 749ms c', {
        a: { position: 'p1.1', waiting: 1, asOf: '2026-11-22T10:00:00.000Z' },
        b: { position: 'p3.2', waiting: 3, asOf: '2026-11-22T10:00:00.250Z' },
        c: { position: 'p3.3', waiting: 3, asOf: '2026-11-22T10:00:01.000Z' },
      });
    });
  });

  it('sends nothing for a tenant nobody views', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot, expectObservable }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      live.openView('other', null);
      const batches$ = hot<EventBatch>('a', { a: batch('p1', [queued(BASE, 'c1', 'sales')]) });
      const tenants = live.run(batches$).pipe(map((u) => u.tenant));
      // Only the viewed tenant's ticks: 'other' at 1000 and 2000 ms.
      expectObservable(tenants, '^ 2500ms !').toBe('1000ms o 999ms o', { o: 'other' });
    });
  });
});

describe('the tick', () => {
  it('refreshes oldestWaitSec every second with no event: the queue patch is just that figure', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot, expectObservable }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      live.openView(TENANT, null);
      const batches$ = hot<EventBatch>('a', { a: batch('p1', [queued(BASE, 'c1', 'sales')]) });
      const queuePatches = live.run(batches$).pipe(
        map((u) => u.changes.find((c) => c.topic === 'queue:sales')?.changes),
      );
      expectObservable(queuePatches, '^ 2500ms !').toBe('a 999ms b 999ms c', {
        a: expect.objectContaining({ waiting: 1, oldestWaitSec: 0, oldestContactId: 'c1' }),
        b: { oldestWaitSec: 1 }, // (BASE + 1000 − BASE) / 1000
        c: { oldestWaitSec: 2 },
      });
    });
  });
});

describe('topic updates', () => {
  it('are merge patches that turn the previous topic object into the new one, chained by prev', () => {
    const { test, scheduler } = schedulers();
    const topics: Topic[] = ['tenant', 'agents', 'queue:sales', 'queue:chat', 'agent:ann', 'agent:bob'];
    test.run(({ hot }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      const view = live.openView(TENANT, null);
      const held = new Map(topics.map((topic) => [topic, live.topicState(TENANT, view, topic)!]));
      const batches$ = hot<EventBatch>('a 299ms b 499ms c 299ms d 999ms e', {
        a: batch('p1', [status(BASE, 'ann', 'available', { queues: ['sales'], name: 'Ann' })]),
        b: batch('p2', [queued(BASE + 300, 'c1', 'sales'), status(BASE + 300, 'bob', 'aux', { queues: ['chat'] })]),
        c: batch('p3', [answered(BASE + 800, 'c1', 'ann')]),
        d: batch('p4', [ended(BASE + 1100, 'c1', 0, false), status(BASE + 1100, 'bob', 'available', { queues: ['sales'] })]),
        e: batch('p5', [queued(BASE + 2100, 'c2', 'chat')]),
      });
      const updates = collect(live, batches$, 3500, test);
      test.flush();

      expect(updates.length).toBeGreaterThanOrEqual(6);
      const changed = new Set<Topic>();
      for (const { update } of updates) {
        for (const c of update.changes) {
          const mine = held.get(c.topic);
          if (!mine) throw new Error(`unexpected topic ${c.topic}`);
          expect(c.prev, `${c.topic} prev at ${update.position}`).toBe(mine.position);
          mine.value = c.changes === null ? null : applyMergePatch(mine.value, c.changes);
          mine.position = update.position;
          changed.add(c.topic);
        }
        // Every topic, changed or not, now reads as the view's new snapshot.
        for (const topic of topics) {
          expect(withoutNulls(held.get(topic)!.value), `${topic} at ${update.position}`).toEqual(
            withoutNulls(topicValue(update.snapshot, topic)),
          );
        }
      }
      expect([...changed].sort()).toEqual([...topics].sort());
      for (const topic of topics) expect(live.topicState(TENANT, view, topic)?.position).toBe(held.get(topic)!.position);
    });
  });

  it('name the topics that changed, and null an agent that leaves a filtered view', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      const view = live.openView(TENANT, ['sales']);
      expect(view).toBe('sales');
      const batches$ = hot<EventBatch>('a 499ms b', {
        a: batch('p1', [
          status(BASE, 'ann', 'available', { queues: ['sales'] }),
          status(BASE, 'bob', 'available', { queues: ['chat'] }),
        ]),
        b: batch('p2', [status(BASE + 500, 'ann', 'available', { queues: ['chat'] })]), // ann leaves sales
      });
      const collected = collect(live, batches$, 900, test);
      test.flush();
      const updates = collected.map(({ update }) => update);
      const [first, second] = updates;
      expect(updates.length).toBe(2);
      expect(first?.changes.map((c) => c.topic).sort()).toEqual(['agent:ann', 'agents', 'queue:sales', 'tenant']);
      expect(second?.changes.find((c) => c.topic === 'agent:ann')?.changes).toBeNull();
      expect(second?.changes.find((c) => c.topic === 'agents')?.changes).toEqual({ ann: null });
      // sales had no contact and no other agent: it is listed no more.
      expect(second?.changes.find((c) => c.topic === 'queue:sales')?.changes).toBeNull();
      expect(second?.snapshot.agents).toEqual({});
    });
  });
});

describe('a queue-filtered view', () => {
  it('holds only its queues and the agents skilled in them, as a filtered snapshot does', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      live.openView(TENANT, ['sales']);
      const events = [
        status(BASE, 'ann', 'available', { queues: ['sales'] }),
        status(BASE, 'bob', 'aux', { queues: ['chat'], reason: 'lunch' }),
        status(BASE, 'carol', 'available', { queues: ['sales', 'chat'] }),
        queued(BASE, 'c1', 'sales'),
        queued(BASE, 'c2', 'chat'),
      ];
      const batches$ = hot<EventBatch>('a', { a: batch('p1', events) });
      const collected = collect(live, batches$, 1500, test);
      test.flush();
      const updates = collected.map(({ update }) => update);
      expect(updates.map((u) => u.view)).toEqual(['sales', 'sales']);
      const s = updates[1]!.snapshot; // the tick at 1000 ms
      expect(Object.keys(s.queues)).toEqual(['sales']);
      expect(Object.keys(s.agents)).toEqual(['ann', 'carol']);
      expect(s.totals).toMatchObject({ waiting: 1, oldestContactId: 'c1', oldestWaitSec: 1 });
      expect(s.totals.agents).toMatchObject({ staffed: 2, available: 2, aux: 0 });
      for (const u of updates) {
        for (const c of u.changes) expect(['tenant', 'agents', 'queue:sales', 'agent:ann', 'agent:carol']).toContain(c.topic);
      }
      const fresh = new TenantEngine({ tenant: TENANT, now: BASE });
      for (const e of events) fresh.apply(e);
      fresh.advance(BASE + 1000);
      expect({ ...s, position: '' }).toEqual({ ...fresh.snapshot({ queues: ['sales'] }), position: '' });
    });
  });
});

describe('reused agent views', () => {
  it('equal a fresh snapshot at the same second, up to the occupancy of agents unchanged within it', () => {
    const { test, scheduler } = schedulers();
    test.run(({ hot }) => {
      const live = new LiveEngine({ load: idle, scheduler });
      live.openView(TENANT, null);
      // ann: available from BASE − 60 s, on c0 from BASE − 30 s. bob: available from BASE − 60 s.
      const a = [
        status(BASE - 60_000, 'ann', 'available', { queues: ['sales'] }),
        status(BASE - 60_000, 'bob', 'available', { queues: ['sales'] }),
        queued(BASE - 40_000, 'c0', 'sales'),
        answered(BASE - 30_000, 'c0', 'ann'),
      ];
      const b = [queued(BASE + 100, 'c1', 'sales')]; // touches no agent
      const c = [answered(BASE + 1200, 'c1', 'bob')]; // touches bob only
      const batches$ = hot<EventBatch>('a 99ms b 1099ms c', { a: batch('p1', a), b: batch('p2', b), c: batch('p3', c) });
      const twin = new TenantEngine({ tenant: TENANT, now: BASE });
      /** The twin engine's fresh snapshot at `readAt`, after `events` applied at `appliedAt`. */
      const fresh = (events: HubEvent[], appliedAt: number, readAt = appliedAt): Snapshot => {
        twin.advance(appliedAt);
        for (const e of events) twin.apply(e);
        twin.advance(readAt);
        return twin.snapshot();
      };
      const updates = collect(live, batches$, 1500, test);
      test.flush();
      // c at 1200 ms falls in the interval the tick opened at 1000 ms: it goes out at 1250 ms.
      expect(updates.map((u) => u.at)).toEqual([0, 250, 1000, 1250]);
      const [u0, u250, u1000, u1250] = updates.map((u) => u.update.snapshot) as [Snapshot, Snapshot, Snapshot, Snapshot];

      expect({ ...u0, position: '' }).toEqual({ ...fresh(a, BASE), position: '' });

      // 250 ms: the same second, no agent changed: both agent objects are the ones sent at 0 ms.
      const at250 = fresh(b, BASE + 100, BASE + 250);
      expect(u250.agents['ann']).toBe(u0.agents['ann']);
      expect(u250.agents['bob']).toBe(u0.agents['bob']);
      expect(withoutOccupancy(u250)).toEqual(withoutOccupancy(at250));
      // ...so ann's occupancy is the one of 0 ms: busy 30 s of 60 s; as of 250 ms it would be 30.25 of 60.25.
      expect(u250.agents['ann']?.windows['15m'].occupancy).toBe(50);
      expect(at250.agents['ann']?.windows['15m'].occupancy).toBeCloseTo((100 * 30_250) / 60_250, 12);

      // 1000 ms: a new second, everything is computed as of now.
      expect({ ...u1000, position: '' }).toEqual({ ...fresh([], BASE + 1000), position: '' });

      // 1250 ms: bob changed and is rebuilt; ann is reused from 1000 ms.
      const at1250 = fresh(c, BASE + 1200, BASE + 1250);
      expect(u1250.agents['ann']).toBe(u1000.agents['ann']);
      expect(u1250.agents['bob']).toEqual(at1250.agents['bob']);
      expect(u1250.agents['bob']).toMatchObject({ state: 'on_contact', contactId: 'c1' });
      expect(withoutOccupancy(u1250)).toEqual(withoutOccupancy(at1250));
    });
  });
});

describe('applyBatch', () => {
  it('applies a replayed batch at its `at` time and takes its position', () => {
    const { test, scheduler } = schedulers();
    test.run(() => {
      const live = new LiveEngine({ load: idle, scheduler });
      live.applyBatch({ ...batch('p7', [queued(BASE - 5_000, 'c1', 'sales')]), at: BASE - 5_000 });
      const s = live.snapshot(TENANT, null);
      expect(s.position).toBe('p7');
      // Read at BASE (the scheduler's now): queued 5 s ago.
      expect(s.queues['sales']).toMatchObject({ waiting: 1, oldestWaitSec: 5 });
      expect(s.asOf).toBe('2026-11-22T10:00:00.000Z');
    });
  });
});

describe('bursts', () => {
  it("applies a log read's records tenant by tenant, each tenant's in order and each once", async () => {
    const live = new LiveEngine({ load: idle });
    const applied: string[] = [];
    const records = ['t1:a', 't2:a', 't1:b', 't3:a', 't2:b', 't1:c'].map((name, i): EventBatch => {
      const [tenant] = name.split(':') as [string];
      return { tenant, position: String(i + 1), events: [queued(BASE + i, `c${i}`, 'sales')], applied: () => applied.push(name) };
    });
    // One synchronous burst, as a log read delivers its records.
    const source = new Observable<EventBatch>((sub) => {
      for (const r of records) sub.next(r);
    });
    const subscription = live.run(source).subscribe();
    await new Promise((resolve) => setTimeout(resolve, 20));
    subscription.unsubscribe();
    expect(applied).toEqual(['t1:a', 't1:b', 't1:c', 't2:a', 't2:b', 't3:a']);
    expect(['t1', 't2', 't3'].map((t) => live.snapshot(t, null).position)).toEqual(['6', '5', '4']);
    expect(live.snapshot('t1', null).queues['sales']).toMatchObject({ waiting: 3 });
  });
});
