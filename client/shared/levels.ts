/**
 * Colour states of wallboard tiles (docs/wallboard.md): from the queue's settings (service-level
 * threshold and target) and fixed bounds for abandons.
 */
export type Level = 'normal' | 'warning' | 'critical' | 'none';

export interface QueueSettings {
  /** Answered within this many seconds counts toward service level (SPEC §3 default 20). */
  slThresholdSec: number;
  /** The service level the queue aims for, 0-100 (default 80). */
  slTargetPct: number;
}

export const DEFAULT_SETTINGS: QueueSettings = { slThresholdSec: 20, slTargetPct: 80 };

/** Service level: at or above target is normal, up to 10 points under is a warning, lower is critical. */
export const SL_WARNING_POINTS = 10;
/** Abandon rate (%): warning from 5, critical from 10. */
export const ABANDON_WARNING_PCT = 5;
export const ABANDON_CRITICAL_PCT = 10;
/** Waits (oldest, ASA): normal within the SL threshold, warning up to this many times it, critical beyond. */
export const WAIT_CRITICAL_FACTOR = 3;

export function serviceLevelLevel(sl: number | null, s: QueueSettings): Level {
  if (sl === null) return 'none';
  if (sl >= s.slTargetPct) return 'normal';
  return sl >= s.slTargetPct - SL_WARNING_POINTS ? 'warning' : 'critical';
}

export function abandonLevel(rate: number | null): Level {
  if (rate === null) return 'none';
  if (rate >= ABANDON_CRITICAL_PCT) return 'critical';
  return rate >= ABANDON_WARNING_PCT ? 'warning' : 'normal';
}

export function waitLevel(sec: number | null, s: QueueSettings): Level {
  if (sec === null) return 'none';
  if (sec <= s.slThresholdSec) return 'normal';
  return sec <= s.slThresholdSec * WAIT_CRITICAL_FACTOR ? 'warning' : 'critical';
}

/** Contacts waiting with nobody logged in is critical; otherwise the oldest wait decides. */
export function waitingLevel(waiting: number, staffed: number, oldestWaitSec: number | null, s: QueueSettings): Level {
  if (waiting === 0) return 'normal';
  if (staffed === 0) return 'critical';
  return waitLevel(oldestWaitSec, s);
}

/** No agent free while contacts wait: a warning. */
export function availableLevel(available: number, waiting: number): Level {
  return available === 0 && waiting > 0 ? 'warning' : 'normal';
}
