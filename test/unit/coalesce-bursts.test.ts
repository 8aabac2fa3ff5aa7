/**
 * coalesceBursts (src/engine/coalesce-bursts.ts): each synchronous burst of a source becomes one
 * array on the next microtask, and a flush that has run is not kept by the subscription (one per
 * burst, for as long as a node's pipeline runs).
 */
import { asapScheduler, Observable, Subject, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { coalesceBursts } from '../../src/engine/coalesce-bursts.js';

const microtasks = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('coalesceBursts', () => {
  it('emits each synchronous burst as one array, and keeps no flush that has run', async () => {
    // Counts the scheduled flushes still attached when the subscription ends (each would be cancelled then).
    let cancelledAtEnd = 0;
    const counting: SchedulerLike = {
      now: () => asapScheduler.now(),
      schedule: (work, delay, state) => {
        const action = asapScheduler.schedule(work as never, delay, state);
        action.add(() => cancelledAtEnd++);
        return action;
      },
    };
    const source = new Subject<number>();
    const bursts: number[][] = [];
    const subscription = source.pipe(coalesceBursts(counting)).subscribe((b) => bursts.push(b));
    for (let k = 0; k < 50; k++) {
      source.next(2 * k);
      source.next(2 * k + 1);
      await microtasks();
    }
    expect(bursts).toHaveLength(50);
    expect(bursts[49]).toEqual([98, 99]);
    subscription.unsubscribe();
    expect(cancelledAtEnd).toBe(0);
  });

  it('takes a burst emitted while it is being subscribed to, and flushes a pending burst when the source ends', async () => {
    const bursts: number[][] = [];
    let done = false;
    new Observable<number>((sub) => {
      sub.next(1);
      sub.next(2);
    })
      .pipe(coalesceBursts())
      .subscribe((b) => bursts.push(b));
    const source = new Subject<number>();
    source.pipe(coalesceBursts()).subscribe({ next: (b) => bursts.push(b), complete: () => (done = true) });
    source.next(3);
    source.complete();
    expect(bursts).toEqual([[3]]);
    expect(done).toBe(true);
    await microtasks();
    expect(bursts).toEqual([[3], [1, 2]]);
  });
});
