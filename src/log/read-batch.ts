/**
 * How much a log reader asks for per read. A reader that keeps up reads what arrived; one that is
 * behind (a replay, a backlog) reads more at a time: the engine applies a read tenant by tenant,
 * so a big read keeps each tenant's state in cache while its records apply (on the engine
 * benchmark, reads of 20,000 records ran ~35% faster than reads of 400). Such a read takes a few
 * hundred ms to apply, which only a reader that is behind pays.
 */

/** Most entries per partition per read of the Redis log while behind. */
export const DEFAULT_MAX_READ_BATCH = 5000;

/** Size of the next read: twice the last while behind (the last read came back full), up to `max`; `min` once caught up. */
export function nextReadBatch(count: number, behind: boolean, min: number, max: number): number {
  return behind ? Math.min(count * 2, max) : min;
}
