/**
 * The event contract of SPEC §2 as zod schemas, built once at module load. Parsing strips
 * unknown keys, applies defaults and normalises `ts` to integer epoch milliseconds, so the
 * inferred output types are what the engine works with.
 */
import { z } from 'zod';

export const CHANNELS = ['voice', 'chat', 'email', 'messaging', 'task'] as const;
export const DEQUEUE_REASONS = ['transfer', 'callback', 'voicemail', 'timeout', 'other'] as const;
export const AGENT_STATUSES = ['available', 'aux', 'offline'] as const;

export type Channel = (typeof CHANNELS)[number];
export type DequeueReason = (typeof DEQUEUE_REASONS)[number];

const MAX_ID = 128;
const MAX_NAME = 200;
const MAX_QUEUES = 200;
/** Event times outside [2000-01-01, 2200-01-01) are typos or unit mistakes (seconds, µs). */
export const MIN_TS = Date.UTC(2000, 0, 1);
export const MAX_TS = Date.UTC(2200, 0, 1);

/** Error map for a field: "x is required" when absent, else "x must be <what>". */
function expecting(field: string, what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined ? `${field} is required` : `${field} must be ${what}`;
}

function text(field: string, max = MAX_ID) {
  return z
    .string({ error: expecting(field, 'a string') })
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);
}

function oneOf<const T extends readonly [string, ...string[]]>(field: string, values: T) {
  return z.enum(values, { error: expecting(field, `one of ${values.join(', ')}`) });
}

function uniqueInOrder(list: string[]): string[] {
  if (list.length < 2) return list;
  const set = new Set(list);
  return set.size === list.length ? list : [...set];
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}:\d{2})?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Epoch ms of an ISO-8601 date-time, or a message saying why it is not one. */
function isoToEpochMs(value: string): number | string {
  const m = ISO_DATE_TIME.exec(value);
  if (m === null) return `ts must be epoch ms or an ISO-8601 date-time with offset, got '${value}'`;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  if (offset === undefined) {
    return `ts must carry an explicit offset (Z or ±hh:mm), got '${value}'`;
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  // Truncate to whole milliseconds: digits past the third are below the contract's resolution.
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offsetMin = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return `ts has an invalid offset '${offset}'`;
    offsetMin = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return `ts is not a valid date-time: '${value}'`;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
}

/** One function for both accepted forms: cheaper on the hot path than a zod union. */
function toEpochMs(input: unknown, ctx: z.RefinementCtx): number {
  let ms: number | string;
  if (typeof input === 'number') {
    ms = Number.isInteger(input) ? input : `ts must be an integer number of epoch milliseconds, got ${input}`;
  } else if (typeof input === 'string') {
    ms = isoToEpochMs(input);
  } else {
    ms =
      input === undefined
        ? 'ts is required'
        : 'ts must be epoch milliseconds (integer) or an ISO-8601 string with offset';
  }
  if (typeof ms === 'number' && (ms < MIN_TS || ms >= MAX_TS)) {
    ms = `ts must lie between 2000-01-01 and 2200-01-01, got ${String(input)}`;
  }
  if (typeof ms === 'string') {
    ctx.issues.push({ code: 'custom', message: ms, input });
    return z.NEVER;
  }
  return ms;
}

const tsSchema = z.unknown().transform(toEpochMs);
const contactId = text('contactId');
const agentId = text('agentId');

/** An event type's object schema: the common fields, then its own. */
function eventSchema<const T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ type: z.literal(type), id: text('id'), ts: tsSchema, ...shape });
}

export const agentStatusSchema = eventSchema('agent.status', {
  agentId,
  status: oneOf('status', AGENT_STATUSES),
  reason: text('reason').optional(),
  queues: z
    .array(text('queue id'), { error: expecting('queues', 'an array of queue ids') })
    .max(MAX_QUEUES, `queues must hold at most ${MAX_QUEUES} entries`)
    .transform(uniqueInOrder)
    .optional(),
  name: text('name', MAX_NAME).optional(),
  team: text('team').optional(),
});

export const contactQueuedSchema = eventSchema('contact.queued', {
  contactId,
  queueId: text('queueId'),
  channel: oneOf('channel', CHANNELS).default('voice'),
  previousContactId: text('previousContactId').optional(),
});

export const contactAnsweredSchema = eventSchema('contact.answered', { contactId, agentId });

export const contactAbandonedSchema = eventSchema('contact.abandoned', { contactId });

export const contactDequeuedSchema = eventSchema('contact.dequeued', {
  contactId,
  reason: oneOf('reason', DEQUEUE_REASONS),
});

export const contactEndedSchema = eventSchema('contact.ended', {
  contactId,
  holdMs: z
    .number({ error: expecting('holdMs', 'a number') })
    .int('holdMs must be an integer')
    .min(0, 'holdMs must not be negative')
    .default(0),
  acw: z.boolean({ error: expecting('acw', 'a boolean') }).default(true),
});

export const contactAcwEndedSchema = eventSchema('contact.acw_ended', { contactId });

export const contactRatedSchema = eventSchema('contact.rated', {
  contactId,
  csat: z.literal([1, 2, 3, 4, 5], { error: expecting('csat', 'an integer from 1 to 5') }),
});

const eventSchemas = [
  agentStatusSchema,
  contactQueuedSchema,
  contactAnsweredSchema,
  contactAbandonedSchema,
  contactDequeuedSchema,
  contactEndedSchema,
  contactAcwEndedSchema,
  contactRatedSchema,
] as const;

export const EVENT_TYPES: readonly EventType[] = eventSchemas.map((s) => s.shape.type.value);

const knownTypes = `known types: ${EVENT_TYPES.join(', ')}`;

export const hubEventSchema = z.discriminatedUnion('type', eventSchemas, {
  error: (issue) => {
    const input: unknown = issue.input;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return 'an event must be a JSON object';
    }
    const type: unknown = (input as { type?: unknown }).type;
    return type === undefined
      ? `type is required; ${knownTypes}`
      : `unknown event type ${JSON.stringify(type)}; ${knownTypes}`;
  },
});

/** A non-empty tenant id, as given on an event or at the top of a batch. */
export const tenantSchema = text('tenant');

export type AgentStatusEvent = z.output<typeof agentStatusSchema>;
export type ContactQueuedEvent = z.output<typeof contactQueuedSchema>;
export type ContactAnsweredEvent = z.output<typeof contactAnsweredSchema>;
export type ContactAbandonedEvent = z.output<typeof contactAbandonedSchema>;
export type ContactDequeuedEvent = z.output<typeof contactDequeuedSchema>;
export type ContactEndedEvent = z.output<typeof contactEndedSchema>;
export type ContactAcwEndedEvent = z.output<typeof contactAcwEndedSchema>;
export type ContactRatedEvent = z.output<typeof contactRatedSchema>;
export type HubEvent = z.output<(typeof eventSchemas)[number]>;
export type EventType = HubEvent['type'];
/** The fields every event carries, after parsing. */
export type EventBase = Pick<HubEvent, 'id' | 'ts'>;
