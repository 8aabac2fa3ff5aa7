import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_TYPES,
  TYPE_RANK,
  compareEvents,
  parseEventBatch,
  type AgentStatusEvent,
  type Channel,
  type ContactEndedEvent,
  type ContactQueuedEvent,
  type ContactRatedEvent,
  type DequeueReason,
  type ContactDequeuedEvent,
  type EventError,
  type EventType,
  type HubEvent,
} from '../../src/events/index.js';

const T = Date.UTC(2026, 10, 22, 10, 0, 0);

function parseOk(events: unknown[], extra: Record<string, unknown> = {}) {
  const result = parseEventBatch({ events, ...extra });
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result;
}

function one(event: Record<string, unknown>): HubEvent {
  const [parsed] = parseOk([event]).events;
  if (parsed === undefined) throw new Error('no event parsed');
  return parsed;
}

function errorsOf(body: unknown, opts?: { maxEvents?: number }): EventError[] {
  const result = parseEventBatch(body, opts);
  if (result.ok) throw new Error('expected errors, batch was accepted');
  return result.errors;
}

/** Errors of a one-event batch, as `path: message` pairs at index 0. */
function eventErrors(event: unknown): { path: string; message: string }[] {
  return errorsOf({ events: [event] }).map((e) => {
    expect(e.index).toBe(0);
    return { path: e.path, message: e.message };
  });
}

const minimal: Record<EventType, Record<string, unknown>> = {
  'agent.status': { id: 'e1', type: 'agent.status', ts: T, agentId: 'a1', status: 'available' },
  'contact.queued': { id: 'e2', type: 'contact.queued', ts: T, contactId: 'c1', queueId: 'sales' },
  'contact.answered': { id: 'e3', type: 'contact.answered', ts: T, contactId: 'c1', agentId: 'a1' },
  'contact.abandoned': { id: 'e4', type: 'contact.abandoned', ts: T, contactId: 'c1' },
  'contact.dequeued': { id: 'e5', type: 'contact.dequeued', ts: T, contactId: 'c1', reason: 'voicemail' },
  'contact.ended': { id: 'e6', type: 'contact.ended', ts: T, contactId: 'c1' },
  'contact.acw_ended': { id: 'e7', type: 'contact.acw_ended', ts: T, contactId: 'c1' },
  'contact.rated': { id: 'e8', type: 'contact.rated', ts: T, contactId: 'c1', csat: 4 },
};

describe('event types', () => {
  it('infers the output types the engine relies on', () => {
    expectTypeOf<HubEvent['ts']>().toEqualTypeOf<number>();
    expectTypeOf<HubEvent['id']>().toEqualTypeOf<string>();
    expectTypeOf<EventType>().toEqualTypeOf<
      | 'agent.status'
      | 'contact.queued'
      | 'contact.answered'
      | 'contact.abandoned'
      | 'contact.dequeued'
      | 'contact.ended'
      | 'contact.acw_ended'
      | 'contact.rated'
    >();
    expectTypeOf<AgentStatusEvent['status']>().toEqualTypeOf<'available' | 'aux' | 'offline'>();
    expectTypeOf<AgentStatusEvent['queues']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<ContactQueuedEvent['channel']>().toEqualTypeOf<Channel>();
    expectTypeOf<Channel>().toEqualTypeOf<'voice' | 'chat' | 'email' | 'messaging' | 'task'>();
    expectTypeOf<ContactDequeuedEvent['reason']>().toEqualTypeOf<DequeueReason>();
    expectTypeOf<DequeueReason>().toEqualTypeOf<'transfer' | 'callback' | 'voicemail' | 'timeout' | 'other'>();
    expectTypeOf<ContactEndedEvent['holdMs']>().toEqualTypeOf<number>();
    expectTypeOf<ContactEndedEvent['acw']>().toEqualTypeOf<boolean>();
    expectTypeOf<ContactRatedEvent['csat']>().toEqualTypeOf<1 | 2 | 3 | 4 | 5>();
  });

  it('lists every type once, in rank order', () => {
    expect(EVENT_TYPES).toEqual(Object.keys(minimal));
    expect(Object.keys(TYPE_RANK).sort()).toEqual([...EVENT_TYPES].sort());
  });
});

describe('valid events', () => {
  it.each(Object.entries(minimal))('accepts a minimal %s', (_type, event) => {
    expect(one(event)).toMatchObject(event);
  });

  it('applies the defaults', () => {
    expect(one(minimal['contact.queued'])).toEqual({ ...minimal['contact.queued'], channel: 'voice' });
    expect(one(minimal['contact.ended'])).toEqual({ ...minimal['contact.ended'], holdMs: 0, acw: true });
  });

  it('accepts every field of every type', () => {
    const full: Record<string, unknown>[] = [
      { ...minimal['agent.status'], status: 'aux', reason: 'lunch', queues: ['sales', 'support'], name: 'Ann', team: 't1' },
      { ...minimal['contact.queued'], channel: 'chat', previousContactId: 'c0' },
      minimal['contact.answered'],
      minimal['contact.abandoned'],
      { ...minimal['contact.dequeued'], reason: 'transfer' },
      { ...minimal['contact.ended'], holdMs: 12_000, acw: false },
      minimal['contact.acw_ended'],
      { ...minimal['contact.rated'], csat: 1 },
    ];
    expect(parseOk(full).events).toEqual(full);
  });

  it('accepts every channel, dequeue reason, status and csat', () => {
    for (const channel of ['voice', 'chat', 'email', 'messaging', 'task']) {
      expect(one({ ...minimal['contact.queued'], channel })).toMatchObject({ channel });
    }
    for (const reason of ['transfer', 'callback', 'voicemail', 'timeout', 'other']) {
      expect(one({ ...minimal['contact.dequeued'], reason })).toMatchObject({ reason });
    }
    for (const status of ['available', 'aux', 'offline']) {
      expect(one({ ...minimal['agent.status'], status })).toMatchObject({ status });
    }
    for (const csat of [1, 2, 3, 4, 5]) {
      expect(one({ ...minimal['contact.rated'], csat })).toMatchObject({ csat });
    }
  });

  it('drops unknown keys and the tenant field', () => {
    const parsed = one({ ...minimal['contact.abandoned'], extra: { deep: 1 }, tenant: 'acme' });
    expect(parsed).toEqual(minimal['contact.abandoned']);
  });

  it('removes duplicate queues, keeping the first occurrence order', () => {
    const parsed = one({ ...minimal['agent.status'], queues: ['b', 'a', 'b', 'c', 'a'] });
    expect(parsed).toMatchObject({ queues: ['b', 'a', 'c'] });
    expect(one({ ...minimal['agent.status'], queues: [] })).toMatchObject({ queues: [] });
  });

  it('accepts ids and names at their length limits', () => {
    const id = 'x'.repeat(128);
    const name = 'n'.repeat(200);
    const queues = Array.from({ length: 200 }, (_, i) => `q${i}`);
    expect(one({ ...minimal['agent.status'], id, agentId: id, name, queues })).toMatchObject({ id, name, queues });
  });
});

describe('ts', () => {
  const at = (ts: unknown) => one({ ...minimal['contact.abandoned'], ts }).ts;

  it('keeps integer epoch ms', () => {
    expect(at(T)).toBe(T);
  });

  it('normalises ISO strings with an offset to epoch ms', () => {
    expect(at('2026-11-22T10:00:00Z')).toBe(T);
    expect(at('2026-11-22T10:00:00.000Z')).toBe(T);
    expect(at('2026-11-22T15:30:00+05:30')).toBe(T);
    expect(at('2026-11-22T05:00:00-05:00')).toBe(T);
    expect(at('2026-11-22T10:00:00+00:00')).toBe(T);
    expect(at('2026-11-22T10:00Z')).toBe(T);
    expect(at('2026-11-22t10:00:00z')).toBe(T);
  });

  it('keeps fractional seconds to the millisecond, truncating finer digits', () => {
    expect(at('2026-11-22T10:00:00.5Z')).toBe(T + 500);
    expect(at('2026-11-22T10:00:00.25Z')).toBe(T + 250);
    expect(at('2026-11-22T10:00:00.123Z')).toBe(T + 123);
    expect(at('2026-11-22T10:00:00.123999Z')).toBe(T + 123);
    expect(at('2026-11-22T15:30:00.007+05:30')).toBe(T + 7);
  });

  it('crosses day and year boundaries with offsets', () => {
    expect(at('2027-01-01T01:00:00+02:00')).toBe(Date.UTC(2026, 11, 31, 23));
    expect(at('2024-02-29T23:30:00-01:00')).toBe(Date.UTC(2024, 2, 1, 0, 30));
  });

  it.each([
    ['a string without offset', '2026-11-22T10:00:00', /explicit offset/],
    ['a date only', '2026-11-22', /ISO-8601/],
    ['garbage', 'yesterday', /ISO-8601/],
    ['an impossible day', '2026-02-29T10:00:00Z', /not a valid date-time/],
    ['an impossible month', '2026-13-01T10:00:00Z', /not a valid date-time/],
    ['an impossible hour', '2026-11-22T24:00:00Z', /not a valid date-time/],
    ['an impossible offset', '2026-11-22T10:00:00+24:00', /invalid offset/],
    ['a fractional number', T + 0.5, /integer/],
    ['a negative number', -1, /between 2000-01-01 and 2200-01-01/],
    ['epoch seconds', Math.floor(T / 1000), /between 2000-01-01 and 2200-01-01/],
    ['a year past 2200', Date.UTC(2200, 0, 1), /between 2000-01-01 and 2200-01-01/],
    ['an ISO date before 2000', '1999-12-31T23:59:59Z', /between 2000-01-01 and 2200-01-01/],
    ['a boolean', true, /epoch milliseconds \(integer\) or an ISO-8601 string/],
    ['null', null, /epoch milliseconds \(integer\) or an ISO-8601 string/],
    ['an object', { ms: T }, /epoch milliseconds \(integer\) or an ISO-8601 string/],
  ])('refuses %s', (_what, ts, message) => {
    const errors = eventErrors({ ...minimal['contact.abandoned'], ts });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('ts');
    expect(errors[0]?.message).toMatch(message);
  });

  it('accepts the range bounds', () => {
    expect(at(Date.UTC(2000, 0, 1))).toBe(Date.UTC(2000, 0, 1));
    expect(at(Date.UTC(2200, 0, 1) - 1)).toBe(Date.UTC(2200, 0, 1) - 1);
  });

  it('requires ts', () => {
    const { ts: _ts, ...event } = minimal['contact.abandoned'];
    expect(eventErrors(event)).toEqual([{ path: 'ts', message: 'ts is required' }]);
  });
});

describe('invalid events', () => {
  it('names an unknown type at path "type", listing the known types', () => {
    const [error, ...rest] = eventErrors({ id: 'e', ts: T, type: 'contact.exploded', contactId: 'c' });
    expect(rest).toEqual([]);
    expect(error?.path).toBe('type');
    expect(error?.message).toContain('contact.exploded');
    for (const type of EVENT_TYPES) expect(error?.message).toContain(type);
  });

  it('requires the type', () => {
    expect(eventErrors({ id: 'e', ts: T, contactId: 'c' })).toEqual([
      { path: 'type', message: expect.stringMatching(/^type is required; known types: agent\.status/) as unknown },
    ]);
  });

  it.each([
    ['a number', 5],
    ['a string', 'event'],
    ['null', null],
    ['an array', [minimal['contact.abandoned']]],
  ])('refuses %s as an event at path ""', (_what, event) => {
    expect(eventErrors(event)).toEqual([{ path: '', message: 'an event must be a JSON object' }]);
  });

  it.each([
    ['id', { ...minimal['contact.abandoned'], id: '' }, 'id must not be empty'],
    ['id', { ...minimal['contact.abandoned'], id: 'x'.repeat(129) }, 'id must be at most 128 characters'],
    ['id', { ...minimal['contact.abandoned'], id: 7 }, 'id must be a string'],
    ['contactId', { ...minimal['contact.abandoned'], contactId: undefined }, 'contactId is required'],
    ['contactId', { ...minimal['contact.abandoned'], contactId: null }, 'contactId must be a string'],
    ['agentId', { ...minimal['contact.answered'], agentId: '' }, 'agentId must not be empty'],
    ['queueId', { ...minimal['contact.queued'], queueId: ['sales'] }, 'queueId must be a string'],
    ['channel', { ...minimal['contact.queued'], channel: 'fax' }, 'channel must be one of voice, chat, email, messaging, task'],
    ['previousContactId', { ...minimal['contact.queued'], previousContactId: '' }, 'previousContactId must not be empty'],
    ['status', { ...minimal['agent.status'], status: 'busy' }, 'status must be one of available, aux, offline'],
    ['status', { ...minimal['agent.status'], status: undefined }, 'status is required'],
    ['reason', { ...minimal['agent.status'], reason: 3 }, 'reason must be a string'],
    ['name', { ...minimal['agent.status'], name: 'n'.repeat(201) }, 'name must be at most 200 characters'],
    ['team', { ...minimal['agent.status'], team: '' }, 'team must not be empty'],
    ['queues', { ...minimal['agent.status'], queues: 'sales' }, 'queues must be an array of queue ids'],
    ['queues', { ...minimal['agent.status'], queues: Array.from({ length: 201 }, (_, i) => `q${i}`) }, 'queues must hold at most 200 entries'],
    ['queues.2', { ...minimal['agent.status'], queues: ['a', 'b', ''] }, 'queue id must not be empty'],
    ['queues.0', { ...minimal['agent.status'], queues: [1] }, 'queue id must be a string'],
    ['queues.1', { ...minimal['agent.status'], queues: ['a', 'q'.repeat(129)] }, 'queue id must be at most 128 characters'],
    ['reason', { ...minimal['contact.dequeued'], reason: 'lost' }, 'reason must be one of transfer, callback, voicemail, timeout, other'],
    ['holdMs', { ...minimal['contact.ended'], holdMs: -1 }, 'holdMs must not be negative'],
    ['holdMs', { ...minimal['contact.ended'], holdMs: 1.5 }, 'holdMs must be an integer'],
    ['holdMs', { ...minimal['contact.ended'], holdMs: '100' }, 'holdMs must be a number'],
    ['acw', { ...minimal['contact.ended'], acw: 'yes' }, 'acw must be a boolean'],
    ['csat', { ...minimal['contact.rated'], csat: 0 }, 'csat must be an integer from 1 to 5'],
    ['csat', { ...minimal['contact.rated'], csat: 6 }, 'csat must be an integer from 1 to 5'],
    ['csat', { ...minimal['contact.rated'], csat: 4.5 }, 'csat must be an integer from 1 to 5'],
    ['csat', { ...minimal['contact.rated'], csat: '4' }, 'csat must be an integer from 1 to 5'],
    ['csat', { ...minimal['contact.rated'], csat: undefined }, 'csat is required'],
    ['tenant', { ...minimal['contact.abandoned'], tenant: 42 }, 'tenant must be a string'],
    ['tenant', { ...minimal['contact.abandoned'], tenant: '' }, 'tenant must not be empty'],
  ])('names %s', (path, event, message) => {
    expect(eventErrors(event)).toEqual([{ path, message }]);
  });

  it('reports every bad field of one event', () => {
    const errors = eventErrors({ id: '', type: 'contact.ended', ts: 'soon', contactId: 5, holdMs: -3, acw: 1 });
    expect(errors.map((e) => e.path)).toEqual(['id', 'ts', 'contactId', 'holdMs', 'acw']);
  });
});

describe('parseEventBatch', () => {
  it.each([
    ['null', null],
    ['an array', [minimal['contact.abandoned']]],
    ['a string', '{"events":[]}'],
  ])('refuses %s as the body at path ""', (_what, body) => {
    expect(errorsOf(body)).toEqual([{ index: null, path: '', message: expect.stringContaining('JSON object') as unknown }]);
  });

  it('requires events to be a non-empty array within the limit', () => {
    expect(errorsOf({})).toEqual([{ index: null, path: 'events', message: 'events is required' }]);
    expect(errorsOf({ events: { 0: minimal['contact.abandoned'] } })).toEqual([
      { index: null, path: 'events', message: 'events must be an array' },
    ]);
    expect(errorsOf({ events: [] })).toEqual([{ index: null, path: 'events', message: 'events must hold at least 1 event' }]);
    const three = [minimal['contact.abandoned'], minimal['contact.abandoned'], minimal['contact.abandoned']];
    expect(errorsOf({ events: three }, { maxEvents: 2 })).toEqual([
      { index: null, path: 'events', message: 'events must hold at most 2 events, got 3' },
    ]);
    expect(parseEventBatch({ events: three }, { maxEvents: 3 }).ok).toBe(true);
  });

  it('allows 5000 events by default and refuses 5001', () => {
    const many = Array.from({ length: 5001 }, (_, i) => ({ ...minimal['contact.abandoned'], id: `e${i}` }));
    expect(parseEventBatch({ events: many.slice(0, 5000) }).ok).toBe(true);
    expect(errorsOf({ events: many })).toEqual([
      { index: null, path: 'events', message: 'events must hold at most 5000 events, got 5001' },
    ]);
  });

  it('returns all events in order with each event tenant', () => {
    const result = parseOk([
      { ...minimal['contact.queued'], tenant: 'acme' },
      minimal['contact.answered'],
      { ...minimal['contact.ended'], tenant: 'other' },
    ]);
    expect(result.events.map((e) => e.type)).toEqual(['contact.queued', 'contact.answered', 'contact.ended']);
    expect(result.tenants).toStrictEqual(['acme', undefined, 'other']);
    expect('bodyTenant' in result).toBe(false);
  });

  it('exposes a top-level tenant and validates it', () => {
    expect(parseOk([minimal['contact.abandoned']], { tenant: 'acme' }).bodyTenant).toBe('acme');
    expect(errorsOf({ tenant: 7, events: [minimal['contact.abandoned']] })).toEqual([
      { index: null, path: 'tenant', message: 'tenant must be a string' },
    ]);
    expect(errorsOf({ tenant: '', events: [minimal['contact.abandoned']] })).toEqual([
      { index: null, path: 'tenant', message: 'tenant must not be empty' },
    ]);
  });

  it('refuses the whole batch and reports every bad event', () => {
    const errors = errorsOf({
      tenant: 1,
      events: [
        minimal['contact.queued'],
        { ...minimal['contact.rated'], csat: 9 },
        minimal['contact.answered'],
        'not an event',
        { ...minimal['agent.status'], queues: ['ok', 2], ts: '2026-11-22T10:00:00' },
        { ...minimal['contact.ended'], tenant: null },
      ],
    });
    expect(errors.map(({ index, path }) => ({ index, path }))).toEqual([
      { index: null, path: 'tenant' },
      { index: 1, path: 'csat' },
      { index: 3, path: '' },
      { index: 4, path: 'ts' },
      { index: 4, path: 'queues.1' },
      { index: 5, path: 'tenant' },
    ]);
  });

  it('does not mutate its input', () => {
    const event = { ...minimal['agent.status'], ts: '2026-11-22T10:00:00Z', queues: ['a', 'a'], tenant: 'acme' };
    const copy = structuredClone(event);
    parseOk([event]);
    expect(event).toEqual(copy);
  });
});

describe('compareEvents', () => {
  const ev = (id: string, type: EventType, ts: number) => ({ id, type, ts });

  it('orders by ts first', () => {
    expect(compareEvents(ev('z', 'contact.rated', T), ev('a', 'agent.status', T + 1))).toBeLessThan(0);
    expect(compareEvents(ev('a', 'agent.status', T + 1), ev('z', 'contact.rated', T))).toBeGreaterThan(0);
  });

  it('breaks ts ties by type rank', () => {
    const sameTime = [
      ev('1', 'contact.rated', T),
      ev('2', 'contact.acw_ended', T),
      ev('3', 'contact.ended', T),
      ev('4', 'contact.answered', T),
      ev('5', 'contact.queued', T),
      ev('6', 'agent.status', T),
    ];
    expect([...sameTime].sort(compareEvents).map((e) => e.type)).toEqual([
      'agent.status',
      'contact.queued',
      'contact.answered',
      'contact.ended',
      'contact.acw_ended',
      'contact.rated',
    ]);
  });

  it('breaks rank ties by id, in code-unit order', () => {
    expect(compareEvents(ev('b', 'contact.answered', T), ev('a', 'contact.abandoned', T))).toBeGreaterThan(0);
    expect(compareEvents(ev('a', 'contact.dequeued', T), ev('b', 'contact.answered', T))).toBeLessThan(0);
    expect(compareEvents(ev('B', 'contact.ended', T), ev('a', 'contact.ended', T))).toBeLessThan(0);
    expect(compareEvents(ev('e10', 'contact.ended', T), ev('e9', 'contact.ended', T))).toBeLessThan(0);
  });

  it('is 0 only for the same (ts, rank, id)', () => {
    expect(compareEvents(ev('a', 'contact.ended', T), ev('a', 'contact.ended', T))).toBe(0);
    expect(compareEvents(ev('a', 'contact.answered', T), ev('a', 'contact.abandoned', T))).toBe(0);
  });

  it('sorts parsed events', () => {
    const { events } = parseOk([
      { ...minimal['contact.ended'], ts: T },
      { ...minimal['contact.queued'], ts: '2026-11-22T09:59:00Z' },
      { ...minimal['agent.status'], ts: T },
    ]);
    expect([...events].sort(compareEvents).map((e) => e.id)).toEqual(['e2', 'e1', 'e6']);
  });
});
