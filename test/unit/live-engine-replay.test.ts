import { Subject, takeUntil, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { LiveEngine, type EventBatch } from '../../src/engine/index.js';

const T0 = Date.UTC(2026, 10, 22, 10);
const HOUR = 3_600_000;

/** A LiveEngine on a virtual clock, replaying one record an hour old, then run for six seconds. */
async function replayAndRun(replayed: Promise<unknown>): Promise<LiveEngine> {
  const test = new TestScheduler((a, b) => expect(a).toEqual(b));
  const live = new LiveEngine({
    scheduler: { now: () => T0 + test.now(), schedule: test.schedule.bind(test) },
    tickMs: 1000,
  });
  live.holdTime(replayed);
  // Let a settled replay release the hold (it does so on a microtask, as in the node).
  await Promise.resolve();
  await Promise.resolve();
  test.run(() => {
    const batches = new Subject<EventBatch>();
    live.run(batches).pipe(takeUntil(timer(6000))).subscribe();
    batches.next({
      tenant: 't',
      position: '1',
      at: T0 - HOUR,
      events: [{ id: 'e1', type: 'contact.queued', ts: T0 - HOUR, contactId: 'c1', queueId: 'q', channel: 'voice' }],
    });
  });
  return live;
}

describe('LiveEngine replay time', () => {
  it('does not let ticks move engine time while the log replays', async () => {
    const live = await replayAndRun(new Promise(() => undefined));
    // The record was applied at its append time, and six seconds of ticks left it there.
    expect(live.tenant('t').now).toBe(T0 - HOUR);
  });

  it('lets ticks move engine time once the replay is done', async () => {
    const live = await replayAndRun(Promise.resolve());
    // Ticks at 1 s … 5 s moved it to the clock (the run ends as the 6 s tick falls due).
    expect(live.tenant('t').now).toBe(T0 + 5000);
  });
});
