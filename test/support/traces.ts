/**
 * fast-check generators of random valid contact-centre traces for the engine-vs-reference
 * property tests. A trace is built from small plans (agents' status changes, contacts'
 * lifecycles) so that shrinking removes whole agents and contacts and shortens durations.
 */
import fc from 'fast-check';
import {
  CHANNELS,
  DEQUEUE_REASONS,
  compareEvents,
  type AgentStatusEvent,
  type HubEvent,
} from '../../src/events/index.js';
import type { SlFormula } from '../../src/protocol/index.js';
import type { ReferenceQueueSettings, ReferenceSettings } from './reference.js';

export interface Trace {
  tenant: string;
  settings: ReferenceSettings;
  /** No event is earlier. */
  start: number;
  /** No event is later. */
  now: number;
  /** Unique ids, in the canonical order (for reading; apply them in any order). */
  events: HubEvent[];
}

const MINUTE = 60_000;

/** Instants where the local day or the UTC offset changes inside a trace. */
const ANCHORS: readonly { timezone: string; at: number }[] = [
  { timezone: 'UTC', at: Date.UTC(2026, 5, 15, 0, 0) },
  { timezone: 'UTC', at: Date.UTC(2026, 5, 15, 13, 27, 41, 123) },
  // Local midnight starting 2026-10-25, the DST change in Paris, and the next midnight.
  { timezone: 'Europe/Paris', at: Date.UTC(2026, 9, 24, 22, 0) },
  { timezone: 'Europe/Paris', at: Date.UTC(2026, 9, 25, 1, 0) },
  { timezone: 'Europe/Paris', at: Date.UTC(2026, 9, 25, 23, 0) },
  // Local midnight of 2026-03-08, the DST jump in New York, and the next midnight.
  { timezone: 'America/New_York', at: Date.UTC(2026, 2, 8, 5, 0) },
  { timezone: 'America/New_York', at: Date.UTC(2026, 2, 8, 7, 0) },
  { timezone: 'America/New_York', at: Date.UTC(2026, 2, 9, 4, 0) },
  // 2026-09-06 has no midnight in Santiago: its first instant is 01:00 -03.
  { timezone: 'America/Santiago', at: Date.UTC(2026, 8, 6, 4, 0) },
];

const FORMULAS: readonly SlFormula[] = ['excludeShortAbandons', 'allAbandons', 'answeredOnly'];
/** Only in skills, never queued: such queues still appear in the snapshot. */
const SKILL_ONLY_QUEUE = 'qs';
/** Queued but not configured: default settings. */
const UNCONFIGURED_QUEUE = 'qx';
/** Only in ignored second `contact.queued` events: must not appear. */
const IGNORED_QUEUE = 'qd';
/** Answers contacts without ever sending a status. */
const SILENT_AGENT = 'a9';

const undef = { nil: undefined } as const;

const queueSettingsArb: fc.Arbitrary<Partial<ReferenceQueueSettings>> = fc.record(
  {
    slThresholdSec: fc.constantFrom(0, 5, 10, 20, 30),
    slTargetPct: fc.integer({ min: 50, max: 95 }),
    shortAbandonSec: fc.constantFrom(0, 3, 5, 10),
    slFormula: fc.constantFrom(...FORMULAS),
  },
  { requiredKeys: [] },
);

/** A time offset inside a trace: mostly random ms, sometimes whole seconds to force ties. */
function offsetArb(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.integer({ min: 0, max }),
    fc.integer({ min: 0, max: Math.floor(max / 1000) }).map((s) => s * 1000),
  );
}

/** Waits around the thresholds and short-abandon limits the queues use. */
const waitArb = fc.oneof(
  fc.constantFrom(0, 999, 1000, 2999, 3000, 4999, 5000, 5001, 10_000, 20_000, 20_001, 30_000),
  fc.integer({ min: 0, max: 3 * MINUTE }),
);

const durationArb = (max: number) => fc.oneof(fc.constant(0), fc.integer({ min: 0, max }));

const statusChangeArb = (maxSpan: number) =>
  fc.record({
    at: offsetArb(maxSpan),
    status: fc.constantFrom('available', 'available', 'aux', 'offline'),
    reason: fc.option(fc.constantFrom('lunch', 'break', 'training'), undef),
    queues: fc.option(fc.nat(), undef),
    name: fc.option(fc.constantFrom('Ann', 'Bob', 'Cy'), undef),
    team: fc.option(fc.constantFrom('red', 'blue'), undef),
  });

const contactPlanArb = (maxSpan: number) =>
  fc.record({
    queue: fc.nat(),
    at: offsetArb(maxSpan),
    channel: fc.constantFrom(...CHANNELS),
    outcome: fc.constantFrom('answered', 'answered', 'answered', 'abandoned', 'dequeued', 'waiting'),
    agent: fc.nat(),
    wait: waitArb,
    talk: durationArb(10 * MINUTE),
    hold: durationArb(2 * MINUTE),
    acw: fc.boolean(),
    acwTime: durationArb(2 * MINUTE),
    dequeueReason: fc.constantFrom(...DEQUEUE_REASONS),
    /** Later events that never come (the contact stays on contact or in acw). */
    stopAfter: fc.constantFrom('none', 'none', 'none', 'answered', 'ended'),
    rating: fc.option(fc.record({ delay: durationArb(MINUTE), csat: fc.constantFrom(1, 2, 3, 4, 5) }), undef),
    requeue: fc.option(fc.record({ delay: durationArb(MINUTE), queue: fc.nat() }), undef),
    extraLeave: fc.option(
      fc.record({ delay: durationArb(MINUTE), kind: fc.constantFrom('answered', 'abandoned', 'dequeued'), agent: fc.nat() }),
      undef,
    ),
    noQueued: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
    transferred: fc.boolean(),
  });

type StatusChange = ReturnType<typeof statusChangeArb> extends fc.Arbitrary<infer T> ? T : never;
type ContactPlan = ReturnType<typeof contactPlanArb> extends fc.Arbitrary<infer T> ? T : never;
/** An event before it gets its id (distributes over the union). */
type Draft = HubEvent extends infer E ? (E extends HubEvent ? Omit<E, 'id'> : never) : never;

function pick<T>(list: readonly T[], index: number): T {
  return list[index % list.length] as T;
}

/** Every subset of `pool` by the bits of `bits`. */
function subset(pool: readonly string[], bits: number): string[] {
  return pool.filter((_, k) => (bits >> k) % 2 === 1);
}

interface Plans {
  anchor: { timezone: string; at: number };
  /** Where the anchor falls inside the trace (ms after start). */
  anchorOffset: number;
  span: number;
  queues: Partial<ReferenceQueueSettings>[];
  agents: StatusChange[][];
  contacts: ContactPlan[];
  idSalt: number;
}

/** The events of the plans, without ids, with ts relative to the start. */
function planEvents(p: Plans, queueIds: readonly string[], agentIds: readonly string[]) {
  const out: Draft[] = [];
  const contactQueues = [...queueIds, UNCONFIGURED_QUEUE];
  const answerers = [...agentIds, SILENT_AGENT];
  const skillPool = [...queueIds, SKILL_ONLY_QUEUE];
  p.agents.forEach((changes, k) => {
    const agentId = agentIds[k] as string;
    for (const c of changes) {
      const e: Omit<AgentStatusEvent, 'id'> = { type: 'agent.status', ts: c.at % (p.span + 1), agentId, status: c.status };
      if (c.reason !== undefined) e.reason = c.reason;
      if (c.queues !== undefined) e.queues = subset(skillPool, c.queues);
      if (c.name !== undefined) e.name = c.name;
      if (c.team !== undefined) e.team = c.team;
      out.push(e);
    }
  });
  p.contacts.forEach((c, k) => {
    const contactId = `c${k + 1}`;
    const queued = c.at % (p.span + 1);
    if (!c.noQueued) {
      const e: Extract<Draft, { type: 'contact.queued' }> = { type: 'contact.queued', ts: queued, contactId, queueId: pick(contactQueues, c.queue), channel: c.channel };
      if (c.transferred && k > 0) e.previousContactId = `c${k}`;
      out.push(e);
    }
    if (c.requeue !== undefined) {
      const queueId = c.requeue.queue % 2 === 0 ? IGNORED_QUEUE : pick(contactQueues, c.requeue.queue);
      out.push({ type: 'contact.queued', ts: queued + c.requeue.delay, contactId, queueId, channel: c.channel });
    }
    if (c.outcome === 'waiting') return;
    const left = queued + c.wait;
    if (c.outcome === 'answered') {
      out.push({ type: 'contact.answered', ts: left, contactId, agentId: pick(answerers, c.agent) });
    } else if (c.outcome === 'abandoned') {
      out.push({ type: 'contact.abandoned', ts: left, contactId });
    } else {
      out.push({ type: 'contact.dequeued', ts: left, contactId, reason: c.dequeueReason });
    }
    if (c.extraLeave !== undefined) {
      const ts = left + c.extraLeave.delay;
      const x = c.extraLeave;
      out.push(
        x.kind === 'answered'
          ? { type: 'contact.answered', ts, contactId, agentId: pick(answerers, x.agent) }
          : x.kind === 'abandoned'
            ? { type: 'contact.abandoned', ts, contactId }
            : { type: 'contact.dequeued', ts, contactId, reason: 'other' },
      );
    }
    let last = left;
    if (c.outcome === 'answered' && c.stopAfter !== 'answered') {
      const ended = left + c.talk;
      last = ended;
      out.push({ type: 'contact.ended', ts: ended, contactId, holdMs: c.hold, acw: c.acw });
      if (c.acw && c.stopAfter !== 'ended') {
        last = ended + c.acwTime;
        out.push({ type: 'contact.acw_ended', ts: last, contactId });
      }
    }
    if (c.rating !== undefined) {
      out.push({ type: 'contact.rated', ts: last + c.rating.delay, contactId, csat: c.rating.csat });
    }
  });
  return out;
}

function traceText(t: Trace): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = [
    `Trace tenant=${t.tenant} timezone=${t.settings.timezone} start=${iso(t.start)} now=${iso(t.now)} (${t.now})`,
    `  queues: ${JSON.stringify(t.settings.queues)}`,
  ];
  for (const e of t.events) {
    const { id, ts, type, ...rest } = e;
    lines.push(`  ${iso(ts)} (${ts}) ${type} id=${id} ${JSON.stringify(rest)}`);
  }
  return lines.join('\n');
}

function buildTrace(p: Plans): Trace {
  const queueIds = p.queues.map((_, k) => `q${k + 1}`);
  const agentIds = p.agents.map((_, k) => `a${k + 1}`);
  const start = p.anchor.at - (p.anchorOffset % (p.span + 1));
  const now = start + p.span;
  const settings: ReferenceSettings = { timezone: p.anchor.timezone, queues: {} };
  p.queues.forEach((q, k) => (settings.queues[queueIds[k] as string] = q));
  const events = planEvents(p, queueIds, agentIds)
    .filter((e) => e.ts <= p.span)
    .map((e, k) => {
      // A bijection of the index, so ids are unique but not in time order: ties by id vary.
      const id = `e${(Math.imul(k + 1, 2_654_435_761) + p.idSalt) >>> 0}`;
      return { ...e, id, ts: start + e.ts } as HubEvent;
    })
    .sort(compareEvents);
  const trace: Trace = { tenant: 't1', settings, start, now, events };
  Object.defineProperty(trace, fc.toStringMethod, { value: () => traceText(trace), enumerable: false });
  return trace;
}

/**
 * Random valid traces: 1-3 configured queues, 1-5 agents, 0-25 contacts, events spread over
 * `minSpanMs`..`maxSpanMs` ending at `now`, placed around a local midnight or DST change.
 */
export function traceArb(opts: { minSpanMs: number; maxSpanMs: number }): fc.Arbitrary<Trace> {
  const { minSpanMs, maxSpanMs } = opts;
  return fc
    .record({
      anchor: fc.constantFrom(...ANCHORS),
      anchorOffset: fc.integer({ min: 0, max: maxSpanMs }),
      span: fc.integer({ min: minSpanMs, max: maxSpanMs }),
      queues: fc.array(queueSettingsArb, { minLength: 1, maxLength: 3 }),
      agents: fc.array(fc.array(statusChangeArb(maxSpanMs), { maxLength: 4 }), { minLength: 1, maxLength: 5 }),
      contacts: fc.array(contactPlanArb(maxSpanMs), { maxLength: 25, size: 'medium' }),
      idSalt: fc.nat(),
    })
    .map(buildTrace);
}

/** A queue filter: any of the queue names traces use, plus one that never exists; maybe empty. */
export const filterArb: fc.Arbitrary<string[]> = fc.subarray(['q1', 'q2', 'q3', UNCONFIGURED_QUEUE, SKILL_ONLY_QUEUE, IGNORED_QUEUE, 'nope']);
