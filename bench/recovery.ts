/**
 * Restart time for one tenant with a full day of 1,000 agents' events: a node that starts from a
 * checkpoint round (load from PostgreSQL, decode, restore, replay the log after it) against one
 * that replays the whole day. The figures of both are checked equal to the engine that never
 * stopped.
 *
 *   npm run bench:recovery        (BENCH_AGENTS=200 for a quick run)
 */
import { Buffer } from 'node:buffer';
import { isDeepStrictEqual } from 'node:util';
import { LiveEngine, decodeCheckpoint, encodeCheckpoint, type EventBatch } from '../src/engine/index.js';
import { simulateCentre } from '../src/sim/centre.js';
import { createCheckpointStore, migrate, openDb } from '../src/store/index.js';
import { createTestDatabase } from '../test/support/db.js';

const AGENTS = Number(process.env['BENCH_AGENTS'] ?? 1000);
const DAY_START = Date.UTC(2026, 10, 22, 0, 0, 0);
const END = DAY_START + 23 * 3_600_000 + 55 * 60_000;
const TAIL_MS = 5 * 60_000;
const RECORD_SPAN_MS = 2_000;

/** The day as log records: each producer post holds the events of ~2 s, appended as they happen. */
function dayRecords(): { records: EventBatch[]; events: number } {
  const plan = simulateCentre({ tenant: 'big', agents: AGENTS, queues: 20, from: DAY_START, to: END, seed: 11 });
  const records: EventBatch[] = [];
  let current: EventBatch | null = null;
  for (const e of plan.events) {
    if (e.ts > END) break;
    if (current === null || e.ts - (current.at as number) > RECORD_SPAN_MS || current.events.length >= 500) {
      current = { tenant: 'big', position: String(records.length + 1), events: [], at: e.ts };
      records.push(current);
    }
    (current.events as typeof plan.events).push(e);
    current.at = e.ts;
  }
  return { records, events: records.reduce((n, r) => n + r.events.length, 0) };
}

function engineAt(now: number): { live: LiveEngine; clock: { now: number } } {
  const clock = { now };
  const live = new LiveEngine({ scheduler: { now: () => clock.now, schedule: () => { throw new Error('no timers in this bench'); } } });
  return { live, clock };
}

function replay(live: LiveEngine, records: readonly EventBatch[]): void {
  for (let i = 0; i < records.length; i += 200) live.applyBurst(records.slice(i, i + 200));
}

const { records, events } = dayRecords();
const cut = records.findIndex((r) => (r.at as number) > END - TAIL_MS);
console.log(`workload: one tenant, ${AGENTS} agents, 20 queues, ${events} events in ${records.length} log records over ${((END - DAY_START) / 3_600_000).toFixed(1)} h; checkpoint ${TAIL_MS / 60_000} min before the restart`);

// The node that never stopped, which also takes the checkpoint round at the cut.
const { live: reference, clock } = engineAt(DAY_START);
replay(reference, records.slice(0, cut));
const cp = reference.checkpoints()[0]!;
const t0 = performance.now();
const state = Buffer.from(encodeCheckpoint(cp), 'utf8');
const encodeMs = performance.now() - t0;
replay(reference, records.slice(cut));
clock.now = END;
const expected = reference.snapshot('big', null);

const test = await createTestDatabase();
const db = await openDb({ databaseUrl: test.url, dataDir: '' });
try {
  await migrate(db);
  const store = createCheckpointStore(db);
  const s0 = performance.now();
  await store.saveRound([{ tenant: 'big', position: String(cut), state, savedAt: END }]);
  const saveMs = performance.now() - s0;

  // Restart from the checkpoint: load, decode, restore, replay the tail.
  const r0 = performance.now();
  const [row] = await store.loadAll();
  const loadMs = performance.now() - r0;
  const restarted = engineAt(END);
  restarted.live.restore(decodeCheckpoint(Buffer.from(row!.state).toString('utf8')));
  const restoreMs = performance.now() - r0 - loadMs;
  replay(restarted.live, records.slice(cut));
  const fromCheckpointMs = performance.now() - r0;

  // Restart without a checkpoint: the whole day.
  const f0 = performance.now();
  const full = engineAt(DAY_START);
  replay(full.live, records);
  const fullMs = performance.now() - f0;
  full.clock.now = END;

  const same = isDeepStrictEqual(restarted.live.snapshot('big', null), expected) && isDeepStrictEqual(full.live.snapshot('big', null), expected);
  if (!same) throw new Error('a restarted engine disagrees with the one that never stopped');
  console.log(`checkpoint: ${(state.length / 1024 / 1024).toFixed(1)} MB JSON, encoded in ${encodeMs.toFixed(0)} ms, saved in ${saveMs.toFixed(0)} ms`);
  console.log(`from checkpoint: load ${loadMs.toFixed(0)} ms + decode/restore ${restoreMs.toFixed(0)} ms + replay of ${records.length - cut} records = ${fromCheckpointMs.toFixed(0)} ms`);
  console.log(`full replay of the day: ${fullMs.toFixed(0)} ms`);
  console.log('figures after both restarts equal the engine that never stopped: yes');
  console.log(`recovery: ${Math.round(fromCheckpointMs)} ms from checkpoint (full replay ${Math.round(fullMs)} ms), ${AGENTS} agents, ${events} events`);
} finally {
  await db.close();
  await test.drop();
}
