import { describe, expect, it } from 'vitest';
import { pairedRatio } from '../../bench/paired-ratio.js';

describe('pairedRatio (bench:engine:ab)', () => {
  it('is the geometric mean of the per-round ratios', () => {
    const r = pairedRatio([100, 200], [200, 100]);
    expect(r.ratio).toBeCloseTo(1, 12);
    expect(pairedRatio([100, 100, 100], [110, 110, 110])).toEqual({ ratio: expect.closeTo(1.1, 12), low: expect.closeTo(1.1, 12), high: expect.closeTo(1.1, 12) });
  });

  it('gives the 95% interval of Student t on the log ratios', () => {
    // log ratios ln 1.2 and ln 0.8: mean m, sample sd s, half-width t(1) * s / sqrt(2).
    const a = Math.log(1.2);
    const b = Math.log(0.8);
    const m = (a + b) / 2;
    const s = Math.abs(a - b) / Math.SQRT2;
    const half = (12.706 * s) / Math.SQRT2;
    const r = pairedRatio([100, 100], [120, 80]);
    expect(r.ratio).toBeCloseTo(Math.exp(m), 12);
    expect(r.low).toBeCloseTo(Math.exp(m - half), 9);
    expect(r.high).toBeCloseTo(Math.exp(m + half), 9);
    expect(r.low).toBeLessThan(1);
    expect(r.high).toBeGreaterThan(1);
  });

  it('has no interval from one round, and refuses unmatched rounds', () => {
    const one = pairedRatio([100], [105]);
    expect(one.ratio).toBeCloseTo(1.05, 12);
    expect(Number.isNaN(one.low) && Number.isNaN(one.high)).toBe(true);
    expect(() => pairedRatio([1, 2], [1])).toThrow('as many rounds');
    expect(() => pairedRatio([], [])).toThrow('at least one');
  });
});
