/**
 * LiveEngine.applyBurst (src/engine/live-engine.ts): a log read applied tenant by tenant, each
 * tenant's batches read (decoded) a run at a time before they are applied. What it promises: every
 * batch's events are read once, each tenant's batches apply in their order at their own time, each
 * batch is acknowledged once with its number of events, the figures are those of applying the
 * batches one by one, and a batch is let go once applied.
 */
import { describe, expect, it } from 'vitest';
import { LiveEngine, type EventBatch } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import { collectGarbage } from '../support/collect-garbage.js';
import { answered, ended, queued, status } from '../support/engine-events.js';

const T0 = Date.UTC(2026, 10, 22, 10);
const TENANTS = ['north', 'south', 'east'];

/**
 * Per tenant, `count` records of agents answering contacts, a second apart: three or four events
 * each, so 700 records (~2,200 events) take more than one decoding run of 2,048 events.
 */
function records(count = 700): { tenant: string; at: number; events: HubEvent[] }[] {
  const out: { tenant: string; at: number; events: HubEvent[] }[] = [];
  for (let i = 0; i < count; i++) {
    for (const [k, tenant] of TENANTS.entries()) {
      const at = T0 + i * 1000 + k;
      const c = `${tenant}-c${i}`;
      const agent = `${tenant}-a${i % 7}`;
      const events: HubEvent[] = [queued(at - 30_000, c, `q${i % 3}`), answered(at - 10_000, c, agent)];
      if (i % 5 === 0) events.push(status(at, agent, 'available'));
      if (i > 0) events.push(ended(at, `${tenant}-c${i - 1}`, 0, false));
      out.push({ tenant, at, events });
    }
  }
  return out;
}

/** Batches over `records`, counting the reads of their events and logging their acknowledgements. */
function batches(recs: ReturnType<typeof records>, reads: number[], acks: string[]): EventBatch[] {
  return recs.map((r, i) => ({
    tenant: r.tenant,
    position: String(i),
    at: r.at,
    get events() {
      reads[i] = (reads[i] ?? 0) + 1;
      return r.events;
    },
    applied: (n: number) => acks.push(`${r.tenant}:${i}:${n}`),
  }));
}

describe('LiveEngine.applyBurst', () => {
  it('reads each batch once, applies each tenant in order, and matches applying batch by batch', () => {
    const recs = records();
    const reads: number[] = [];
    const acks: string[] = [];
    const burst = new LiveEngine();
    expect(burst.applyBurst(batches(recs, reads, acks))).toEqual(TENANTS);

    expect(reads).toHaveLength(recs.length);
    expect(reads.every((n) => n === 1)).toBe(true);
    // Tenant by tenant, each in its own order, every batch acknowledged once with its events.
    const expected = TENANTS.flatMap((t) => recs.flatMap((r, i) => (r.tenant === t ? [`${t}:${i}:${r.events.length}`] : [])));
    expect(acks).toEqual(expected);

    const one = new LiveEngine();
    for (const b of batches(recs, [], [])) one.applyBatch(b);
    for (const t of TENANTS) {
      expect(burst.tenant(t).position).toBe(one.tenant(t).position);
      expect(burst.tenant(t).now).toBe(one.tenant(t).now);
      expect(burst.tenant(t).snapshot()).toEqual(one.tenant(t).snapshot());
    }
  });

  it('takes the array over and lets go of each batch once applied', async () => {
    // Made in a function of their own and a job before the burst: nothing of this test holds a
    // batch but the array (and weak references made before the burst do not keep theirs alive).
    const make = (): { list: EventBatch[]; first: WeakRef<EventBatch>[]; check: { collected: number } } => {
      const recs = records();
      const list = batches(recs, [], []);
      const first = list.filter((b) => b.tenant === TENANTS[0]).map((b) => new WeakRef(b));
      const check = { collected: -1 };
      const last = list[list.length - 1]!;
      // When the last tenant's last batch is applied, every batch of the first tenant was applied long before.
      last.applied = () => {
        collectGarbage();
        check.collected = first.filter((r) => r.deref() === undefined).length;
      };
      return { list, first, check };
    };
    const { list, first, check } = make();
    await new Promise<void>((resolve) => setImmediate(resolve));
    new LiveEngine().applyBurst(list);
    expect(list).toHaveLength(0);
    // All of them but, at most, one a register of the engine's frames may still hold.
    expect(check.collected).toBeGreaterThanOrEqual(first.length - 1);
  });

  it('applies the runs read before a batch that cannot be read, and no batch after it', () => {
    const recs = records(1400).filter((r) => r.tenant === 'north');
    const acks: string[] = [];
    const list = batches(recs, [], acks);
    const bad = 1300;
    Object.defineProperty(list[bad], 'events', {
      get() {
        throw new Error('corrupt log entry');
      },
    });
    const live = new LiveEngine();
    expect(() => live.applyBurst(list)).toThrow('corrupt log entry');
    // The runs wholly before the corrupt batch were applied; nothing of its own run was.
    const applied = acks.length;
    expect(applied).toBeLessThanOrEqual(bad);
    expect(applied).toBeGreaterThan(0);
    expect(live.tenant('north').position).toBe(String(applied - 1));
  });
});
