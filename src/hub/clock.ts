/** Time for the hub, injected so tests drive token expiry and slow-client sweeps without waiting. */
export interface HubClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `delayMs` (at once for a delay ≤ 0); the returned function cancels it. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** setTimeout's longest delay; longer ones (a token valid for weeks) are waited for in steps. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const systemClock: HubClock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    let handle: NodeJS.Timeout | undefined;
    const arm = (remaining: number): void => {
      const step = Math.min(remaining, MAX_TIMEOUT_MS);
      handle = setTimeout(() => (remaining > step ? arm(remaining - step) : fn()), step);
      // A pending expiry must not keep a closing process alive.
      handle.unref();
    };
    arm(Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};
