/**
 * How figures read on screen, shared by the wallboard, the console and the browser tests (which
 * compare what a page shows with GET /v1/snapshot through these same functions).
 */

/** Shown for a figure that has no value (a ratio with nothing to divide by). */
export const NONE = '–';

/** Seconds as m:ss, or h:mm:ss from an hour on. */
export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return NONE;
  const total = Math.max(0, Math.floor(sec));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A 0-100 percentage, whole. */
export function formatPct(pct: number | null | undefined): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return NONE;
  return `${Math.round(pct)}%`;
}

/** A count, grouped by thousands. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NONE;
  return Math.round(n).toLocaleString('en-US');
}

/** A 1-5 average with one decimal. */
export function formatScore(avg: number | null | undefined): string {
  if (avg === null || avg === undefined || !Number.isFinite(avg)) return NONE;
  return avg.toFixed(1);
}

export const WINDOW_LABELS = { '15m': 'Last 15 min', '60m': 'Last hour', today: 'Today' } as const;
