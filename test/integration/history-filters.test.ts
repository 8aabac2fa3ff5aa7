import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyRoutes } from '../../src/http/history.js';
import { createRollupWriter, createSettingsStore, type HistoryResponse } from '../../src/store/index.js';
import { agentRow, createBackends, queueRow, type Backends } from '../support/rollups.js';
import { startStoreApp, type StoreApp } from '../support/store-app.js';

const DAY = Date.UTC(2026, 5, 15);
const clock = { now: () => DAY + 86_400_000 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let backends: Backends;
beforeAll(async () => {
  backends = await createBackends();
});
afterAll(async () => {
  await backends.cleanup();
});

describe.each(['postgres', 'pglite'] as const)('history filters on %s', (kind) => {
  let app: StoreApp;
  const tenant = `filters-${kind}`;
  const skills = new Map([
    ['a1', ['sales']],
    ['a2', ['support']],
    ['a3', ['sales', 'support']],
  ]);

  beforeAll(async () => {
    const db = await backends.open(kind);
    const writer = createRollupWriter({ db, logger: quiet, maxBacklogRows: 10_000, clock });
    for (let i = 0; i < 8; i++) {
      const start = DAY + 8 * 3_600_000 + i * 900_000;
      writer.write({
        queues: [queueRow(tenant, 'sales', 'voice', start, i), queueRow(tenant, 'support', 'chat', start, 100 + i), queueRow('elsewhere', 'sales', 'voice', start, 200 + i)],
        agents: ['a1', 'a2', 'a3'].map((a, j) => agentRow(tenant, a, start, 300 + i * 3 + j)),
      });
    }
    await writer.close();
    const settings = createSettingsStore({ db, clock });
    app = await startStoreApp({ '/v1/history': historyRoutes({ db, settings, agentSkills: () => skills }) });
  });
  afterAll(async () => {
    await app.close();
  });

  const sup = () => app.token({ tenant, role: 'supervisor' });
  const get = (query: string, token = sup()) => app.get(`/v1/history?${query}`, token);
  const base = 'from=2026-06-15T00:00:00Z&to=2026-06-16T00:00:00Z';

  it('refuses every bad filter with 400 invalid_query naming the parameter', async () => {
    const cases: [string, string, RegExp][] = [
      ['to=2026-06-16&granularity=hour', 'from', /from is required/],
      ['from=yesterday&to=2026-06-16&granularity=hour', 'from', /not an ISO-8601 date-time with an offset/],
      ['from=2026-02-30&to=2026-06-16&granularity=hour', 'from', /not a calendar date/],
      ['from=2026-06-15T10:00:00&to=2026-06-16&granularity=hour', 'from', /with an offset/],
      ['from=2026-06-15T25:00:00Z&to=2026-06-16&granularity=hour', 'from', /not a valid date-time/],
      ['from=2026-06-15&to=2026-06-15&granularity=hour', 'to', /the range is empty/],
      ['from=2026-06-16&to=2026-06-15&granularity=day', 'to', /the range is empty/],
      [`${base}&granularity=hour&tz=Mars/Olympus`, 'tz', /unknown timezone: Mars\/Olympus/],
      [`${base}&granularity=minute`, 'granularity', /one of 15m, hour, day, week, month/],
      [`${base}`, 'granularity', /granularity is required/],
      ['from=2026-06-15&to=2026-06-18&granularity=15m', 'to', /spans 3 days: granularity 15m allows at most 2 days/],
      ['from=2026-06-01&to=2026-07-03&granularity=hour', 'to', /at most 31 days/],
      ['from=2025-01-01&to=2026-06-01&granularity=day', 'to', /at most 400 days/],
      ['from=2022-01-01&to=2026-06-01&granularity=week', 'to', /at most 3 years/],
      ['from=2022-01-01&to=2026-06-01&granularity=month', 'to', /at most 3 years/],
      [`${base}&granularity=hour&channel=fax`, 'channel', /voice, chat, email, messaging, task/],
      [`${base}&granularity=hour&queues=sales,,support`, 'queues', /empty id/],
      [`${base}&granularity=hour&agents=${'x'.repeat(129)}`, 'agents', /at most 128 characters/],
      [`${base}&granularity=hour&queue=sales`, '', /unknown name queue/],
      [`${base}&granularity=hour&from=2026-06-14`, 'from', /required, once/],
    ];
    for (const [query, path, message] of cases) {
      const res = await get(query);
      const body = (await res.json()) as { error: { code: string; message: string; details: { path: string; message: string }[] } };
      expect(res.status, query).toBe(400);
      expect(body.error.code, query).toBe('invalid_query');
      expect(body.error.details[0], query).toMatchObject({ path, message: expect.stringMatching(message) });
      if (path !== '') expect(body.error.message, query).toContain(`invalid query parameter ${path}`);
    }
  });

  it('refuses an answer with too many window objects', async () => {
    const agents = Array.from({ length: 1000 }, (_, i) => `x${i}`).join(',');
    const res = await get(`from=2026-06-01&to=2026-07-01&granularity=hour&agents=${agents}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_query', message: expect.stringContaining('narrow the range') } });
  });

  it('lets supervisors and admins read, and no other role', async () => {
    for (const role of ['wallboard', 'agent', 'ingest'] as const) {
      const res = await get(`${base}&granularity=hour`, app.token({ tenant, role }));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect((await get(`${base}&granularity=hour`, app.token({ tenant, role: 'admin' }))).status).toBe(200);
  });

  it('shows its own tenant only, within the queues claim', async () => {
    const all = (await (await get(`${base}&granularity=day&agents=a1,a2,a3`)).json()) as HistoryResponse;
    expect(Object.keys(all.periods[0]!.queues)).toEqual(['sales', 'support']);
    expect(Object.keys(all.periods[0]!.agents!)).toEqual(['a1', 'a2', 'a3']);
    const limited = app.token({ tenant, role: 'supervisor', queues: ['support'] });
    const h = (await (await get(`${base}&granularity=day&queues=sales,support&agents=a1,a2,a3`, limited)).json()) as HistoryResponse;
    expect(Object.keys(h.periods[0]!.queues)).toEqual(['support']);
    expect(Object.keys(h.periods[0]!.agents!)).toEqual(['a2', 'a3']);
    expect(h.totals.offered).toBe(all.periods[0]!.queues['support']!.offered);
    const none = (await (await get(`${base}&granularity=day&queues=sales`, limited)).json()) as HistoryResponse;
    expect(none.periods[0]!.queues).toEqual({});
    expect(none.totals.offered).toBe(0);
    const chat = (await (await get(`${base}&granularity=day&channel=chat`)).json()) as HistoryResponse;
    expect(Object.keys(chat.periods[0]!.queues)).toEqual(['support']);
    expect(chat.totals.offered).toBe(all.periods[0]!.queues['support']!.offered);
    const other = (await (await get(`${base}&granularity=day`, app.token({ tenant: 'nobody', role: 'admin' }))).json()) as HistoryResponse;
    expect(other.periods[0]!.queues).toEqual({});
  });

  it('answers in the shape of SPEC §7, periods aligned in the asked timezone', async () => {
    const h = (await (await get('from=2026-06-15&to=2026-06-16&granularity=hour&tz=America/New_York')).json()) as HistoryResponse;
    expect(h).toMatchObject({ tenant, granularity: 'hour', timezone: 'America/New_York', from: '2026-06-15T04:00:00.000Z', to: '2026-06-16T04:00:00.000Z' });
    expect(h.periods).toHaveLength(24);
    expect(h.periods[4]).toMatchObject({ start: '2026-06-15T08:00:00.000Z', end: '2026-06-15T09:00:00.000Z' });
    expect(h.periods[4]!.agents).toBeUndefined();
    expect(Object.keys(h.periods[4]!.totals).sort()).toContain('occupancy');
    expect(h.totals.offered).toBe(h.periods.reduce((n, p) => n + p.totals.offered, 0));
    expect(h.totals.maxWaitMs).toBe(Math.max(...h.periods.map((p) => p.totals.maxWaitMs)));
  });
});
