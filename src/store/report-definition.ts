/**
 * Report definitions: what an admin saves (kind, filters, granularity, period, comparison), the
 * zod schema that checks it, and how its period becomes a range of instants at run time.
 */
import { z } from 'zod';
import { assertTimezone, localDateKey, startOfLocalDay } from '../engine/index.js';
import { CHANNELS } from '../events/index.js';
import { GRANULARITIES, addDays, addMonths, mondayOf, parseInstant, startOfLocalDate } from './periods.js';

export const REPORT_KINDS = ['queue_summary', 'agent_performance', 'service_level_by_interval', 'abandon_analysis', 'top_agents'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** What top_agents ranks by: the most handled, the best rating, the highest occupancy, the shortest handling. */
export const TOP_BY = ['handled', 'csatAvg', 'occupancy', 'ahtSec'] as const;
export type TopBy = (typeof TOP_BY)[number];

/** Relative periods: today, yesterday, thisWeek, thisMonth, or the last N whole days, weeks or months. */
const RELATIVE = /^(?:today|yesterday|thisWeek|thisMonth|[1-9]\d{0,2}[dwm])$/;

const id = z.string().trim().min(1, 'ids must not be empty').max(128, 'ids are at most 128 characters');
const ids = (name: string) => z.array(id, { error: `${name} must be a list of ids` }).min(1, `${name} must not be empty: leave it out for all`).max(1000, `at most 1000 ${name}`);

export const reportDefinitionSchema = z
  .object({
    name: z.string({ error: 'name is required' }).trim().min(1, 'name must not be empty').max(200, 'name is at most 200 characters'),
    kind: z.enum(REPORT_KINDS, { error: `kind must be one of ${REPORT_KINDS.join(', ')}` }),
    filters: z
      .object({
        queues: ids('queues').optional(),
        agents: ids('agents').optional(),
        channel: z.enum(CHANNELS, { error: `channel must be one of ${CHANNELS.join(', ')}` }).optional(),
      })
      .strict()
      .default({}),
    granularity: z.enum(GRANULARITIES, { error: `granularity must be one of ${GRANULARITIES.join(', ')}` }),
    period: z
      .object({
        from: z.string().optional(),
        to: z.string().optional(),
        last: z
          .string()
          .regex(RELATIVE, 'last must be today, yesterday, thisWeek, thisMonth, or N followed by d, w or m (7d, 4w, 1m)')
          .optional(),
      })
      .strict()
      .refine((p) => (p.last !== undefined ? p.from === undefined && p.to === undefined : p.from !== undefined && p.to !== undefined), {
        message: 'period is either { from, to } or { last }',
      }),
    /** Default: the tenant's timezone when the report runs. */
    timezone: z
      .string()
      .refine((tz) => {
        try {
          assertTimezone(tz);
          return true;
        } catch {
          return false;
        }
      }, 'timezone must be an IANA timezone name such as Europe/Paris')
      .optional(),
    /** Also report the previous period of the same length. */
    compare: z.boolean({ error: 'compare must be true or false' }).default(false),
    top: z
      .object({
        by: z.enum(TOP_BY, { error: `top.by must be one of ${TOP_BY.join(', ')}` }).default('handled'),
        limit: z.number().int('top.limit must be a whole number').min(1, 'top.limit must be 1-100').max(100, 'top.limit must be 1-100').default(10),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.top !== undefined && d.kind !== 'top_agents') ctx.addIssue({ code: 'custom', path: ['top'], message: 'top applies to kind top_agents only' });
  });

export type ReportDefinition = z.output<typeof reportDefinitionSchema>;

export interface ResolvedPeriod {
  from: number;
  to: number;
  /** The previous period of the same length (calendar length for relative periods). */
  previous: { from: number; to: number };
}

/** Shifts a local-day start by whole local days or months. */
function shiftDay(start: number, timezone: string, by: { days: number } | { months: number }): number {
  const key = localDateKey(start, timezone);
  return startOfLocalDate('days' in by ? addDays(key, by.days) : addMonths(key, by.months), timezone);
}

/**
 * The instants of a definition's period at `now` in `timezone`. Throws a RangeError (message for
 * the caller) when an absolute date is malformed.
 */
export function resolvePeriod(period: ReportDefinition['period'], now: number, timezone: string): ResolvedPeriod {
  if (period.last === undefined) {
    const from = parseInstant(period.from ?? '', timezone);
    const to = parseInstant(period.to ?? '', timezone);
    return { from, to, previous: { from: from - (to - from), to: from } };
  }
  const today = localDateKey(now, timezone);
  const day = (key: string): number => startOfLocalDate(key, timezone);
  const span = (from: number, to: number, by: { days: number } | { months: number }): ResolvedPeriod => ({
    from,
    to,
    previous: { from: shiftDay(from, timezone, negate(by)), to: from },
  });
  const todayStart = startOfLocalDay(now, timezone);
  switch (period.last) {
    case 'today':
      return span(todayStart, day(addDays(today, 1)), { days: 1 });
    case 'yesterday':
      return span(day(addDays(today, -1)), todayStart, { days: 1 });
    case 'thisWeek':
      return span(day(mondayOf(today)), day(addDays(mondayOf(today), 7)), { days: 7 });
    case 'thisMonth':
      return span(day(addMonths(today, 0)), day(addMonths(today, 1)), { months: 1 });
    default: {
      const n = Number(period.last.slice(0, -1));
      const unit = period.last.slice(-1);
      if (unit === 'd') return span(day(addDays(today, -n)), todayStart, { days: n });
      if (unit === 'w') return span(day(addDays(mondayOf(today), -7 * n)), day(mondayOf(today)), { days: 7 * n });
      return span(day(addMonths(today, -n)), day(addMonths(today, 0)), { months: n });
    }
  }
}

function negate(by: { days: number } | { months: number }): { days: number } | { months: number } {
  return 'days' in by ? { days: -by.days } : { months: -by.months };
}
