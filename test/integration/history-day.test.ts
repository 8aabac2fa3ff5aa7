/**
 * A simulated day of traffic through the live engine, its rollups through the writer, and
 * history read back over HTTP: equal to the live `today` window at any moment of the day, and to
 * a reference recomputation from the raw events for every period of every granularity, on the
 * Paris DST day (25 hours).
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveEngine, type TenantSettings } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import { historyRoutes } from '../../src/http/history.js';
import type { AgentWindow, QueueWindow, Snapshot, TotalsWindow, WindowName } from '../../src/protocol/index.js';
import { simulateCentre } from '../../src/sim/centre.js';
import { createRollupWriter, createSettingsStore, periodBoundaries, type Db, type Granularity, type HistoryResponse, type SettingsStore } from '../../src/store/index.js';
import { referenceSnapshot } from '../support/reference.js';
import { createBackends, type Backends } from '../support/rollups.js';
import { startStoreApp, type StoreApp } from '../support/store-app.js';

const TZ = 'Europe/Paris';
const DAY = Date.UTC(2026, 9, 24, 22, 0); // 2026-10-25 00:00 CEST
const NEXT_DAY = Date.UTC(2026, 9, 25, 23, 0); // 2026-10-26 00:00 CET
const H = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const SETTINGS: TenantSettings = {
  timezone: TZ,
  queues: {
    sales: { slThresholdSec: 30, slTargetPct: 80, shortAbandonSec: 5, slFormula: 'allAbandons' },
    // 25 s is no histogram bucket: history falls back to the stored answeredInSl.
    support: { slThresholdSec: 25, slTargetPct: 90, shortAbandonSec: 10, slFormula: 'excludeShortAbandons' },
  },
};

type Win = QueueWindow | AgentWindow | TotalsWindow;

/**
 * Equal, except occupancy: the reference measures time in state up to its `now`, end − 1 ms, so
 * an agent busy at the end differs by 1 ms (the live comparison above checks occupancy exactly).
 */
function expectSameWindow(actual: Win | undefined, expected: Win | undefined, where: string): void {
  expect(actual, where).toBeDefined();
  const { occupancy: a, ...restA } = actual as Win & { occupancy?: number | null };
  const { occupancy: e, ...restE } = expected as Win & { occupancy?: number | null };
  expect(restA, where).toEqual(restE);
  if (e === null || e === undefined) expect(a ?? null, where).toBe(e ?? null);
  else expect(a, where).toBeCloseTo(e, 1);
}

const ZERO_COUNTS = { handled: 0, talkMs: 0, holdMs: 0, acwMs: 0, csatSum: 0, csatCount: 0, csatPositive: 0 };
const ZERO_RATIOS = { ahtSec: null, avgTalkSec: null, avgHoldSec: null, avgAcwSec: null, csatAvg: null, csatPct: null };
/** What a queue or agent the reference does not know yet (no event so far) shows. */
const ZERO_QUEUE: QueueWindow = {
  offered: 0, answered: 0, answeredInSl: 0, abandoned: 0, shortAbandoned: 0, flowedOut: 0, waitAnsweredMs: 0, waitAbandonedMs: 0, maxWaitMs: 0,
  ...ZERO_COUNTS, ...ZERO_RATIOS, serviceLevel: null, abandonRate: null, asaSec: null, maxWaitSec: 0,
};
const ZERO_AGENT: AgentWindow = { ...ZERO_COUNTS, ...ZERO_RATIOS, occupancy: null };

async function history(app: StoreApp, token: string, query: Record<string, string>): Promise<HistoryResponse> {
  const res = await app.get(`/v1/history?${new URLSearchParams(query).toString()}`, token);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as HistoryResponse;
}

describe.each(['postgres', 'pglite'] as const)('history of a simulated day on %s', (kind) => {
  const tenant = `sim-${kind}`;
  const plan = simulateCentre({ tenant, agents: 12, queues: 3, from: DAY + 6 * H, to: DAY + 22 * H, seed: 11 });
  const events = plan.events;
  let backends: Backends;
  let db: Db;
  let settings: SettingsStore;
  let app: StoreApp;
  let now = DAY;
  const scheduler = { now: () => now, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
  const engine = new LiveEngine({ scheduler, tenantOptions: () => ({ settings: SETTINGS }) });
  let skills = new Map<string, string[]>();
  let applied = 0;
  let position = 0;

  beforeAll(async () => {
    backends = await createBackends();
    db = await backends.open(kind);
    settings = createSettingsStore({ db, clock: { now: () => now } });
    await settings.putTenant(tenant, TZ, 'test');
    for (const [q, s] of Object.entries(SETTINGS.queues)) await settings.putQueue(tenant, q, { slThresholdSec: s.slThresholdSec!, slTargetPct: s.slTargetPct!, shortAbandonSec: s.shortAbandonSec!, slFormula: s.slFormula!, displayName: null }, 'test');
    app = await startStoreApp({ '/v1/history': historyRoutes({ db, settings, agentSkills: () => skills }) });
  });
  afterAll(async () => {
    await app.close();
    await backends.cleanup();
  });

  const writer = () => createRollupWriter({ db, logger: quiet, maxBacklogRows: 1_000_000, clock: { now: () => now } });

  /** Plays the events up to `until`, a minute of them per batch, handing rollups over each minute. */
  async function playUntil(until: number): Promise<void> {
    const w = writer();
    while (now < until) {
      now = Math.min(until, Math.floor(now / 60_000) * 60_000 + 60_000);
      const batch: HubEvent[] = [];
      while (applied < events.length && events[applied]!.ts <= now) batch.push(events[applied++]!);
      if (batch.length > 0) engine.applyBatch({ tenant, position: String(++position), events: batch, at: now });
      w.write(engine.collectRollups());
    }
    await w.close();
    const snap = engine.snapshot(tenant, null);
    skills = new Map(Object.entries(snap.agents).map(([id, a]) => [id, a.queues]));
  }

  it('agrees with the live today window in the middle of the day, the current quarter hour included', async () => {
    await playUntil(DAY + 14 * H + 7 * 60_000 + 13_000);
    const live: Snapshot = engine.snapshot(tenant, null);
    const token = app.token({ tenant, role: 'supervisor' });
    const h = await history(app, token, { from: '2026-10-25', to: '2026-10-26', granularity: 'day', agents: plan.agentIds.join(',') });
    expect(h.periods).toHaveLength(1);
    const [day] = h.periods;
    expect(Object.keys(day!.queues).sort()).toEqual(Object.keys(live.queues).sort());
    for (const [q, view] of Object.entries(live.queues)) expect(day!.queues[q], q).toEqual(view.windows.today);
    for (const [a, view] of Object.entries(live.agents)) expect(day!.agents![a], a).toEqual(view.windows.today);
    expect(day!.totals).toEqual(live.totals.windows.today);
    expect(h.totals).toEqual(live.totals.windows.today);

    // A supervisor limited to sales: its queues, the agents skilled in them, their occupancy.
    const limited = app.token({ tenant, role: 'supervisor', queues: ['sales'] });
    const liveSales = engine.snapshot(tenant, ['sales']);
    const hs = await history(app, limited, { from: '2026-10-25', to: '2026-10-26', granularity: 'day', agents: plan.agentIds.join(',') });
    expect(Object.keys(hs.periods[0]!.queues)).toEqual(['sales']);
    expect(Object.keys(hs.periods[0]!.agents!).sort()).toEqual(Object.keys(liveSales.agents).sort());
    expect(hs.totals).toEqual(liveSales.totals.windows.today);
  });

  it('equals the reference recomputation from the raw events for every period of every granularity', async () => {
    await playUntil(events.at(-1)!.ts + 30 * 60_000);
    const token = app.token({ tenant, role: 'admin' });
    const windowOf: Record<Granularity, WindowName> = { '15m': '15m', hour: '60m', day: 'today', week: 'today', month: 'today' };
    const references = new Map<number, Snapshot>();
    const reference = (end: number): Snapshot => {
      let r = references.get(end);
      if (r === undefined) {
        r = referenceSnapshot(events.filter((e) => e.ts < end), end - 1, SETTINGS, tenant);
        references.set(end, r);
      }
      return r;
    };
    const counts: Record<string, number> = {};
    for (const granularity of ['15m', 'hour', 'day', 'week', 'month'] as const) {
      const h = await history(app, token, { from: '2026-10-25', to: '2026-10-26', granularity, agents: plan.agentIds.join(',') });
      counts[granularity] = h.periods.length;
      expect(h.periods.map((p) => Date.parse(p.start))).toEqual(periodBoundaries(DAY, NEXT_DAY, granularity, TZ).slice(0, -1));
      for (const p of h.periods) {
        // Every event lies inside the day: a week or a month holds exactly the day's figures.
        const end = granularity === 'week' || granularity === 'month' ? NEXT_DAY : Date.parse(p.end);
        const ref = reference(end);
        const w = windowOf[granularity];
        const where = `${granularity} ${p.start}`;
        for (const q of plan.queueIds) expectSameWindow(p.queues[q], ref.queues[q]?.windows[w] ?? ZERO_QUEUE, `${where} ${q}`);
        for (const a of plan.agentIds) expectSameWindow(p.agents![a], ref.agents[a]?.windows[w] ?? ZERO_AGENT, `${where} ${a}`);
        expectSameWindow(p.totals, ref.totals.windows[w], `${where} totals`);
      }
    }
    expect(counts).toEqual({ '15m': 100, hour: 25, day: 1, week: 1, month: 1 });
    expect(reference(NEXT_DAY).totals.windows.today.offered).toBeGreaterThan(1000);
  });

  it('applies changed queue settings to the past, from the histogram buckets', async () => {
    const changed: TenantSettings = {
      timezone: TZ,
      queues: { ...SETTINGS.queues, sales: { ...SETTINGS.queues['sales'], slThresholdSec: 60, shortAbandonSec: 3 }, billing: { slThresholdSec: 10, shortAbandonSec: 20 } },
    };
    await settings.putQueue(tenant, 'sales', { slThresholdSec: 60, slTargetPct: 80, shortAbandonSec: 3, slFormula: 'allAbandons', displayName: null }, 'test');
    await settings.putQueue(tenant, 'billing', { slThresholdSec: 10, slTargetPct: 80, shortAbandonSec: 20, slFormula: 'excludeShortAbandons', displayName: null }, 'test');
    const h = await history(app, app.token({ tenant, role: 'admin' }), { from: '2026-10-25', to: '2026-10-26', granularity: 'hour' });
    for (const p of h.periods) {
      const ref = referenceSnapshot(events.filter((e) => e.ts < Date.parse(p.end)), Date.parse(p.end) - 1, changed, tenant);
      for (const q of plan.queueIds) expectSameWindow(p.queues[q], ref.queues[q]?.windows['60m'] ?? ZERO_QUEUE, `${p.start} ${q}`);
      expectSameWindow(p.totals, ref.totals.windows['60m'], `${p.start} totals`);
    }
  });
});
