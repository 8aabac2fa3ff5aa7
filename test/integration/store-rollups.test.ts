import { Counter, Gauge, Registry } from 'prom-client';
import { VirtualTimeScheduler } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentIntervalRow, QueueIntervalRow, RollupBatch } from '../../src/engine/index.js';
import {
  createDbLease,
  createRollupWriter,
  migrate,
  openDb,
  type Db,
  type RollupWriterMetrics,
  type RollupWriterOptions,
  type StoreLogger,
} from '../../src/store/index.js';
import { Relay } from '../support/relay.js';
import { agentRow, byAgentKey, byQueueKey, createBackends, queueRow, readAgentRows, readQueueRows, type Backends } from '../support/rollups.js';

const Q0 = Date.UTC(2026, 5, 15, 8, 0);
const STEP = 900_000;

const clock = { now: () => Q0 + 3_600_000 };
const quiet: StoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function batch(tenant: string, seed: number, intervals = 4): RollupBatch {
  const queues: QueueIntervalRow[] = [];
  const agents: AgentIntervalRow[] = [];
  for (let i = 0; i < intervals; i++) {
    for (const [j, q] of ['sales', 'support'].entries()) {
      for (const [k, ch] of (['voice', 'chat'] as const).entries()) queues.push(queueRow(tenant, q, ch, Q0 + i * STEP, seed * 1000 + i * 10 + j * 2 + k));
    }
    for (const [j, a] of ['a1', 'a2', 'a3'].entries()) agents.push(agentRow(tenant, a, Q0 + i * STEP, seed * 1000 + 500 + i * 10 + j));
  }
  return { queues, agents };
}

function metricsFor(registry: Registry): RollupWriterMetrics & { gauge: Gauge; dropped: Counter } {
  const gauge = new Gauge({ name: 'backlog', help: 'h', registers: [registry] });
  const dropped = new Counter({ name: 'dropped', help: 'h', registers: [registry] });
  return { backlogRows: gauge, rowsWritten: new Counter({ name: 'written', help: 'h', registers: [registry] }), rowsDropped: dropped, gauge, dropped };
}

async function gaugeValue(g: Gauge | Counter): Promise<number> {
  return (await g.get()).values[0]?.value ?? 0;
}

async function expectStored(db: Db, tenant: string, expected: RollupBatch): Promise<void> {
  expect((await readQueueRows(db, tenant)).sort(byQueueKey)).toEqual([...expected.queues].sort(byQueueKey));
  expect((await readAgentRows(db, tenant)).sort(byAgentKey)).toEqual([...expected.agents].sort(byAgentKey));
}

let backends: Backends;
beforeAll(async () => {
  backends = await createBackends();
});
afterAll(async () => {
  await backends.cleanup();
});

describe.each(['postgres', 'pglite'] as const)('rollup writer on %s', (kind) => {
  let db: Db;
  const writerOn = (on: Db, extra: Partial<RollupWriterOptions> = {}) =>
    createRollupWriter({ db: on, logger: quiet, maxBacklogRows: 10_000, clock, maxRowsPerStatement: 7, ...extra });

  beforeAll(async () => {
    db = await backends.open(kind);
  });

  it('writes every counter of every row, and re-writing gives the same rows', async () => {
    const tenant = `idem-${kind}`;
    const writer = writerOn(db);
    const rows = batch(tenant, 1);
    writer.write(rows);
    await writer.flush();
    await expectStored(db, tenant, rows);
    writer.write(rows);
    writer.write(batch(tenant, 1));
    await writer.flush();
    await expectStored(db, tenant, rows);
    expect(writer.backlog()).toBe(0);
    await writer.close();
  });

  it('replaces an interval by its latest values, keeping the latest of one key queued twice', async () => {
    const tenant = `latest-${kind}`;
    const writer = writerOn(db);
    writer.write(batch(tenant, 1));
    await writer.flush();
    const older = batch(tenant, 2);
    const newer = batch(tenant, 3);
    writer.write(older);
    writer.write(newer);
    expect(writer.backlog()).toBe(newer.queues.length + newer.agents.length);
    await writer.flush();
    await expectStored(db, tenant, newer);
    await writer.close();
  });

  it('gives the same rows when two writers race with the same rows', async () => {
    const tenant = `race-${kind}`;
    const other = kind === 'postgres' ? await backends.open(kind) : db;
    const a = writerOn(db);
    const b = writerOn(other, { maxRowsPerStatement: 3 });
    const rows = batch(tenant, 4, 8);
    a.write(rows);
    b.write(batch(tenant, 4, 8));
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
    await expectStored(db, tenant, rows);
    await Promise.all([a.close(), b.close()]);
  });

  it('lets one writer per tenant write under a lease, and the other take over when it leaves', async () => {
    const tenant = `lease-${kind}`;
    const lease = (holder: string) => (t: string) => createDbLease({ db, name: `rollups:${t}`, holder, ttlMs: 60_000, clock });
    const a = writerOn(db, { lease: lease('node-a') });
    const b = writerOn(db, { lease: lease('node-b') });
    const first = batch(tenant, 5);
    a.write(first);
    await a.flush();
    await expectStored(db, tenant, first);
    // node-b computes the same rows but does not hold the lease: it keeps them, writes nothing.
    const second = batch(tenant, 6);
    b.write(second);
    await b.flush();
    await expectStored(db, tenant, first);
    expect(b.backlog()).toBe(second.queues.length + second.agents.length);
    await a.close();
    await b.flush();
    await expectStored(db, tenant, second);
    expect(b.backlog()).toBe(0);
    await b.close();
  });

  it('refuses malformed rows, naming the field', () => {
    const writer = writerOn(db);
    const bad = batch('bad', 1, 1);
    bad.queues[0]!.talkMs = 1.5;
    expect(() => writer.write(bad)).toThrow(/talkMs must be a non-negative integer, got 1.5/);
    const short = batch('bad', 1, 1);
    short.queues[0]!.answeredWithin = [1, 2];
    expect(() => writer.write(short)).toThrow(/answeredWithin must hold 10 counts/);
    expect(writer.backlog()).toBe(0);
  });
});

describe('rollup writer with the database down (postgres)', () => {
  let relay: Relay;
  let db: Db;
  let direct: Db;

  beforeAll(async () => {
    direct = await backends.open('postgres');
    relay = new Relay(5432);
    await relay.start();
    const url = new URL(backends.server.url);
    url.port = String(relay.port);
    db = await openDb({ databaseUrl: url.toString(), dataDir: '' });
    await migrate(db);
  });
  afterAll(async () => {
    await relay.stop();
    await db.close();
  });

  it('keeps rows while the database is away, shows the backlog, and writes them all when it is back', async () => {
    const tenant = 'outage';
    const registry = new Registry();
    const metrics = metricsFor(registry);
    const scheduler = new VirtualTimeScheduler();
    const logged: string[] = [];
    const logger: StoreLogger = { info: (_o, m) => logged.push(m), warn: (_o, m) => logged.push(m), error: (_o, m) => logged.push(m) };
    const writer = createRollupWriter({ db, logger, metrics, maxBacklogRows: 10_000, clock, scheduler });
    await relay.stop();
    const rows = batch(tenant, 7, 6);
    writer.write(batch(tenant, 8, 6));
    await expect(writer.flush()).rejects.toThrow(/database unavailable/);
    writer.write(rows);
    await expect(writer.flush()).rejects.toThrow(/database unavailable/);
    const expected = rows.queues.length + rows.agents.length;
    expect(writer.backlog()).toBe(expected);
    expect(await gaugeValue(metrics.gauge)).toBe(expected);
    expect(logged).toEqual(['rollup write failed: rows kept in memory, retrying with backoff']);

    await relay.start();
    // The retry timer (virtual time) writes the backlog by itself.
    scheduler.flush();
    await vi.waitFor(() => expect(writer.backlog()).toBe(0), { timeout: 10_000 });
    await expectStored(direct, tenant, rows);
    expect(await gaugeValue(metrics.gauge)).toBe(0);
    expect(logged.at(-1)).toBe('rollup writes resumed');
    await writer.close();
  });

  it('bounds the backlog, dropping the oldest intervals first', async () => {
    const registry = new Registry();
    const metrics = metricsFor(registry);
    const writer = createRollupWriter({ db, logger: quiet, metrics, maxBacklogRows: 20, clock, scheduler: new VirtualTimeScheduler() });
    await relay.stop();
    const rows = batch('bounded', 9, 4);
    writer.write(rows);
    expect(writer.backlog()).toBe(20);
    expect(await gaugeValue(metrics.dropped)).toBe(rows.queues.length + rows.agents.length - 20);
    await expect(writer.flush()).rejects.toThrow(/database unavailable/);
    await relay.start();
    // A pooled connection cut by the outage may fail once more: the writer's next try succeeds.
    await vi.waitFor(() => writer.flush(), { timeout: 10_000 });
    const kept = (await readQueueRows(direct, 'bounded')).length + (await readAgentRows(direct, 'bounded')).length;
    expect(kept).toBe(20);
    const starts = (await readQueueRows(direct, 'bounded')).map((r) => r.intervalStart);
    expect(Math.min(...starts)).toBeGreaterThan(Q0);
    await writer.close();
  });
});
