import { firstValueFrom, take, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import { LogUnavailableError, PostgresEventLog, comparePositions, type LogRecord } from '../../src/log/index.js';
import { DbUnavailableError, migrate, openDb, type Db } from '../../src/store/index.js';
import { createTempPglite, createTestDatabase, type TempPglite, type TestDatabase } from '../support/db.js';

function queued(id: string, ts = 1_700_000_000_000): HubEvent {
  return { id, type: 'contact.queued', ts, contactId: `c-${id}`, queueId: 'q1', channel: 'voice' } as HubEvent;
}

/** The first `n` records of a read. */
async function firstRecords(records$: Observable<LogRecord>, n: number): Promise<LogRecord[]> {
  return firstValueFrom(records$.pipe(take(n), toArray()));
}

function ids(records: readonly LogRecord[]): string[] {
  return records.flatMap((r) => r.events.map((e) => `${r.tenant}/${e.id}`));
}

let server: TestDatabase;
let pglite: TempPglite;

beforeAll(async () => {
  [server, pglite] = await Promise.all([createTestDatabase(), createTempPglite()]);
});

afterAll(async () => {
  await Promise.all([server.drop(), pglite.cleanup()]);
});

describe.each(['postgres', 'pglite'] as const)('PostgresEventLog on %s', (kind) => {
  let db: Db;
  let log: PostgresEventLog;
  const open = () => (kind === 'postgres' ? openDb({ databaseUrl: server.url, dataDir: '' }) : pglite.open());

  beforeAll(async () => {
    db = await open();
    await migrate(db);
    log = new PostgresEventLog({ db });
  });

  afterAll(async () => {
    await log.close();
    await db.close();
  });

  it('appends a batch atomically and reads it back in order, grouped by tenant', async () => {
    expect(await log.head()).toBe('0');
    const a = await log.append('acme', [queued('a1'), queued('a2')]);
    const b = await log.append('beta', [queued('b1')]);
    expect(a).toMatchObject({ accepted: 2, duplicates: 0, acceptedIds: ['a1', 'a2'] });
    expect(comparePositions(a.position, b.position)).toBeLessThan(0);
    const records = await firstRecords(log.read(), 2);
    expect(records).toMatchObject([
      { position: a.position, tenant: 'acme', events: [queued('a1'), queued('a2')] },
      { position: b.position, tenant: 'beta', events: [queued('b1')] },
    ]);
  });

  it('stamps records with its clock, one record per append (a replay applies each at its own time)', async () => {
    let now = 1_700_000_000_000;
    const stamped = new PostgresEventLog({ db, clock: { now: () => now } });
    const first = await stamped.append('stamp', [queued('s1')]);
    now += 1_234;
    await stamped.append('stamp-b', [queued('s2')]);
    now += 1;
    await stamped.append('stamp-b', [queued('s3')]);
    const records = await firstRecords(stamped.read(String(Number(first.position) - 1)), 3);
    expect(records.map((r) => [r.tenant, r.appendedAt, r.events.length])).toEqual([
      ['stamp', 1_700_000_000_000, 1],
      ['stamp-b', 1_700_000_001_234, 1],
      ['stamp-b', 1_700_000_001_235, 1],
    ]);
    await stamped.close();
  });

  it('names the newest record as head', async () => {
    const last = await log.append('head', [queued('h1'), queued('h2')]);
    expect(await log.head()).toBe(last.position);
    await log.append('head', [queued('h1')]);
    expect(await log.head()).toBe(last.position);
  });

  it('drops duplicates, within a batch and across a restart of the log and the database', async () => {
    const first = await log.append('dup', [queued('d1'), queued('d2'), queued('d1')]);
    expect(first).toMatchObject({ accepted: 2, duplicates: 1, acceptedIds: ['d1', 'd2'] });
    // Same id, other tenant: not a duplicate.
    expect(await log.append('dup-other', [queued('d1')])).toMatchObject({ accepted: 1, duplicates: 0 });

    await log.close();
    await db.close();
    db = await open();
    log = new PostgresEventLog({ db });
    const again = await log.append('dup', [queued('d2'), queued('d3')]);
    expect(again).toMatchObject({ accepted: 1, duplicates: 1, acceptedIds: ['d3'] });
    const none = await log.append('dup', [queued('d1')]);
    expect(none).toEqual({ position: again.position, accepted: 0, duplicates: 1, acceptedIds: [] });
  });

  it('reads after a position, then follows new appends live', async () => {
    const from = await log.append('tail', [queued('t1')]);
    const records = firstRecords(log.read(from.position), 2);
    const second = await log.append('tail', [queued('t2')]);
    const third = await log.append('tail-b', [queued('t3')]);
    expect((await records).map((r) => [r.position, r.tenant])).toEqual([
      [second.position, 'tail'],
      [third.position, 'tail-b'],
    ]);
  });

  it('keeps log order equal to commit order under concurrent appends, in one statement or many', async () => {
    const start = await log.append('order', [queued('o0')]);
    const appends = Array.from({ length: 40 }, (_, i) =>
      log.append(`order-${i % 4}`, [queued(`o${i}-a`), queued(`o${i}-b`)]),
    );
    const results = await Promise.all(appends);
    const records = await firstRecords(log.read(start.position), results.length);
    const positions = records.map((r) => r.position);
    expect([...positions].sort(comparePositions)).toEqual(positions);
    expect(new Set(ids(records)).size).toBe(80);
    // Every append's position is the record that holds its events.
    for (const [i, result] of results.entries()) {
      const record = records.find((r) => r.position === result.position);
      expect(record?.events.map((e) => e.id)).toContain(`o${i}-b`);
    }
  });

  it('delivers each record once to a reader that follows concurrent appends', async () => {
    const start = await log.append('live', [queued('l0')]);
    const reading = firstRecords(log.read(start.position), 30);
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(`live-${i}`, [queued(`l${i}`)])));
    const records = await reading;
    expect(ids(records).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `live-${i}/l${i}`).sort());
  });

  it('finds rows written by another writer through the poll fallback', async () => {
    const start = await log.append('poll', [queued('p0')]);
    const polling = new PostgresEventLog({ db, pollMs: 20 });
    const reading = firstRecords(polling.read(start.position), 1);
    const other = new PostgresEventLog({ db });
    const written = await other.append('poll', [queued('p1')]);
    expect((await reading)[0]?.position).toBe(written.position);
    await Promise.all([polling.close(), other.close()]);
  });

  it('retries reads through an outage and stops on any other error', async () => {
    const start = await log.append('outage', [queued('o-start')]);
    const written = await log.append('outage', [queued('o1')]);
    let failures = 2;
    let failWith: Error = new DbUnavailableError('database unavailable: test outage');
    // The real database, whose reads fail as an outage would make them fail.
    const flaky: Db = {
      ...db,
      query: (sql, params) => (sql.includes('FROM events WHERE events.seq >') && failures-- > 0 ? Promise.reject(failWith) : db.query(sql, params)),
    };
    const reader = new PostgresEventLog({ db: flaky, pollMs: 5 });
    expect((await firstRecords(reader.read(start.position), 1))[0]?.position).toBe(written.position);
    expect(failures).toBeLessThan(0);
    failures = 1;
    failWith = new Error('relation "events" does not exist');
    await expect(firstRecords(reader.read(start.position), 1)).rejects.toThrow(/does not exist/);
    await reader.close();
  });

  it('reads a long backlog page by page', async () => {
    const start = await log.append('page', [queued('p-start')]);
    const paged = new PostgresEventLog({ db, readBatch: 7, maxReadBatch: 7 });
    await log.append('page', Array.from({ length: 50 }, (_, i) => queued(`page-${i}`)));
    const records = await firstRecords(paged.read(start.position), 8);
    expect(records.flatMap((r) => r.events)).toHaveLength(50);
    await paged.close();
  });

  it('reads bigger pages while behind, up to maxReadBatch', async () => {
    const start = await log.append('grow', [queued('g-start')]);
    const paged = new PostgresEventLog({ db, readBatch: 7, maxReadBatch: 20 });
    await log.append('grow', Array.from({ length: 50 }, (_, i) => queued(`grow-${i}`)));
    // A page cuts the batch into a record per page: pages of 7, 14, 20, then the 9 left.
    const records = await firstRecords(paged.read(start.position), 4);
    expect(records.map((r) => r.events.length)).toEqual([7, 14, 20, 9]);
    expect(records.flatMap((r) => r.events.map((e) => e.id))).toEqual(Array.from({ length: 50 }, (_, i) => `grow-${i}`));
    await paged.close();
  });

  it('pages in log order across decimal digit boundaries, each event once', async () => {
    // Sequence numbers from here run past 999 -> 1000: a page ordered as text would skip and repeat.
    const start = await log.append('digits', [queued('d-start')]);
    const many = Array.from({ length: 1100 }, (_, i) => queued(`d-${i}`));
    await log.append('digits', many);
    const paged = new PostgresEventLog({ db, readBatch: 100 });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = paged.read(start.position).subscribe({
        next: (r) => {
          for (const e of r.events) events.push(e.id);
          if (events.length >= many.length) {
            sub.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(events).toEqual(many.map((e) => e.id));
    await paged.close();
  });

  it('trims records before a position and never one at or after it', async () => {
    const cut = await log.append('trim', [queued('x1')]);
    const after = await log.append('trim-b', [queued('x2')]);
    await log.trim(cut.position);
    const first = (await firstRecords(log.read(), 1))[0];
    expect(first?.position).toBe(cut.position);
    expect((await firstRecords(log.read(cut.position), 1))[0]?.position).toBe(after.position);
  });

  it('completes readers on close and rejects appends and pings after', async () => {
    const closing = new PostgresEventLog({ db });
    const all = firstValueFrom(closing.read().pipe(toArray()));
    await closing.close();
    await expect(all).resolves.toBeInstanceOf(Array);
    await expect(closing.append('x', [queued('c1')])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(closing.ping()).rejects.toBeInstanceOf(LogUnavailableError);
  });

  it('pings while the database answers and fails once it is closed', async () => {
    await log.ping();
    await db.close();
    await expect(log.ping()).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.append('x', [queued('c2')])).rejects.toBeInstanceOf(LogUnavailableError);
  });
});

describe('PostgresEventLog with the server away', () => {
  it('fails appends and pings with LogUnavailableError', async () => {
    const db = await openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:5499/none', dataDir: '' });
    const log = new PostgresEventLog({ db });
    await expect(log.append('acme', [queued('e1')])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.ping()).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.head()).rejects.toBeInstanceOf(LogUnavailableError);
    await log.close();
    await db.close();
  });
});
