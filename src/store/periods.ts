/**
 * History periods: the boundaries of 15-minute, hour, day, week and month periods in an IANA
 * timezone, DST-correct. A local day is 23, 24 or 25 hours; a week starts on Monday; a month
 * follows the local calendar. Day boundaries are the live engine's (`startOfLocalDay`), so a
 * history day and the live `today` window cover the same instants.
 *
 * Rollups are 15-minute intervals on the UTC grid. Every current zone's offset is a multiple of
 * 15 minutes, so every boundary falls on that grid; with an older offset (local mean time, some
 * zones before 1980) a boundary falls inside an interval, which then counts in the period its
 * start belongs to.
 */
import { INTERVAL_MS, intervalOf, localDateKey, startOfLocalDay, startOfNextLocalDay } from '../engine/index.js';

export const GRANULARITIES = ['15m', 'hour', 'day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const DAY_MS = 86_400_000;

/** Longest range asked for, per granularity (ms). */
export const MAX_RANGE_MS: Readonly<Record<Granularity, number>> = {
  '15m': 2 * DAY_MS,
  hour: 31 * DAY_MS,
  day: 400 * DAY_MS,
  week: 3 * 366 * DAY_MS,
  month: 3 * 366 * DAY_MS,
};

/** The same limits, as people read them. */
export const MAX_RANGE_TEXT: Readonly<Record<Granularity, string>> = {
  '15m': '2 days',
  hour: '31 days',
  day: '400 days',
  week: '3 years',
  month: '3 years',
};

const minuteFormatters = new Map<string, Intl.DateTimeFormat>();

function localMinute(ms: number, timezone: string): number {
  let f = minuteFormatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, minute: 'numeric' });
    minuteFormatters.set(timezone, f);
  }
  return Number(f.format(ms));
}

/**
 * A grid instant starts a local hour when the local minute wrapped since the previous one: at
 * hh:00 normally, and at the repeated hour of a DST fall-back (02:45 CEST → 02:00 CET) too.
 */
function startsHour(t: number, timezone: string): boolean {
  return localMinute(t, timezone) < localMinute(t - INTERVAL_MS, timezone);
}

interface LocalDate {
  y: number;
  m: number;
  d: number;
}

function parseKey(key: string): LocalDate {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return { y, m, d };
}

function keyOf(utcDate: number): string {
  return new Date(utcDate).toISOString().slice(0, 10);
}

/** The key of the calendar date `days` after `key` (negative: before). */
export function addDays(key: string, days: number): string {
  const { y, m, d } = parseKey(key);
  return keyOf(Date.UTC(y, m - 1, d + days));
}

/** The first day of the month `months` after the month of `key`. */
export function addMonths(key: string, months: number): string {
  const { y, m } = parseKey(key);
  return keyOf(Date.UTC(y, m - 1 + months, 1));
}

/** ISO weekday of a date key: Monday 1 … Sunday 7. */
function isoWeekday(key: string): number {
  const { y, m, d } = parseKey(key);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7;
}

/**
 * The first instant whose local date is `key` (YYYY-MM-DD), or, when the zone skipped that date,
 * the start of the next date it has.
 */
export function startOfLocalDate(key: string, timezone: string): number {
  const { y, m, d } = parseKey(key);
  // Local noon of `key` lies between 02:00 UTC that date (UTC+14 would have passed it) and
  // 00:00 UTC the next (UTC-12): 3-hourly probes over that span land inside the local day.
  let later: number | undefined;
  for (let h = 0; h <= 24; h += 3) {
    const t = Date.UTC(y, m - 1, d, 2 + h);
    const k = localDateKey(t, timezone);
    if (k === key) return startOfLocalDay(t, timezone);
    if (k > key && later === undefined) later = t;
  }
  return startOfLocalDay(later ?? Date.UTC(y, m - 1, d + 1, 12), timezone);
}

/** The start of the week (Monday) holding the local date `key`. */
export function mondayOf(key: string): string {
  return addDays(key, 1 - isoWeekday(key));
}

/** The start of the period of `granularity` that holds instant `t`. */
export function periodStart(t: number, granularity: Granularity, timezone: string): number {
  switch (granularity) {
    case '15m':
      return intervalOf(t);
    case 'hour': {
      let s = intervalOf(t);
      while (!startsHour(s, timezone)) s -= INTERVAL_MS;
      return s;
    }
    case 'day':
      return startOfLocalDay(t, timezone);
    case 'week':
      return startOfLocalDate(mondayOf(localDateKey(t, timezone)), timezone);
    case 'month':
      return startOfLocalDate(addMonths(localDateKey(t, timezone), 0), timezone);
  }
}

/** The start of the period after the one that starts at `start`. */
export function nextPeriodStart(start: number, granularity: Granularity, timezone: string): number {
  switch (granularity) {
    case '15m':
      return start + INTERVAL_MS;
    case 'hour': {
      let s = start + INTERVAL_MS;
      while (!startsHour(s, timezone)) s += INTERVAL_MS;
      return s;
    }
    case 'day':
      return startOfNextLocalDay(start, timezone);
    case 'week':
      return startOfLocalDate(addDays(localDateKey(start, timezone), 7), timezone);
    case 'month':
      return startOfLocalDate(addMonths(localDateKey(start, timezone), 1), timezone);
  }
}

/**
 * Boundaries b0 < b1 < … < bn of the periods covering [from, to): b0 is the start of the period
 * holding `from`, bn the first boundary at or after `to`. Period i is [b(i), b(i+1)).
 */
export function periodBoundaries(from: number, to: number, granularity: Granularity, timezone: string): number[] {
  if (!(from < to)) throw new RangeError(`from (${from}) must be before to (${to})`);
  const out = [periodStart(from, granularity, timezone)];
  let last = out[0]!;
  while (last < to) {
    last = nextPeriodStart(last, granularity, timezone);
    out.push(last);
  }
  return out;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/i;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d === new Date(Date.UTC(y, m - 1, d)).getUTCDate();
}

/**
 * An instant from an ISO-8601 date-time with an offset (`2026-10-25T00:00:00+02:00`, `…Z`), or
 * from a date alone (`2026-10-25`): the start of that local day in `timezone`. Throws a
 * RangeError saying what is wrong.
 */
export function parseInstant(text: string, timezone: string): number {
  const date = DATE_ONLY.exec(text);
  if (date !== null) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validDate(y, m, d)) throw new RangeError(`${JSON.stringify(text)} is not a calendar date`);
    return startOfLocalDate(text, timezone);
  }
  const dt = DATE_TIME.exec(text);
  if (dt === null) {
    throw new RangeError(`${JSON.stringify(text)} is not an ISO-8601 date-time with an offset (2026-10-25T08:00:00Z, 2026-10-25T10:00:00+02:00) or a date (2026-10-25)`);
  }
  const [y, m, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(dt[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((dt[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (!validDate(y, m, d) || h > 23 || mi > 59 || s > 59) throw new RangeError(`${JSON.stringify(text)} is not a valid date-time`);
  const zone = dt[8]!.toUpperCase();
  let offsetMin = 0;
  if (zone !== 'Z') {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 23 || om > 59) throw new RangeError(`${JSON.stringify(text)} has an invalid offset ${zone}`);
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(y, m - 1, d, h, mi, s, ms) - offsetMin * 60_000;
}

/** Why [from, to) cannot be reported at `granularity`, or undefined when it can. */
export function rangeProblem(from: number, to: number, granularity: Granularity): string | undefined {
  if (!(from < to)) return `the range is empty: from ${new Date(from).toISOString()} is not before to ${new Date(to).toISOString()}`;
  if (to - from > MAX_RANGE_MS[granularity]) {
    const days = Math.round(((to - from) / DAY_MS) * 10) / 10;
    return `the range spans ${days} days: granularity ${granularity} allows at most ${MAX_RANGE_TEXT[granularity]}; take a coarser granularity or a shorter range`;
  }
  return undefined;
}
