/**
 * The node's bookkeeping around the log, on the memory log: replay up to the head at append
 * times then live, the lag of its own appends, and the append times that update frames carry.
 */
import { describe, expect, it } from 'vitest';
import type { EventBatch, ViewUpdate } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import { MemoryEventLog, type LogRecord } from '../../src/log/index.js';
import { followLog } from '../../src/node/follow.js';
import { AppendLag } from '../../src/node/lag.js';
import { AppendTimes } from '../../src/node/latency.js';

function queued(id: string): HubEvent {
  return { id, type: 'contact.queued', ts: 1_700_000_000_000, contactId: `c-${id}`, queueId: 'q', channel: 'voice' };
}

function clockAt(start: number) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('followLog', () => {
  it('replays what precedes the head at its append time, then passes live records without one', async () => {
    const clock = clockAt(1000);
    const log = new MemoryEventLog({ clock });
    await log.append('a', [queued('e1'), queued('e2')]);
    clock.t = 2000;
    await log.append('b', [queued('e3')]);
    const seen: [string, boolean, number][] = [];
    const followed = followLog({ log, head: await log.head(), onRecord: (r, replayed, n) => seen.push([r.position, replayed, n]) });
    // Plays the engine: bookkeeping happens once a batch is applied, not when it is passed on.
    const batches: EventBatch[] = [];
    let applying = true;
    const subscription = followed.batches$.subscribe((b) => {
      batches.push(b);
      if (applying) b.applied?.(b.events.length);
    });
    expect(await followed.replayed).toEqual({ records: 2, events: 3 });
    applying = false;
    clock.t = 3000;
    await log.append('a', [queued('e4')]);
    expect(batches).toHaveLength(3);
    expect(seen).toEqual([
      ['1', true, 2],
      ['2', true, 1],
    ]);
    batches[2]!.applied?.(1);
    subscription.unsubscribe();
    expect(batches.map(({ tenant, position, events, at }) => ({ tenant, position, events, at }))).toEqual([
      { tenant: 'a', position: '1', events: [queued('e1'), queued('e2')], at: 1000 },
      { tenant: 'b', position: '2', events: [queued('e3')], at: 2000 },
      { tenant: 'a', position: '3', events: [queued('e4')], at: undefined },
    ]);
    expect(seen).toEqual([
      ['1', true, 2],
      ['2', true, 1],
      ['3', false, 1],
    ]);
  });

  it('has replayed only once the engine has applied the last record up to the head', async () => {
    const log = new MemoryEventLog();
    await log.append('a', [queued('e1')]);
    await log.append('a', [queued('e2'), queued('e3')]);
    const followed = followLog({ log, head: await log.head() });
    const batches: EventBatch[] = [];
    const subscription = followed.batches$.subscribe((b) => batches.push(b));
    let replayed = false;
    void followed.replayed.then(() => (replayed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(2);
    batches[0]!.applied?.(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(replayed).toBe(false);
    batches[1]!.applied?.(2);
    expect(await followed.replayed).toEqual({ records: 2, events: 3 });
    subscription.unsubscribe();
  });

  it('has nothing to replay on an empty log', async () => {
    const log = new MemoryEventLog();
    expect(await followLog({ log, head: await log.head() }).replayed).toEqual({ records: 0, events: 0 });
  });

  it('fails the replay when the log closes before its head', async () => {
    const log = new MemoryEventLog();
    await log.append('a', [queued('e1')]);
    const followed = followLog({ log, head: '5' });
    const subscription = followed.batches$.subscribe({ error: () => undefined });
    await log.close();
    await expect(followed.replayed).rejects.toThrow(/closed before the replay reached its head/);
    subscription.unsubscribe();
  });
});

describe('AppendLag', () => {
  function gauge() {
    const g = { value: 0, inc: (n: number) => void (g.value += n), dec: (n: number) => void (g.value -= n) };
    return g;
  }
  const appended = (position: string, accepted: number) => ({ position, accepted, duplicates: 0, acceptedIds: [] });

  it('counts accepted events until the engine passes their record, and settles waiters then', async () => {
    const g = gauge();
    const lag = new AppendLag(g);
    lag.appended(appended('3', 10));
    lag.appended(appended('5', 4));
    lag.appended(appended('5', 0));
    expect(g.value).toBe(14);
    let settled = false;
    void lag.settled().then(() => (settled = true));
    lag.applied('4');
    expect(g.value).toBe(4);
    lag.applied('5');
    expect(g.value).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(true);
    await lag.settled();
  });

  it('ignores an append whose record was applied before the append resolved', () => {
    const g = gauge();
    const lag = new AppendLag(g);
    lag.applied('0:7-0');
    lag.appended(appended('0:6-0', 3));
    lag.appended(appended('1:1-0', 2));
    expect(g.value).toBe(2);
  });
});

describe('AppendTimes', () => {
  const update = (tenant: string, view: string): ViewUpdate => ({ tenant, view, position: 'p', snapshot: {} as ViewUpdate['snapshot'], changes: [] });
  const record = (tenant: string, appendedAt: number): LogRecord => ({ tenant, position: '1', events: [], appendedAt });

  it('gives each view its first update after live records the oldest append time, once', () => {
    const clock = clockAt(10_000);
    const times = new AppendTimes(clock);
    times.applied(record('a', 9_000));
    times.applied(record('a', 9_500));
    expect(times.stamp(update('a', '*')).appendedAt).toBe(9_000);
    expect(times.stamp(update('a', 'sales')).appendedAt).toBe(9_000);
    expect(times.stamp(update('a', '*')).appendedAt).toBeUndefined();
    expect(times.stamp(update('b', '*')).appendedAt).toBeUndefined();
    times.applied(record('a', 9_900));
    expect(times.stamp(update('a', '*')).appendedAt).toBe(9_900);
  });

  it('does not report records nobody watched for long', () => {
    const clock = clockAt(100_000);
    const times = new AppendTimes(clock);
    times.applied(record('a', 50_000));
    expect(times.stamp(update('a', '*')).appendedAt).toBeUndefined();
  });
});
