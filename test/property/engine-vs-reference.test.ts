/**
 * The engine against the reference model (test/support/reference.ts) on random valid traces:
 * whatever the arrival order, duplicates and time moving on, the engine's snapshot must equal
 * the reference computed from the set of events (SPEC §2: idempotent and order-free).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { TenantEngine } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import type { Snapshot } from '../../src/protocol/index.js';
import { referenceSnapshot } from '../support/reference.js';
import { filterArb, traceArb, type Trace } from '../support/traces.js';

const MINUTE = 60_000;
const LATENESS_MS = 10 * MINUTE;
const MAX_DIFF_LINES = 40;
/** Per property, generation and shrinking together: keeps a failing file within its test timeout. */
const SHRINK_BUDGET_MS = 8_000;
const TWICE_ONCE: Labels = ['engine fed twice', 'engine fed once'];

type Labels = readonly [actual: string, expected: string];

/** Every leaf where `actual` differs from `expected`, as `path: engine … reference …` lines. */
function differences(actual: unknown, expected: unknown, path: string, labels: Labels, out: string[]): void {
  if (Object.is(actual, expected)) return;
  const [a, e] = labels;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(actual) && isObject(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const k of [...keys].sort()) {
      if (!(k in actual)) out.push(`${path}.${k}: missing in ${a}, ${e} ${JSON.stringify(expected[k])}`);
      else if (!(k in expected)) out.push(`${path}.${k}: ${a} ${JSON.stringify(actual[k])}, not in ${e}`);
      else differences(actual[k], expected[k], `${path}.${k}`, labels, out);
    }
    return;
  }
  out.push(`${path}: ${a} ${JSON.stringify(actual)}, ${e} ${JSON.stringify(expected)}`);
}

/** Throws a readable list of differences, ignoring `position` (engine-defined). */
function assertSame(actual: Snapshot, expected: Snapshot, what: string, labels: Labels = ['engine', 'reference']): void {
  const out: string[] = [];
  differences({ ...actual, position: '' }, { ...expected, position: '' }, 'snapshot', labels, out);
  if (out.length === 0) return;
  const shown = out.slice(0, MAX_DIFF_LINES);
  if (out.length > shown.length) shown.push(`… and ${out.length - shown.length} more`);
  throw new Error(`${what}: ${labels[0]} and ${labels[1]} differ at ${out.length} place(s):\n  ${shown.join('\n  ')}`);
}

function newEngine(trace: Trace, now: number): TenantEngine {
  return new TenantEngine({ tenant: trace.tenant, settings: trace.settings, now, latenessMs: LATENESS_MS });
}

function reference(trace: Trace, events: readonly HubEvent[], now: number, queues: readonly string[] | null = null) {
  return referenceSnapshot(events, now, trace.settings, trace.tenant, { queues });
}

/** How the events of a trace arrive: shrinks towards in order, no duplicates, no delay. */
const arrivalArb = fc.record({
  /** Percent of the events sent twice (5-20 %); `dupDraws[k]` picks event k when above 100 - it. */
  dupPct: fc.integer({ min: 5, max: 20 }),
  dupDraws: fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 400 }),
  /** Sort keys of the arrival positions (missing: 0, so the order is kept). */
  keys: fc.array(fc.nat(), { maxLength: 500 }),
  /** Delays up to the lateness bound, its edges included (missing: 0). */
  delays: fc.array(
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: LATENESS_MS }), fc.constant(LATENESS_MS)),
    { maxLength: 500 },
  ),
});
type Arrival = typeof arrivalArb extends fc.Arbitrary<infer T> ? T : never;

/** The events, then the duplicated ones again. */
function withDuplicates(events: readonly HubEvent[], a: Arrival): HubEvent[] {
  return [...events, ...events.filter((_, k) => (a.dupDraws[k] ?? 0) >= 100 - a.dupPct)];
}

/** The events with duplicates, in the order given by the sort keys. */
function shuffled(events: readonly HubEvent[], a: Arrival): HubEvent[] {
  return withDuplicates(events, a)
    .map((event, position) => ({ event, key: a.keys[position] ?? 0 }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.event);
}

/** The events with duplicates, each at its ts plus its delay, by arrival time. */
function delayed(events: readonly HubEvent[], a: Arrival): { event: HubEvent; at: number }[] {
  return withDuplicates(events, a)
    .map((event, position) => ({ event, at: event.ts + (a.delays[position] ?? 0) }))
    .sort((x, y) => x.at - y.at);
}

/**
 * A later time to look again: anywhere up to 70 min on, or just around the moment an event's
 * second leaves the 15m or 60m window.
 */
const laterArb = fc.oneof(
  fc.record({ kind: fc.constant('plain' as const), after: fc.integer({ min: 0, max: 70 * MINUTE }) }),
  fc.record({
    kind: fc.constant('edge' as const),
    event: fc.nat(),
    window: fc.constantFrom(899_000, 3_599_000),
    delta: fc.integer({ min: -1500, max: 1500 }),
  }),
);
type Later = typeof laterArb extends fc.Arbitrary<infer T> ? T : never;

function laterTime(trace: Trace, from: number, later: Later): number {
  if (later.kind === 'plain') return from + later.after;
  const e = trace.events[later.event % Math.max(1, trace.events.length)];
  return Math.max(from, e === undefined ? from : e.ts + later.window + later.delta);
}

/** fast-check options: shrinking gets a time budget so a failure is reported within the test timeout. */
function options(numRuns: number): fc.Parameters<unknown> {
  // PROPERTY_SCALE=10 runs ten times as many cases (a deeper check than CI's).
  return { numRuns: numRuns * RUN_SCALE, plugins: [fc.interruptAfterTimeLimit(SHRINK_BUDGET_MS * RUN_SCALE)] };
}
const RUN_SCALE = Math.max(1, Number(process.env['PROPERTY_SCALE'] ?? 1));

const shortTraces = traceArb({ minSpanMs: LATENESS_MS, maxSpanMs: LATENESS_MS });
const longTraces = traceArb({ minSpanMs: MINUTE, maxSpanMs: 75 * MINUTE });

describe('engine vs reference', () => {
  it('gives the reference figures for any arrival order with duplicates, filtered or not, now and later', () => {
    fc.assert(
      fc.property(shortTraces, arrivalArb, filterArb, laterArb, (trace, arrival, filter, later) => {
        const engine = newEngine(trace, trace.now);
        for (const e of shuffled(trace.events, arrival)) engine.apply(e);
        assertSame(engine.snapshot(), reference(trace, trace.events, trace.now), `at now ${trace.now}`);
        assertSame(engine.snapshot({ queues: filter }), reference(trace, trace.events, trace.now, filter), `filter ${JSON.stringify(filter)}`);
        const then = laterTime(trace, trace.now, later);
        engine.advance(then);
        assertSame(engine.snapshot(), reference(trace, trace.events, then), `after advance to ${then}`);
      }),
      options(300),
    );
  });

  it('gives the reference figures while events arrive late and time moves on', () => {
    const checkpointsArb = fc.array(fc.nat(), { maxLength: 3 });
    fc.assert(
      fc.property(longTraces, arrivalArb, checkpointsArb, laterArb, filterArb, (trace, arrival, checkpoints, later, filter) => {
        const arrivals = delayed(trace.events, arrival);
        const stops = new Set(checkpoints.map((c) => c % Math.max(1, arrivals.length)));
        const engine = newEngine(trace, trace.start);
        const arrived: HubEvent[] = [];
        arrivals.forEach(({ event, at }, k) => {
          engine.advance(at);
          engine.apply(event);
          arrived.push(event);
          if (stops.has(k)) assertSame(engine.snapshot(), reference(trace, arrived, at), `after arrival #${k} at ${at}`);
        });
        const last = arrivals[arrivals.length - 1]?.at ?? trace.start;
        const finalNow = laterTime(trace, Math.max(last, trace.now), later);
        engine.advance(finalNow);
        assertSame(engine.snapshot(), reference(trace, trace.events, finalNow), `at the final now ${finalNow}`);
        assertSame(
          engine.snapshot({ queues: filter }),
          reference(trace, trace.events, finalNow, filter),
          `at the final now ${finalNow}, filter ${JSON.stringify(filter)}`,
        );
      }),
      options(300),
    );
  });

  it('is idempotent: applying the whole set twice equals applying it once', () => {
    fc.assert(
      fc.property(shortTraces, arrivalArb, laterArb, (trace, arrival, later) => {
        const once = newEngine(trace, trace.now);
        const twice = newEngine(trace, trace.now);
        for (const e of trace.events) once.apply(e);
        for (const e of [...trace.events, ...shuffled(trace.events, arrival)]) twice.apply(e);
        assertSame(twice.snapshot(), once.snapshot(), 'after applying the set', TWICE_ONCE);
        assertSame(once.snapshot(), reference(trace, trace.events, trace.now), 'applied once');
        const then = laterTime(trace, trace.now, later);
        once.advance(then);
        twice.advance(then);
        assertSame(twice.snapshot(), once.snapshot(), `after advance to ${then}`, TWICE_ONCE);
      }),
      options(150),
    );
  });
});
