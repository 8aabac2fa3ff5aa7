import { asapScheduler, Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';

/**
 * Collects the values a source emits in one synchronous burst (a log read's records) and emits
 * them as one array on the next microtask: no timer, so no latency is added, but a busy reader's
 * records can be applied together, tenant by tenant, with their state hot in cache.
 */
export function coalesceBursts<T>(scheduler: SchedulerLike = asapScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let burst: T[] | null = null;
      const flush = (): void => {
        const out = burst;
        burst = null;
        if (out) subscriber.next(out);
      };
      // The flush is the subscriber's to cancel: a source may emit while it is being subscribed to.
      const subscription = source.subscribe({
        next: (value) => {
          if (burst === null) {
            burst = [];
            subscriber.add(scheduler.schedule(flush));
          }
          burst.push(value);
        },
        error: (err: unknown) => {
          flush();
          subscriber.error(err);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return subscription;
    });
}
