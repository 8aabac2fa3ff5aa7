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
      const subscription = source.subscribe({
        next: (value) => {
          if (burst === null) {
            burst = [];
            subscription.add(scheduler.schedule(flush));
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
