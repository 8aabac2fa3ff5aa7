import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/engine/index.js';
import { configRoutes } from '../../src/http/config.js';
import { createSettingsStore, type SettingsChange, type SettingsStore } from '../../src/store/index.js';
import { createBackends, type Backends } from '../support/rollups.js';
import { startStoreApp, type StoreApp } from '../support/store-app.js';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const clock = { now: () => T0 };

let backends: Backends;
beforeAll(async () => {
  backends = await createBackends();
});
afterAll(async () => {
  await backends.cleanup();
});

describe.each(['postgres', 'pglite'] as const)('settings on %s', (kind) => {
  let settings: SettingsStore;
  let app: StoreApp;
  const tenant = `acme-${kind}`;
  const changes: SettingsChange[] = [];

  beforeAll(async () => {
    settings = createSettingsStore({ db: await backends.open(kind), clock });
    settings.changes.subscribe((c) => changes.push(c));
    app = await startStoreApp({ '/v1/config': configRoutes({ settings }) });
  });
  afterAll(async () => {
    await app.close();
  });

  const admin = () => app.token({ tenant, role: 'admin', sub: 'ann' });

  it('gives the defaults before anything is set', async () => {
    const sup = app.token({ tenant, role: 'supervisor' });
    expect(await (await app.get('/v1/config/tenant', sup)).json()).toEqual({ tenant, timezone: 'UTC', updatedAt: null, updatedBy: null });
    expect(await (await app.get('/v1/config/queues/sales', sup)).json()).toEqual({
      queueId: 'sales',
      ...DEFAULT_QUEUE_SETTINGS,
      displayName: null,
      updatedAt: null,
      updatedBy: null,
    });
    expect(await settings.loadTenantSettings(tenant)).toEqual({ timezone: 'UTC', queues: {} });
  });

  it('stores what an admin puts, announces it, and loads it for the engine', async () => {
    const tz = await app.send('PUT', '/v1/config/tenant', admin(), { timezone: 'Europe/Paris' });
    expect(tz.status).toBe(200);
    expect(await tz.json()).toEqual({ tenant, timezone: 'Europe/Paris', updatedAt: '2026-11-22T09:00:00.000Z', updatedBy: 'ann' });
    const body = { slThresholdSec: 30, slTargetPct: 85.5, shortAbandonSec: 0, slFormula: 'allAbandons', displayName: 'Sales (FR)' };
    const q = await app.send('PUT', '/v1/config/queues/sales', admin(), body);
    expect(q.status).toBe(200);
    expect(await q.json()).toEqual({ queueId: 'sales', ...body, updatedAt: '2026-11-22T09:00:00.000Z', updatedBy: 'ann' });
    const expected = { timezone: 'Europe/Paris', queues: { sales: body } };
    expect(await settings.loadTenantSettings(tenant)).toEqual(expected);
    expect(changes.at(-1)).toEqual({ tenant, settings: expected });
    expect((await settings.loadAllTenantSettings()).get(tenant)).toEqual(expected);
    // A put without displayName clears it.
    const { displayName: _omitted, ...rest } = body;
    await app.send('PUT', '/v1/config/queues/sales', admin(), rest);
    expect((await settings.getQueue(tenant, 'sales')).displayName).toBeNull();
  });

  it('names the field of every invalid value', async () => {
    const good = { slThresholdSec: 20, slTargetPct: 80, shortAbandonSec: 5, slFormula: 'answeredOnly' };
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, slThresholdSec: 0 }, 'slThresholdSec', /1-3600/],
      [{ ...good, slThresholdSec: 3601 }, 'slThresholdSec', /1-3600/],
      [{ ...good, slThresholdSec: 2.5 }, 'slThresholdSec', /whole number/],
      [{ ...good, slTargetPct: 100.5 }, 'slTargetPct', /0-100/],
      [{ ...good, shortAbandonSec: 601 }, 'shortAbandonSec', /0-600/],
      [{ ...good, slFormula: 'fast' }, 'slFormula', /excludeShortAbandons, allAbandons, answeredOnly/],
      [{ ...good, displayName: 'x'.repeat(201) }, 'displayName', /200 characters/],
      [{ ...good, colour: 'red' }, '', /unknown name colour/],
      [{ slTargetPct: 80, shortAbandonSec: 5, slFormula: 'answeredOnly' }, 'slThresholdSec', /slThresholdSec/],
    ];
    for (const [body, path, message] of cases) {
      const res = await app.send('PUT', '/v1/config/queues/sales', admin(), body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string; details: { path: string; message: string }[] } };
      expect(error.code).toBe('invalid_body');
      expect(error.details[0]!.path).toBe(path);
      expect(error.details[0]!.message).toMatch(message);
      if (path !== '') expect(error.message).toContain(`invalid field ${path}`);
    }
    const tz = await app.send('PUT', '/v1/config/tenant', admin(), { timezone: 'Mars/Olympus' });
    expect(tz.status).toBe(400);
    expect(await tz.json()).toMatchObject({ error: { code: 'invalid_body', message: expect.stringContaining('unknown timezone: Mars/Olympus'), details: [{ path: 'timezone' }] } });
    const notJson = await fetch(`${app.url}/v1/config/tenant`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin()}`, 'content-type': 'application/json' },
      body: '{"timezone":',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('lets admins write, supervisors read, live readers read queue settings, and refuses the other roles', async () => {
    const body = { timezone: 'UTC' };
    for (const role of ['supervisor', 'wallboard', 'agent', 'ingest'] as const) {
      const res = await app.send('PUT', '/v1/config/tenant', app.token({ tenant, role }), body);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('admin') } });
    }
    for (const role of ['wallboard', 'agent', 'ingest'] as const) {
      expect((await app.get('/v1/config/tenant', app.token({ tenant, role }))).status).toBe(403);
    }
    // A wallboard colours its tiles by the queue's target: it reads queue settings, as an agent
    // does for the queues in its claim; ingest reads nothing.
    expect((await app.get('/v1/config/queues/sales', app.token({ tenant, role: 'wallboard' }))).status).toBe(200);
    expect((await app.get('/v1/config/queues/sales', app.token({ tenant, role: 'agent', queues: ['sales'] }))).status).toBe(200);
    expect((await app.get('/v1/config/queues/sales', app.token({ tenant, role: 'agent', queues: ['support'] }))).status).toBe(403);
    expect((await app.get('/v1/config/queues/sales', app.token({ tenant, role: 'ingest' }))).status).toBe(403);
    expect((await app.get('/v1/config/tenant', app.token({ tenant, role: 'supervisor' }))).status).toBe(200);
    expect((await app.get('/v1/config/tenant', 'not-a-token')).status).toBe(401);
  });

  it('keeps a queue-limited caller to its queues, and tenants apart', async () => {
    const limited = app.token({ tenant, role: 'admin', queues: ['support'] });
    expect((await app.get('/v1/config/queues/sales', limited)).status).toBe(403);
    const body = { slThresholdSec: 15, slTargetPct: 90, shortAbandonSec: 3, slFormula: 'excludeShortAbandons' };
    expect((await app.send('PUT', '/v1/config/queues/sales', limited, body)).status).toBe(403);
    expect((await app.send('PUT', '/v1/config/queues/support', limited, body)).status).toBe(200);
    const other = app.token({ tenant: `other-${kind}`, role: 'supervisor' });
    expect(await (await app.get('/v1/config/queues/support', other)).json()).toMatchObject({ slThresholdSec: 20, updatedAt: null });
    expect((await app.send('POST', '/v1/config/tenant', admin(), {})).status).toBe(405);
  });
});
