/**
 * Per-tenant ingest limit: a token bucket in events per second (SPEC §2, 429).
 *
 * A batch of n events takes n tokens. A batch larger than the burst can never fit in the
 * bucket, so it is accepted when the bucket is full and leaves the bucket in debt: the long-run
 * rate still holds, because the following batches wait until the debt is repaid.
 */

export type TakeResult = { ok: true } | { ok: false; retryAfterSec: number };

export interface RateLimiter {
  take(tenant: string, n: number): TakeResult;
  /** Buckets held in memory: full, idle buckets are dropped. */
  bucketCount(): number;
}

export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  clock: { now(): number };
}

interface Bucket {
  tokens: number;
  /** Clock time of `tokens`, epoch ms. */
  at: number;
}

/** How often full buckets are looked for, so the sweep costs O(tenants) at most once a second. */
const SWEEP_INTERVAL_MS = 1000;

export function createRateLimiter({ ratePerSec, burst, clock }: RateLimiterOptions): RateLimiter {
  if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`ratePerSec must be a positive number, got ${ratePerSec}`);
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);

  const buckets = new Map<string, Bucket>();
  let lastSweep = clock.now();

  const level = (bucket: Bucket, now: number): number =>
    Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) * ratePerSec) / 1000);

  // A full bucket behaves exactly like a missing one, so dropping it changes no decision.
  const sweep = (now: number): void => {
    for (const [tenant, bucket] of buckets) {
      if (level(bucket, now) >= burst) buckets.delete(tenant);
    }
    lastSweep = now;
  };

  return {
    take(tenant, n) {
      if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
      if (n === 0) return { ok: true };
      const now = clock.now();
      if (now - lastSweep >= SWEEP_INTERVAL_MS) sweep(now);
      const bucket = buckets.get(tenant);
      const tokens = bucket === undefined ? burst : level(bucket, now);
      const needed = Math.min(n, burst);
      if (tokens < needed) {
        // Retry-After is whole seconds; round up so a retry at that time succeeds.
        return { ok: false, retryAfterSec: Math.max(1, Math.ceil((needed - tokens) / ratePerSec)) };
      }
      if (bucket === undefined) {
        buckets.set(tenant, { tokens: tokens - n, at: now });
      } else {
        bucket.tokens = tokens - n;
        bucket.at = now;
      }
      return { ok: true };
    },
    bucketCount: () => buckets.size,
  };
}
