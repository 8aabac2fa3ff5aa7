import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/http/rate-limit.js';

function virtualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createRateLimiter', () => {
  it('allows a full burst at once, then refuses with the seconds until it fits', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 100, burst: 200, clock });
    expect(limiter.take('acme', 150)).toEqual({ ok: true });
    expect(limiter.take('acme', 50)).toEqual({ ok: true });
    expect(limiter.take('acme', 1)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(limiter.take('acme', 250)).toEqual({ ok: false, retryAfterSec: 2 });
    expect(limiter.take('acme', 150)).toEqual({ ok: false, retryAfterSec: 2 });
  });

  it('refills at the rate, and a retry after retryAfterSec succeeds', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 100, burst: 200, clock });
    expect(limiter.take('acme', 200).ok).toBe(true);
    clock.advance(500);
    expect(limiter.take('acme', 50)).toEqual({ ok: true });
    expect(limiter.take('acme', 1).ok).toBe(false);
    const refused = limiter.take('acme', 120);
    expect(refused).toEqual({ ok: false, retryAfterSec: 2 });
    clock.advance(1199);
    expect(limiter.take('acme', 120).ok).toBe(false);
    clock.advance(1);
    expect(limiter.take('acme', 120)).toEqual({ ok: true });
  });

  it('keeps the long-run rate over many small batches', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 1000, burst: 2000, clock });
    let accepted = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      if (limiter.take('acme', 50).ok) accepted += 50;
      clock.advance(10);
    }
    // 10 s at 1000/s plus the initial burst.
    expect(accepted).toBeGreaterThanOrEqual(11_900);
    expect(accepted).toBeLessThanOrEqual(12_000);
  });

  it('never stores more than the burst, however long a tenant was idle', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 10, burst: 20, clock });
    expect(limiter.take('acme', 5).ok).toBe(true);
    clock.advance(3_600_000);
    expect(limiter.take('acme', 20).ok).toBe(true);
    expect(limiter.take('acme', 1).ok).toBe(false);
  });

  it('keeps tenants apart', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 10, burst: 10, clock });
    expect(limiter.take('acme', 10).ok).toBe(true);
    expect(limiter.take('acme', 1).ok).toBe(false);
    expect(limiter.take('globex', 10).ok).toBe(true);
  });

  it('accepts a batch larger than the burst only from a full bucket, then holds the debt', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 100, burst: 100, clock });
    expect(limiter.take('acme', 1).ok).toBe(true);
    expect(limiter.take('acme', 300)).toEqual({ ok: false, retryAfterSec: 1 });
    clock.advance(10);
    expect(limiter.take('acme', 300)).toEqual({ ok: true });
    // 200 in debt: a batch of 100 needs 300 tokens of refill, 3 s.
    expect(limiter.take('acme', 100)).toEqual({ ok: false, retryAfterSec: 3 });
    clock.advance(2999);
    expect(limiter.take('acme', 100).ok).toBe(false);
    clock.advance(1);
    expect(limiter.take('acme', 100).ok).toBe(true);
  });

  it('drops full, idle buckets so memory stays bounded', () => {
    const clock = virtualClock();
    const limiter = createRateLimiter({ ratePerSec: 100, burst: 100, clock });
    for (let i = 0; i < 1000; i += 1) limiter.take(`tenant-${i}`, 50);
    expect(limiter.bucketCount()).toBe(1000);
    clock.advance(400);
    limiter.take('busy', 100);
    expect(limiter.bucketCount()).toBe(1001);
    clock.advance(600);
    // The 1000 tenants are full again after 0.5 s; 'busy' is not.
    limiter.take('other', 1);
    expect(limiter.bucketCount()).toBe(2);
    // A dropped bucket starts full, as it would have been.
    expect(limiter.take('tenant-1', 100).ok).toBe(true);
  });

  it('takes nothing for an empty batch and refuses a bad count', () => {
    const limiter = createRateLimiter({ ratePerSec: 1, burst: 1, clock: virtualClock() });
    expect(limiter.take('acme', 0)).toEqual({ ok: true });
    expect(limiter.bucketCount()).toBe(0);
    expect(() => limiter.take('acme', -1)).toThrow(RangeError);
    expect(() => limiter.take('acme', 1.5)).toThrow(RangeError);
  });

  it('refuses a bad rate or burst', () => {
    const clock = virtualClock();
    expect(() => createRateLimiter({ ratePerSec: 0, burst: 1, clock })).toThrow(/ratePerSec/);
    expect(() => createRateLimiter({ ratePerSec: Number.NaN, burst: 1, clock })).toThrow(/ratePerSec/);
    expect(() => createRateLimiter({ ratePerSec: 1, burst: 0, clock })).toThrow(/burst/);
  });
});
