/**
 * Reconnect delays: exponential, capped, and randomised so that the thousands of screens a
 * deploy disconnects at once do not all come back in the same instant.
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (default 1,000 ms). */
  initialMs?: number;
  /** Largest delay, before jitter (default 15,000 ms). */
  maxMs?: number;
  /** Share of each delay that is random, 0-1 (default 0.5: a delay d becomes d/2 to d). */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 1000, maxMs: 15_000, jitter: 0.5 };

/** The delay before retry number `attempt` (0 for the first), with `random()` in [0, 1). */
export function backoffDelay(attempt: number, options: Required<BackoffOptions>, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (1 - options.jitter * random()));
}

export function checkBackoff(options: BackoffOptions | undefined): Required<BackoffOptions> {
  const merged = { ...DEFAULT_BACKOFF, ...options };
  if (!(merged.initialMs > 0) || !(merged.maxMs >= merged.initialMs)) {
    throw new RangeError(`backoff: need 0 < initialMs <= maxMs, got initialMs ${merged.initialMs}, maxMs ${merged.maxMs}`);
  }
  if (!(merged.jitter >= 0 && merged.jitter <= 1)) throw new RangeError(`backoff: jitter must be within 0-1, got ${merged.jitter}`);
  return merged;
}
