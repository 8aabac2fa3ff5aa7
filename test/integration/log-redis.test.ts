import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { firstValueFrom, take, toArray, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import {
  InvalidPositionError,
  LogUnavailableError,
  RedisEventLog,
  advanceCursor,
  nextReadBatch,
  readBatchLimit,
  MAX_READ_BYTES,
  comparePositions,
  cursorReached,
  partitionOf,
  type LogRecord,
  type RedisLogOptions,
} from '../../src/log/index.js';
import { Relay } from '../support/relay.js';
import { collectGarbage } from '../support/collect-garbage.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `ph:test:${randomBytes(6).toString('hex')}:`;

function queued(id: string, ts = 1_700_000_000_000): HubEvent {
  return { id, type: 'contact.queued', ts, contactId: `c-${id}`, queueId: 'q1', channel: 'voice' } as HubEvent;
}

function records(records$: Observable<LogRecord>, n: number): Promise<LogRecord[]> {
  return firstValueFrom(records$.pipe(take(n), toArray()));
}

/** Tenants of distinct partitions, found by hashing candidate names. */
function tenantsByPartition(partitions: number, label: string): string[] {
  const found = new Array<string | undefined>(partitions).fill(undefined);
  for (let i = 0; found.includes(undefined); i++) {
    const tenant = `${label}-${i}`;
    found[partitionOf(tenant, partitions)] ??= tenant;
  }
  return found as string[];
}

let redis: Redis;
const logs: RedisEventLog[] = [];

/** A log with its own key prefix (one per test), closed after the test. */
function openLog(prefix: string, options: Partial<RedisLogOptions> = {}): RedisEventLog {
  const log = new RedisEventLog({ url: REDIS_URL, prefix, ...options });
  logs.push(log);
  return log;
}

let testCount = 0;
function freshPrefix(): string {
  testCount += 1;
  return `${PREFIX}${testCount}:`;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
});

afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('partitionOf', () => {
  it('is FNV-1a (32 bit) of the UTF-8 bytes modulo the partitions', () => {
    // Published FNV-1a test vectors, seen through a modulus of 2^32.
    expect(partitionOf('a', 2 ** 32)).toBe(0xe40c292c);
    expect(partitionOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
    expect(partitionOf('foobar', 4)).toBe(0xbf9cf968 % 4);
  });
});

describe('nextReadBatch', () => {
  it('doubles while a partition fills its batch, up to the most, and drops to the least once none does', () => {
    expect(nextReadBatch(100, true, 100, 5000)).toBe(200);
    expect(nextReadBatch(3200, true, 100, 5000)).toBe(5000);
    expect(nextReadBatch(5000, true, 100, 5000)).toBe(5000);
    expect(nextReadBatch(5000, false, 100, 5000)).toBe(100);
    expect(nextReadBatch(100, false, 100, 5000)).toBe(100);
  });

  it('asks for fewer entries when they are large, so that a read stays near MAX_READ_BYTES', () => {
    // The engine benchmark's records (~700 bytes) on 4 partitions: the full 5,000.
    expect(readBatchLimit(100, 5000, 700, 4)).toBe(5000);
    // Records of 500 events (~100 KB): 83 per partition, 32 MB in all.
    expect(readBatchLimit(100, 5000, 100_000, 4)).toBe(100);
    expect(readBatchLimit(10, 5000, 100_000, 4)).toBe(Math.floor(MAX_READ_BYTES / 400_000));
    // Nothing read yet: no size to go by.
    expect(readBatchLimit(100, 5000, 0, 4)).toBe(5000);
  });
});

describe('RedisEventLog', () => {
  it('appends a batch as one entry of the tenant partition and reads it back', async () => {
    const prefix = freshPrefix();
    const log = openLog(prefix);
    const [t0, t1, t2, t3] = tenantsByPartition(4, 'acme');
    const appended = [];
    for (const tenant of [t0, t1, t2, t3] as string[]) appended.push(await log.append(tenant, [queued('e1'), queued('e2')]));
    for (const [p, result] of appended.entries()) {
      expect(result).toMatchObject({ accepted: 2, duplicates: 0, acceptedIds: ['e1', 'e2'] });
      expect(result.position.startsWith(`${p}:`)).toBe(true);
      expect(await redis.xlen(`${prefix}log:${p}`)).toBe(1);
    }
    const read = await records(log.read(), 4);
    expect(read.map((r) => r.position).sort()).toEqual(appended.map((a) => a.position).sort());
    expect(read.find((r) => r.tenant === t2)?.events).toEqual([queued('e1'), queued('e2')]);
  });

  it('stamps records with its clock, and reads the stream id time from entries without one', async () => {
    const prefix = freshPrefix();
    const log = openLog(prefix, { clock: { now: () => 1_700_000_000_500 } });
    await log.append('acme', [queued('s1')]);
    const stream = `${prefix}log:${partitionOf('acme', 4)}`;
    await redis.xadd(stream, '4102444800000-0', 't', 'acme', 'e', JSON.stringify([queued('s2')]));
    const read = await records(log.read(), 2);
    expect(read.map((r) => r.appendedAt)).toEqual([1_700_000_000_500, 4_102_444_800_000]);
  });

  it('parses a record\'s events when they are read, and names a corrupt entry by position', async () => {
    const prefix = freshPrefix();
    const log = openLog(prefix, { partitions: 1 });
    const stream = `${prefix}log:0`;
    await redis.xadd(stream, '1-0', 't', 'acme', 'a', '1', 'e', JSON.stringify([queued('p1')]));
    await redis.xadd(stream, '2-0', 't', 'acme', 'a', '2', 'e', '{"not": "an array"}');
    await redis.xadd(stream, '3-0', 't', 'acme', 'a', '3', 'e', '[{"id": ');
    const [good, notArray, truncated] = await records(log.read(), 3);
    expect(good?.events).toEqual([queued('p1')]);
    expect(() => notArray?.events).toThrow('corrupt log entry at 0:2-0');
    expect(() => truncated?.events).toThrow('corrupt log entry at 0:3-0');
    // Without a tenant the record cannot even be routed: the read fails.
    await redis.xadd(stream, '4-0', 'a', '4', 'e', '[]');
    await expect(records(log.read('0:3-0'), 1)).rejects.toThrow('corrupt log entry at 0:4-0');
  });

  it('names the newest entry of every partition as head, 0-0 where a partition is empty', async () => {
    const log = openLog(freshPrefix(), { partitions: 3 });
    const [t0, , t2] = tenantsByPartition(3, 'head') as [string, string, string];
    expect(await log.head()).toBe('0:0-0,1:0-0,2:0-0');
    await log.append(t0, [queued('h1')]);
    const last0 = await log.append(t0, [queued('h2')]);
    const last2 = await log.append(t2, [queued('h3')]);
    const head = await log.head();
    expect(head).toBe(`${last0.position},1:0-0,${last2.position}`);
    // Reading from the start reaches head exactly at the newest record.
    let cursor: string | undefined;
    const read = await records(log.read(), 3);
    for (const record of read) cursor = advanceCursor(cursor, record.position);
    expect(cursorReached(cursor, head)).toBe(true);
    expect(cursorReached(advanceCursor(undefined, last0.position), head)).toBe(false);
  });

  it('drops duplicates within a batch and across two nodes, and sets the dedupe TTL', async () => {
    const prefix = freshPrefix();
    const nodeA = openLog(prefix, { dedupTtlMs: 60_000, clock: { now: () => 1_700_000_000_123 } });
    const nodeB = openLog(prefix, { dedupTtlMs: 60_000 });
    const first = await nodeA.append('acme', [queued('d1'), queued('d2'), queued('d1')]);
    expect(first).toMatchObject({ accepted: 2, duplicates: 1, acceptedIds: ['d1', 'd2'] });
    const second = await nodeB.append('acme', [queued('d2'), queued('d3')]);
    expect(second).toMatchObject({ accepted: 1, duplicates: 1, acceptedIds: ['d3'] });
    expect(await nodeB.append('other', [queued('d1')])).toMatchObject({ accepted: 1 });
    const none = await nodeA.append('acme', [queued('d1'), queued('d3')]);
    expect(none).toEqual({ position: second.position, accepted: 0, duplicates: 2, acceptedIds: [] });
    const ttl = await redis.pttl(`${prefix}dedup:acme:d1`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const [entry] = await redis.xrange(`${prefix}log:${partitionOf('acme', 4)}`, '-', '+', 'COUNT', 1);
    expect(entry?.[1]).toEqual(['t', 'acme', 'a', '1700000000123', 'e', JSON.stringify([queued('d1'), queued('d2')])]);
  });

  it('keeps dedupe keys of tenants with a colon apart', async () => {
    const log = openLog(freshPrefix());
    await log.append('a:b', [queued('c')]);
    expect(await log.append('a', [queued('b:c')])).toMatchObject({ accepted: 1 });
  });

  it('reads after a cursor, then follows new appends of every partition live', async () => {
    const log = openLog(freshPrefix(), { partitions: 3 });
    const tenants = tenantsByPartition(3, 'tail');
    const early = [];
    for (const tenant of tenants) early.push(await log.append(tenant, [queued(`${tenant}-1`)]));
    let cursor: string | undefined;
    for (const result of early.slice(0, 2)) cursor = advanceCursor(cursor, result.position);
    const reading = records(log.read(cursor), 4);
    const late = [];
    for (const tenant of tenants) late.push(await log.append(tenant, [queued(`${tenant}-2`)]));
    const got = await reading;
    expect(got.map((r) => r.position).sort()).toEqual([early[2], ...late].map((r) => r?.position).sort());
    // Per partition, log order.
    const inPartition1 = got.filter((r) => r.position.startsWith('1:')).map((r) => r.position);
    expect([...inPartition1].sort(comparePositions)).toEqual(inPartition1);
  });

  it('reads more at a time while behind, up to maxReadBatch, and little once caught up', async () => {
    const log = openLog(freshPrefix(), { partitions: 1, readBatch: 10, maxReadBatch: 80 });
    const ids = Array.from({ length: 300 }, (_, i) => `b${i}`);
    await Promise.all(ids.map((id) => log.append('burst', [queued(id)])));
    // A read's records reach the subscriber in one synchronous run: split the runs by microtask.
    const runs: number[] = [];
    const seen: string[] = [];
    let open = false;
    const reading = new Promise<void>((resolve) => {
      const sub = log.read().subscribe((record) => {
        seen.push((record.events[0] as HubEvent).id);
        if (!open) {
          open = true;
          runs.push(0);
          queueMicrotask(() => (open = false));
        }
        runs[runs.length - 1]! += 1;
        if (seen.length === 303) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    await expect.poll(() => seen.length).toBe(300);
    for (const id of ['late1', 'late2', 'late3']) await log.append('burst', [queued(id)]);
    await reading;
    // 10, 20, 40, 80, 80, then what is left (70, with no full batch) and the three live appends.
    expect(runs.slice(0, 6)).toEqual([10, 20, 40, 80, 80, 70]);
    expect(runs.slice(6).reduce((a, b) => a + b, 0)).toBe(3);
    expect(new Set(seen).size).toBe(303);
    expect(() => openLog(freshPrefix(), { readBatch: 100, maxReadBatch: 50 })).toThrow(/maxReadBatch must be an integer from 100/);
  });

  it('holds none of a read\'s records, nor its reply, while it waits for the next read', async () => {
    // Weak references to every XREAD reply (the entries, with each record's JSON text), taken by
    // a wrapper of our own: a vitest spy would keep every result.
    const replies: WeakRef<object>[] = [];
    const proto = Redis.prototype as unknown as { xread: (...args: unknown[]) => Promise<object | null> };
    const xread = proto.xread;
    proto.xread = async function (this: Redis, ...args: unknown[]) {
      const reply = await xread.apply(this, args);
      if (reply !== null) replies.push(new WeakRef(reply));
      return reply;
    };
    try {
      const log = openLog(freshPrefix(), { partitions: 1, blockMs: 60_000 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append('held', [queued(`h${i}`)])));
      // The subscriber keeps weak references only: whatever keeps a record alive is the reader's.
      const delivered: WeakRef<LogRecord>[] = [];
      const sub = log.read().subscribe((record) => delivered.push(new WeakRef(record)));
      await expect.poll(() => delivered.length).toBe(50);
      // The reader now blocks on its next read (nothing more is appended) for up to blockMs.
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
      collectGarbage();
      expect(replies.length).toBeGreaterThan(0);
      expect(replies.filter((r) => r.deref() !== undefined)).toHaveLength(0);
      expect(delivered.filter((r) => r.deref() !== undefined)).toHaveLength(0);
      sub.unsubscribe();
    } finally {
      proto.xread = xread;
    }
  });

  it('refuses a cursor naming a partition the log does not have', () => {
    const log = openLog(freshPrefix(), { partitions: 2 });
    expect(() => log.read('5:1-0')).toThrow(InvalidPositionError);
  });

  it('trims each partition before the cursor, keeping the record at it', async () => {
    const prefix = freshPrefix();
    const log = openLog(prefix, { partitions: 2 });
    const [t0, t1] = tenantsByPartition(2, 'trim') as [string, string];
    const a1 = await log.append(t0, [queued('1')]);
    const a2 = await log.append(t0, [queued('2')]);
    await log.append(t0, [queued('3')]);
    await log.append(t1, [queued('1')]);
    await log.trim(advanceCursor(undefined, a2.position));
    expect(await redis.xlen(`${prefix}log:0`)).toBe(2);
    expect(await redis.xlen(`${prefix}log:1`)).toBe(1);
    const left = await records(log.read(), 3);
    expect(left.some((r) => r.position === a1.position)).toBe(false);
    expect(left.some((r) => r.position === a2.position)).toBe(true);
  });

  it('writes nothing, not even dedupe keys, when the entry cannot be added', async () => {
    const prefix = freshPrefix();
    const log = openLog(prefix);
    const partition = partitionOf('acme', 4);
    // A plain string where the stream should be: XADD fails with WRONGTYPE inside the script.
    await redis.set(`${prefix}log:${partition}`, 'not a stream');
    const failed = log.append('acme', [queued('w1'), queued('w2')]);
    await expect(failed).rejects.toThrow(/WRONGTYPE/);
    await expect(failed).rejects.not.toBeInstanceOf(LogUnavailableError);
    expect(await redis.exists(`${prefix}dedup:acme:w1`, `${prefix}dedup:acme:w2`)).toBe(0);
    await redis.del(`${prefix}log:${partition}`);
    expect(await log.append('acme', [queued('w1'), queued('w2')])).toMatchObject({ accepted: 2 });
  });

  it('fails fast with LogUnavailableError when nothing listens', async () => {
    const log = new RedisEventLog({ url: 'redis://127.0.0.1:6390', prefix: freshPrefix() });
    logs.push(log);
    const started = performance.now();
    await expect(log.append('acme', [queued('u1')])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.append('acme', [queued('u2')])).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(log.ping()).rejects.toBeInstanceOf(LogUnavailableError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('completes readers on close and refuses appends after', async () => {
    const log = new RedisEventLog({ url: REDIS_URL, prefix: freshPrefix() });
    await log.append('acme', [queued('c1')]);
    const all = firstValueFrom(log.read().pipe(toArray()));
    await log.close();
    await expect(all).resolves.toBeInstanceOf(Array);
    await expect(log.append('acme', [queued('c2')])).rejects.toBeInstanceOf(LogUnavailableError);
  });
});

describe('RedisEventLog through an outage', () => {
  const relay = new Relay(6379);
  afterAll(() => relay.stop());

  it('fails appends while Redis is away and resumes reading without loss or repeat', async () => {
    await relay.start();
    const prefix = freshPrefix();
    const direct = openLog(prefix);
    const cut = new RedisEventLog({ url: `redis://127.0.0.1:${relay.port}`, prefix, blockMs: 200 });
    logs.push(cut);

    const seen: string[] = [];
    let resolveSeen!: () => void;
    const allSeen = new Promise<void>((resolve) => (resolveSeen = resolve));
    const subscription = cut.read().subscribe((r) => {
      seen.push(...r.events.map((e) => e.id));
      if (seen.includes('after')) resolveSeen();
    });

    await cut.append('acme', [queued('before')]);
    await relay.stop();
    await expect(cut.append('acme', [queued('during')])).rejects.toBeInstanceOf(LogUnavailableError);
    await direct.append('acme', [queued('while-away-1')]);
    await direct.append('acme', [queued('while-away-2')]);
    await relay.start();
    await direct.append('acme', [queued('after')]);
    await allSeen;
    subscription.unsubscribe();
    expect(seen).toEqual(['before', 'while-away-1', 'while-away-2', 'after']);
  });
});
