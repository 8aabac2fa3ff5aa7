/**
 * How much a log reader asks for per read. A reader that keeps up reads what arrived; one that is
 * behind (a replay, a backlog) reads more at a time: the engine applies a read tenant by tenant,
 * so a big read keeps each tenant's state in cache while its records apply (on the engine
 * benchmark, reads of 20,000 records ran ~35% faster than reads of 400, and reads of 50,000
 * 8-25% faster than reads of 20,000). Such a read takes a few hundred ms to apply, which only a
 * reader that is behind pays.
 */

/**
 * Most entries per partition per read of the Redis log while behind: 50,000 records over the
 * default 4 partitions, which for posts of a few events (~600 bytes) is about MAX_READ_BYTES.
 */
export const DEFAULT_MAX_READ_BATCH = 12_500;

/** Most JSON a read of the Redis log should bring (bytes, all partitions): entries can be large. */
export const MAX_READ_BYTES = 32 * 1024 * 1024;

/**
 * The most entries per partition a read may ask for when entries average `bytesPerEntry` (as the
 * last read's did): `max`, or fewer so that a read of every partition stays near MAX_READ_BYTES,
 * but never fewer than `min`.
 */
export function readBatchLimit(min: number, max: number, bytesPerEntry: number, partitions: number): number {
  if (!(bytesPerEntry > 0)) return max;
  return Math.max(min, Math.min(max, Math.floor(MAX_READ_BYTES / (partitions * bytesPerEntry))));
}

/** Size of the next read: twice the last while behind (the last read came back full), up to `max`; `min` once caught up. */
export function nextReadBatch(count: number, behind: boolean, min: number, max: number): number {
  return behind ? Math.min(count * 2, max) : min;
}
