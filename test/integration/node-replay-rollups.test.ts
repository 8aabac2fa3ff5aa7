/**
 * A node that replays its whole log (no checkpoint, no rollup rows) hands interval rollups over
 * as log time passes (src/node/persistence.ts, `onRecord`): every interval of a log spanning well
 * over an hour is written, with the figures the live node showed, not only the intervals still
 * open to late events when the replay ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import type { Snapshot } from '../../src/protocol/index.js';
import { simulateCentre } from '../../src/sim/centre.js';
import { openDb } from '../../src/store/index.js';
import { ManualClock, createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const SPAN_MS = 100 * 60_000;
const STEP_MS = 2 * 60_000;
const TENANT = 'rep';

describe('a node replaying its whole log', () => {
  let storage: TestStorage;
  let hub: TestHub | undefined;

  beforeAll(async () => {
    storage = await createStorage('postgres');
  });

  afterAll(async () => {
    await hub?.stop();
    await storage?.cleanup();
  });

  it('writes the rollups of every interval as log time passes', async () => {
    const clock = new ManualClock(T0);
    hub = await startTestHub(storage, { clock });
    const { events } = simulateCentre({ tenant: TENANT, agents: 6, queues: 2, from: T0, to: T0 + SPAN_MS, seed: 11 });
    // Posted as they happen, two minutes at a time, so the log's records are appended over 100 minutes.
    for (let at = T0 + STEP_MS; at <= T0 + SPAN_MS; at += STEP_MS) {
      clock.set(at);
      const due: HubEvent[] = events.filter((e) => e.ts > at - STEP_MS && e.ts <= at);
      if (due.length > 0) expect((await hub.ingest(TENANT, due)).status).toBe(202);
    }
    const live = (await hub.snapshot(TENANT)).body as Snapshot;
    const today = live.totals.windows.today;
    expect(today.handled).toBeGreaterThan(20);
    const agentsHandled = Object.values(live.agents).reduce((n, a) => n + (a.windows.today.handled ?? 0), 0);
    await hub.stop();
    hub = undefined;

    // Nothing but the log is left: the next node replays all of it.
    const dbOptions = { databaseUrl: storage.env['DATABASE_URL'], dataDir: storage.env['DATA_DIR']! };
    const db = await openDb(dbOptions);
    try {
      await db.query('DELETE FROM checkpoints');
      await db.query('DELETE FROM agent_rollups');
      await db.query('DELETE FROM queue_rollups');
    } finally {
      await db.close();
    }
    hub = await startTestHub(storage, { clock });
    expect(hub.node.replayed.records).toBeGreaterThan(40);
    await hub.stop();
    hub = undefined;

    const after = await openDb(dbOptions);
    try {
      const queues = await after.query<{ offered: string; answered: string; handled: string; intervals: string }>(
        'SELECT sum(offered) AS offered, sum(answered) AS answered, sum(handled) AS handled, count(DISTINCT interval_start) AS intervals FROM queue_rollups WHERE tenant = $1',
        [TENANT],
      );
      const agents = await after.query<{ handled: string; busy: string; intervals: string }>(
        'SELECT sum(handled) AS handled, sum(on_contact_ms + acw_time_ms) AS busy, count(DISTINCT interval_start) AS intervals FROM agent_rollups WHERE tenant = $1',
        [TENANT],
      );
      const q = queues.rows[0]!;
      const a = agents.rows[0]!;
      // 100 minutes from 08:00: seven quarter hours.
      expect(Number(q.intervals)).toBe(7);
      expect(Number(a.intervals)).toBe(7);
      expect(Number(q.offered)).toBe(today.offered);
      expect(Number(q.answered)).toBe(today.answered);
      expect(Number(q.handled)).toBe(today.handled);
      expect(Number(a.handled)).toBe(agentsHandled);
      expect(Number(a.busy)).toBeGreaterThan(0);
    } finally {
      await after.close();
    }
  });
});
