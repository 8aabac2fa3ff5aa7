/**
 * Local-day boundaries in an IANA timezone, DST-correct: the start of a day is the first instant
 * whose local date is that day (midnight, or later when a DST gap swallows midnight).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, f);
  }
  return f;
}

/** The local date of an instant as a sortable key (e.g. "2026-11-22"). */
export function localDateKey(ms: number, timezone: string): string {
  return formatter(timezone).format(ms);
}

/** Throws a RangeError naming the zone when it is not a valid IANA timezone. */
export function assertTimezone(timezone: string): void {
  try {
    formatter(timezone);
  } catch {
    throw new RangeError(`unknown timezone: ${timezone}`);
  }
}

const HOUR = 3_600_000;

/** Smallest whole second in (lo, hi] whose local date is >= key; lo must lie before it. */
function firstSecondOf(key: string, lo: number, hi: number, timezone: string): number {
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (localDateKey(mid * 1000, timezone) >= key) b = mid;
    else a = mid;
  }
  return b * 1000;
}

/** Start (epoch ms) of the local day containing `ms`. */
export function startOfLocalDay(ms: number, timezone: string): number {
  const key = localDateKey(ms, timezone);
  return firstSecondOf(key, ms - 27 * HOUR, ms, timezone);
}

/** Start (epoch ms) of the local day after the one that starts at `dayStart`. */
export function startOfNextLocalDay(dayStart: number, timezone: string): number {
  const next = localDateKey(dayStart + 27 * HOUR, timezone);
  return firstSecondOf(next, dayStart, dayStart + 27 * HOUR, timezone);
}
