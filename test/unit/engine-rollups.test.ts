import { describe, expect, it } from 'vitest';
import { TenantEngine, INTERVAL_MS, Q, type QueueIntervalRow } from '../../src/engine/index.js';
import { IntervalStarts, PendingAgentRows } from '../../src/engine/rollups.js';
import { NO_AUX } from '../../src/engine/agent-timeline.js';
import { simulateCentre } from '../../src/sim/centre.js';

const START = Date.UTC(2026, 10, 22, 0, 0, 0);
const COUNTERS = [
  'offered', 'answered', 'answeredInSl', 'abandoned', 'shortAbandoned', 'flowedOut', 'handled',
  'waitAnsweredMs', 'waitAbandonedMs', 'talkMs', 'holdMs', 'acwMs', 'csatSum', 'csatCount', 'csatPositive',
] as const satisfies readonly (keyof typeof Q)[];

/**
 * Applies a simulated centre in arrival order (some late) while collecting rollups like the writer:
 * every `everyMs` (with `closedOnly` as a replay hands over), and everything at the end.
 */
function run(hours: number, everyMs = 30_000, closedOnly = false) {
  const plan = simulateCentre({ tenant: 't', agents: 12, queues: 3, from: START, to: START + hours * 3_600_000, seed: 7 });
  const engine = new TenantEngine({ tenant: 't', now: START });
  const rows = new Map<string, QueueIntervalRow>();
  const agentRows = new Map<
    string,
    { handled: number; talkMs: number; holdMs: number; acwMs: number; csatSum: number; csatCount: number; csatPositive: number; onContactMs: number; acwTimeMs: number; availableMs: number }
  >();
  const arrivals = plan.events.map((e, i) => ({ e, at: e.ts + (i % 17 === 0 ? 90_000 : 0) })).sort((a, b) => a.at - b.at);
  let nextCollect = START + everyMs;
  const batches: { at: number; agents: number[]; queues: number[] }[] = [];
  const collect = (opts = {}): void => {
    const b = engine.collectRollups(opts);
    batches.push({ at: engine.now, agents: b.agents.map((r) => r.intervalStart), queues: b.queues.map((r) => r.intervalStart) });
    for (const r of b.queues) rows.set(`${r.queueId}|${r.channel}|${r.intervalStart}`, r);
    for (const r of b.agents) agentRows.set(`${r.agentId}|${r.intervalStart}`, r);
  };
  for (const { e, at } of arrivals) {
    while (at >= nextCollect) {
      engine.advance(nextCollect);
      collect({ closedOnly });
      nextCollect += everyMs;
    }
    engine.advance(at);
    engine.apply(e);
  }
  const end = START + hours * 3_600_000 + 20 * 60_000;
  engine.advance(end);
  collect();
  return { engine, rows, agentRows, plan, batches };
}

describe('interval rollups', () => {
  it('sum, over a day so far, to exactly the live today counters of every queue', () => {
    const { engine, rows } = run(3);
    const snap = engine.snapshot();
    for (const [queueId, view] of Object.entries(snap.queues)) {
      for (const name of COUNTERS) {
        const summed = [...rows.values()].filter((r) => r.queueId === queueId).reduce((n, r) => n + r[name], 0);
        expect(summed, `${queueId}.${name}`).toBe(view.windows.today[name]);
      }
      const maxWait = Math.max(0, ...[...rows.values()].filter((r) => r.queueId === queueId).map((r) => r.maxWaitMs));
      expect(maxWait).toBe(view.windows.today.maxWaitMs);
    }
  });

  it('hands over agent rows whose handled counts and time in state add up to the live today figures', () => {
    const { engine, agentRows } = run(2);
    const snap = engine.snapshot();
    for (const [agentId, view] of Object.entries(snap.agents)) {
      const mine = [...agentRows.entries()].filter(([k]) => k.startsWith(`${agentId}|`)).map(([, r]) => r);
      for (const name of ['handled', 'talkMs', 'holdMs', 'acwMs', 'csatSum', 'csatCount', 'csatPositive'] as const) {
        expect(mine.reduce((n, r) => n + r[name], 0), `${agentId}.${name}`).toBe(view.windows.today[name]);
      }
      const busy = mine.reduce((n, r) => n + r.onContactMs + r.acwTimeMs, 0);
      const avail = mine.reduce((n, r) => n + r.availableMs, 0);
      expect(busy).toBeGreaterThan(0);
      expect((100 * busy) / (busy + avail)).toBe(view.windows.today.occupancy);
    }
  });

  it('keys rows to 15-minute intervals and histograms consistent with the counters', () => {
    const { rows } = run(1);
    for (const r of rows.values()) {
      expect(r.intervalStart % INTERVAL_MS).toBe(0);
      expect(r.answeredWithin.every((n, i, a) => n <= r.answered && (i === 0 || n >= a[i - 1]!))).toBe(true);
      expect(r.abandonedWithin.every((n) => n <= r.abandoned)).toBe(true);
    }
  });

  it('hands each interval over once it has ended, with closedOnly, and ends with the same rows', () => {
    // A replay's hand-overs: every 15 minutes of log time, not on interval boundaries.
    const replay = run(3, INTERVAL_MS + 7 * 60_000 + 13_000, true);
    const live = run(3);
    for (const b of replay.batches.slice(0, -1)) {
      for (const start of [...b.agents, ...b.queues]) expect(start + INTERVAL_MS).toBeLessThanOrEqual(b.at);
    }
    expect(replay.batches.slice(0, -1).some((b) => b.agents.length > 0 && b.queues.length > 0)).toBe(true);
    expect(replay.agentRows).toEqual(live.agentRows);
    expect(replay.rows).toEqual(live.rows);
    // Each agent's interval is handed over about once, where hand-overs every 30 s repeat it.
    const handedOver = replay.batches.reduce((n, b) => n + b.agents.length, 0);
    expect(handedOver).toBeLessThan(replay.agentRows.size * 1.2);
  });

  it('keeps the rows of one fold at most while nobody collects them', () => {
    // Hand-overs every 3 hours: the agents are folded eleven times in between.
    const { batches } = run(3, 3 * 3_600_000, true);
    const first = batches[0]!;
    expect(first.agents.length).toBeGreaterThan(0);
    // One fold's rows: the interval or two ended since the last collection, for each agent.
    expect(new Set(first.agents).size).toBeLessThanOrEqual(2);
  });
});

describe('IntervalStarts', () => {
  it('holds each start once, in the order added, beyond its first four, and forgets those before a time', () => {
    const starts = new IntervalStarts();
    for (const s of [3, 1, 3, 4, 2, 5, 1, 6]) starts.add(s * INTERVAL_MS);
    expect(starts.toArray()).toEqual([3, 1, 4, 2, 5, 6].map((s) => s * INTERVAL_MS));
    expect(starts.has(2 * INTERVAL_MS)).toBe(true);
    starts.dropBelow(4 * INTERVAL_MS);
    expect(starts.toArray()).toEqual([4, 5, 6].map((s) => s * INTERVAL_MS));
    expect(starts.has(2 * INTERVAL_MS)).toBe(false);
    starts.add(2 * INTERVAL_MS);
    expect(starts.toArray()).toEqual([4, 5, 6, 2].map((s) => s * INTERVAL_MS));
  });
});

describe('PendingAgentRows', () => {
  const time = (availableMs: number, auxMs: Record<string, number> = NO_AUX) => ({ availableMs, onContactMs: 2_000, acwTimeMs: 3_000, offlineMs: 4_000, auxMs });
  const counts = [2, 120_000, 5_000, 30_000, 9, 2, 1];

  it('hands its rows over as objects with every value, in the order added, and starts again empty', () => {
    const pending = new PendingAgentRows();
    // Past its first 64 rows, so the storage grows while keeping what it holds.
    for (let i = 0; i < 70; i++) pending.push(`a${i}`, START + i * INTERVAL_MS, i % 2 === 0 ? counts : null, time(i, i === 3 ? { lunch: 60_000 } : NO_AUX));
    expect(pending.length).toBe(70);
    const rows = pending.take('t');
    expect(pending.length).toBe(0);
    expect(rows).toHaveLength(70);
    expect(rows[0]).toEqual({
      tenant: 't', agentId: 'a0', intervalStart: START,
      handled: 2, talkMs: 120_000, holdMs: 5_000, acwMs: 30_000, csatSum: 9, csatCount: 2, csatPositive: 1,
      availableMs: 0, onContactMs: 2_000, acwTimeMs: 3_000, offlineMs: 4_000, auxMs: {},
    });
    expect(rows[69]).toMatchObject({ agentId: 'a69', intervalStart: START + 69 * INTERVAL_MS, handled: 0, csatSum: 0, availableMs: 69 });
    expect(rows[3]!.auxMs).toEqual({ lunch: 60_000 });
    expect(rows.map((r) => r.agentId)).toEqual(Array.from({ length: 70 }, (_, i) => `a${i}`));

    pending.push('b', START, counts, time(7));
    expect(pending.take('t')).toEqual([expect.objectContaining({ agentId: 'b', handled: 2, availableMs: 7 })]);
    expect(pending.take('t')).toEqual([]);
  });

  it('gives checkpoints rows that share nothing with it, and takes them back as they were', () => {
    const pending = new PendingAgentRows();
    pending.push('a', START, counts, time(1, { lunch: 60_000 }));
    pending.push('b', START, null, time(2));
    const saved = pending.rows('t', true);
    saved[0]!.auxMs['lunch'] = 1;
    expect(pending.rows('t')[0]!.auxMs).toEqual({ lunch: 60_000 });
    const restored = new PendingAgentRows();
    for (const row of pending.rows('t', true)) restored.pushRow(row);
    expect(restored.take('t')).toEqual(pending.take('t'));
    expect(saved[1]!.auxMs).toEqual({});
  });
});
