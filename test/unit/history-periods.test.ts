import { describe, expect, it } from 'vitest';
import { startOfLocalDay } from '../../src/engine/index.js';
import { addDays, addMonths, mondayOf, periodBoundaries, periodStart, startOfLocalDate } from '../../src/store/periods.js';

const H = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const lengthsH = (b: number[]): number[] => b.slice(1).map((e, i) => (e - b[i]!) / H);

describe('history periods', () => {
  const paris = 'Europe/Paris';
  const fallBack = startOfLocalDate('2026-10-25', paris);
  const springForward = startOfLocalDate('2026-03-29', paris);

  it('gives the Paris fall-back day 25 hours, 25 hourly periods and 100 quarter hours', () => {
    expect(iso(fallBack)).toBe('2026-10-24T22:00:00.000Z');
    const nextDay = startOfLocalDate('2026-10-26', paris);
    expect(iso(nextDay)).toBe('2026-10-25T23:00:00.000Z');
    expect(periodBoundaries(fallBack, nextDay, 'day', paris)).toEqual([fallBack, nextDay]);
    const hours = periodBoundaries(fallBack, nextDay, 'hour', paris);
    expect(hours).toHaveLength(26);
    expect(lengthsH(hours).every((h) => h === 1)).toBe(true);
    // 02:00 CEST and 02:00 CET both start an hour.
    expect(hours.map(iso)).toContain('2026-10-25T00:00:00.000Z');
    expect(hours.map(iso)).toContain('2026-10-25T01:00:00.000Z');
    expect(periodBoundaries(fallBack, nextDay, '15m', paris)).toHaveLength(101);
  });

  it('gives the Paris spring-forward day 23 hourly periods', () => {
    const nextDay = startOfLocalDate('2026-03-30', paris);
    expect((nextDay - springForward) / H).toBe(23);
    expect(periodBoundaries(springForward, nextDay, 'hour', paris)).toHaveLength(24);
  });

  it('starts hours on local hours in a half-hour zone', () => {
    const b = periodBoundaries(Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 0, 1, 3, 0), 'hour', 'Asia/Kolkata');
    expect(b.map(iso)).toEqual(['2025-12-31T23:30:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T01:30:00.000Z', '2026-01-01T02:30:00.000Z', '2026-01-01T03:30:00.000Z']);
  });

  it('widens a range to whole periods', () => {
    const b = periodBoundaries(Date.UTC(2026, 5, 1, 10, 7), Date.UTC(2026, 5, 1, 10, 31), '15m', 'UTC');
    expect(b.map(iso)).toEqual(['2026-06-01T10:00:00.000Z', '2026-06-01T10:15:00.000Z', '2026-06-01T10:30:00.000Z', '2026-06-01T10:45:00.000Z']);
  });

  it('starts weeks on Monday and months on the 1st, in local time', () => {
    // Thursday 2026-10-29 in Paris: the week began Monday 2026-10-26 (CET), the month on
    // Thursday 2026-10-01 (CEST).
    const t = Date.UTC(2026, 9, 29, 12);
    expect(iso(periodStart(t, 'week', paris))).toBe('2026-10-25T23:00:00.000Z');
    expect(iso(periodStart(t, 'month', paris))).toBe('2026-09-30T22:00:00.000Z');
    const weeks = periodBoundaries(Date.UTC(2026, 9, 20), Date.UTC(2026, 10, 3), 'week', paris);
    expect(lengthsH(weeks)).toEqual([169, 168, 168]);
    const months = periodBoundaries(Date.UTC(2026, 0, 15), Date.UTC(2026, 3, 2), 'month', 'America/New_York');
    expect(months.map(iso)).toEqual([
      '2026-01-01T05:00:00.000Z',
      '2026-02-01T05:00:00.000Z',
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
      '2026-05-01T04:00:00.000Z',
    ]);
  });

  it('uses the live engine day boundaries, also in zones far from UTC', () => {
    for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu', 'America/Santiago']) {
      for (const key of ['2026-01-01', '2026-04-05', '2026-09-06', '2026-12-31']) {
        const start = startOfLocalDate(key, tz);
        expect(startOfLocalDay(start + 1000, tz)).toBe(start);
        expect(periodStart(start + 5 * H, 'day', tz)).toBe(start);
      }
    }
  });

  it('takes the next day when a zone skipped a date', () => {
    // Samoa skipped 30 December 2011.
    expect(startOfLocalDate('2011-12-30', 'Pacific/Apia')).toBe(startOfLocalDate('2011-12-31', 'Pacific/Apia'));
  });

  it('does calendar arithmetic on date keys', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-01');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-01');
    expect(mondayOf('2026-11-01')).toBe('2026-10-26');
    expect(mondayOf('2026-10-26')).toBe('2026-10-26');
  });

  it('refuses an empty range', () => {
    expect(() => periodBoundaries(5, 5, 'day', 'UTC')).toThrow(RangeError);
  });
});
