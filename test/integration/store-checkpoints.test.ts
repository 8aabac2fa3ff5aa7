import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpointStore, pruneEvents, type Db } from '../../src/store/index.js';
import { createBackends, type Backends } from '../support/rollups.js';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 10, 22, 12);

let backends: Backends;
beforeAll(async () => {
  backends = await createBackends();
});
afterAll(async () => {
  await backends.cleanup();
});

/** Inserts one event per day, `days` days back up to today, for a tenant; returns their seqs. */
async function insertEvents(db: Db, tenant: string, days: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let d = days; d >= 0; d--) {
    const ts = NOW - d * DAY_MS;
    const body = { id: `${tenant}-${d}`, type: 'contact.queued', ts, contactId: `c${d}`, queueId: 'q', channel: 'voice' };
    const { rows } = await db.query<{ seq: string }>(
      `INSERT INTO events (tenant, id, type, ts, body) VALUES ($1, $2, 'contact.queued', to_timestamp($3::float8 / 1000), $4::jsonb) RETURNING seq::text AS seq`,
      [tenant, body.id, ts, JSON.stringify(body)],
    );
    seqs.push(Number(rows[0]!.seq));
  }
  return seqs;
}

async function idsOf(db: Db, tenant: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM events WHERE tenant = $1 ORDER BY seq', [tenant]);
  return rows.map((r) => r.id);
}

describe.each(['postgres', 'pglite'] as const)('checkpoints and retention on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await backends.open(kind);
  });

  it('saves and loads the latest checkpoint of each tenant, bytes intact', async () => {
    const store = createCheckpointStore(db);
    expect(await store.load('acme')).toBeNull();
    const state = new Uint8Array(256 * 1024).map((_, i) => (i * 31) % 256);
    await store.save({ tenant: 'acme', position: '41', state: new Uint8Array([1, 2, 3]), savedAt: NOW - 1000 });
    await store.save({ tenant: 'acme', position: '42', state, savedAt: NOW });
    await store.save({ tenant: 'beta', position: '0:1700000000000-3', state: new Uint8Array(), savedAt: NOW });
    const loaded = await store.load('acme');
    expect(loaded).toEqual({ tenant: 'acme', position: '42', state, savedAt: NOW });
    expect(loaded!.state).toBeInstanceOf(Uint8Array);
    expect(await store.tenants()).toEqual(['acme', 'beta']);
  });

  it('deletes events past retention, in batches, and keeps what no checkpoint includes yet', async () => {
    const clock = { now: () => NOW };
    const seqs = await insertEvents(db, `keep-${kind}`, 9);
    await insertEvents(db, `nocp-${kind}`, 9);
    const store = createCheckpointStore(db);
    // The checkpoint includes the events of 9 to 6 days ago.
    await store.save({ tenant: `keep-${kind}`, position: String(seqs[3]), state: new Uint8Array([0]), savedAt: NOW });
    expect(await pruneEvents({ db, retentionDays: 3, clock, keepUncheckpointed: true, batchSize: 2 })).toBe(4);
    expect(await idsOf(db, `keep-${kind}`)).toEqual([5, 4, 3, 2, 1, 0].map((d) => `keep-${kind}-${d}`));
    expect(await idsOf(db, `nocp-${kind}`)).toHaveLength(10);
    // As an archive only (the log lives elsewhere): by age alone.
    expect(await pruneEvents({ db, retentionDays: 3, clock, keepUncheckpointed: false, batchSize: 2 })).toBe(8);
    expect(await idsOf(db, `keep-${kind}`)).toEqual([3, 2, 1, 0].map((d) => `keep-${kind}-${d}`));
    expect(await idsOf(db, `nocp-${kind}`)).toEqual([3, 2, 1, 0].map((d) => `nocp-${kind}-${d}`));
    await expect(pruneEvents({ db, retentionDays: 0, clock, keepUncheckpointed: false })).rejects.toThrow(RangeError);
  });
});
