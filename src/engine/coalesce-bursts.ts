import { asapScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Collects the values a source emits in one synchronous burst (a log read's records) and emits
 * them as one array on the next microtask: no timer, so no latency is added, but a busy reader's
 * records can be applied together, tenant by tenant, with their state hot in cache.
 */
export function coalesceBursts<T>(scheduler: SchedulerLike = asapScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let burst: T[] | null = null;
      // The scheduled flush, held by the subscriber (which cancels it on unsubscribe) only until it
      // runs: a scheduled action that has run stays attached to what it was added to, so holding
      // each one kept an action per burst for as long as the pipeline ran.
      let pending: Subscription | null = null;
      const flush = (): void => {
        if (pending !== null) {
          subscriber.remove(pending);
          pending = null;
        }
        const out = burst;
        burst = null;
        if (out) subscriber.next(out);
      };
      const cancelAndFlush = (): void => {
        pending?.unsubscribe();
        flush();
      };
      // The flush is the subscriber's to cancel, not the source subscription's: a source may emit
      // while it is being subscribed to.
      const subscription = source.subscribe({
        next: (value) => {
          if (burst === null) {
            burst = [];
            pending = scheduler.schedule(flush);
            subscriber.add(pending);
          }
          burst.push(value);
        },
        error: (err: unknown) => {
          cancelAndFlush();
          subscriber.error(err);
        },
        complete: () => {
          cancelAndFlush();
          subscriber.complete();
        },
      });
      return subscription;
    });
}
