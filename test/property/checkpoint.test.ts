/**
 * A checkpoint restores an engine exactly: load it, apply what came after, and every figure and
 * every rollup row is the same as for the engine that never stopped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TenantEngine, decodeCheckpoint, encodeCheckpoint, type RollupBatch } from '../../src/engine/index.js';
import { simulateCentre } from '../../src/sim/centre.js';
import { traceArb } from '../support/traces.js';

const MINUTE = 60_000;

/** What a batch writes: the last row of each key (as the writer keeps it), in key order. */
function written(b: RollupBatch): [string, unknown][] {
  const rows = new Map<string, unknown>();
  for (const r of b.queues) rows.set(`q|${r.queueId}|${r.channel}|${r.intervalStart}`, r);
  for (const r of b.agents) rows.set(`a|${r.agentId}|${r.intervalStart}`, r);
  return [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('checkpoints', () => {
  it('restore an engine that then agrees with the one that never stopped, for any trace and cut', () => {
    fc.assert(
      fc.property(traceArb({ minSpanMs: MINUTE, maxSpanMs: 40 * MINUTE }), fc.nat(), fc.array(fc.nat(600_000)), fc.boolean(), (trace, cutAt, delays, collected) => {
        const arrivals = trace.events
          .map((e, i) => ({ e, at: e.ts + (delays[i % Math.max(1, delays.length)] ?? 0) }))
          .sort((a, b) => a.at - b.at);
        const cut = cutAt % (arrivals.length + 1);
        const live = new TenantEngine({ tenant: trace.tenant, settings: trace.settings, now: trace.start });
        for (const { e, at } of arrivals.slice(0, cut)) {
          live.advance(at);
          live.apply(e);
        }
        // Collected before the checkpoint, or not: rows made as agents were folded still wait.
        if (collected) live.collectRollups();
        const restored = TenantEngine.fromCheckpoint(decodeCheckpoint(encodeCheckpoint(live.checkpoint())));
        for (const { e, at } of arrivals.slice(cut)) {
          for (const engine of [live, restored]) {
            engine.advance(at);
            engine.apply(e);
          }
        }
        const end = trace.now + 20 * MINUTE;
        live.advance(end);
        restored.advance(end);
        expect(restored.snapshot()).toEqual(live.snapshot());
        expect(written(restored.collectRollups())).toEqual(written(live.collectRollups()));
      }),
      { numRuns: 150 },
    );
  });

  it('round-trip a busy tenant mid-day through JSON', () => {
    const from = Date.UTC(2026, 10, 22, 8);
    const plan = simulateCentre({ tenant: 't', agents: 40, queues: 4, from, to: from + 3 * 3_600_000, seed: 5 });
    const half = Math.floor(plan.events.length / 2);
    const live = new TenantEngine({ tenant: 't', now: from });
    for (const e of plan.events.slice(0, half)) {
      live.advance(e.ts);
      live.apply(e);
    }
    const text = encodeCheckpoint(live.checkpoint());
    const restored = TenantEngine.fromCheckpoint(decodeCheckpoint(text));
    expect(restored.snapshot()).toEqual(live.snapshot());
    for (const e of plan.events.slice(half)) {
      for (const engine of [live, restored]) {
        engine.advance(e.ts);
        engine.apply(e);
      }
    }
    expect(restored.snapshot()).toEqual(live.snapshot());
  });

  it('refuses a checkpoint of another format version', () => {
    const text = encodeCheckpoint({ ...new TenantEngine({ tenant: 't', now: 0 }).checkpoint(), version: 99 });
    expect(() => decodeCheckpoint(text)).toThrow(/version 99/);
  });
});
