import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/hub/index.js';

describe('systemClock.setTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once after the delay, and never once cancelled', () => {
    const ran: string[] = [];
    systemClock.setTimer(1000, () => ran.push('a'));
    const cancel = systemClock.setTimer(1000, () => ran.push('b'));
    cancel();
    vi.advanceTimersByTime(999);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual(['a']);
    vi.advanceTimersByTime(10_000);
    expect(ran).toEqual(['a']);
  });

  it('waits out delays longer than setTimeout allows (a token valid for 30 days)', () => {
    const thirtyDays = 30 * 24 * 3600_000;
    let ran = 0;
    const cancelled = systemClock.setTimer(thirtyDays, () => ran++);
    systemClock.setTimer(thirtyDays, () => ran++);
    vi.advanceTimersByTime(2 ** 31);
    cancelled();
    vi.advanceTimersByTime(thirtyDays - 2 ** 31 - 1);
    expect(ran).toBe(0);
    vi.advanceTimersByTime(1);
    expect(ran).toBe(1);
  });

  it('runs a past-due timer at once', () => {
    let ran = false;
    systemClock.setTimer(-5000, () => (ran = true));
    vi.advanceTimersByTime(0);
    expect(ran).toBe(true);
  });
});
