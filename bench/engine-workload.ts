/**
 * The engine benchmarks' workload and runs (bench/engine.ts, bench/engine-ab.ts): a busy multi-tenant centre (100 tenants, 10,000 agents, 500 queues; 5% of
 * events out of order, 2% duplicated) through the RxJS pipeline (with one open view per tenant,
 * as a wallboard would hold, 250 ms conflation) and, in the same run, through
 * the same engine code in a plain loop. Engine time follows the replayed event time: each tenant's
 * is its records' append times, held as in a node's start-up replay (ticks do not move it), and
 * rollups are handed over every 15 minutes of it, after the record that crosses the mark (inside
 * a read, so how often does not depend on the read size).
 *
 * The input is held as log records (JSON text, as the log stores them) in one byte buffer outside
 * the JS heap, as a log reader receives them off the network, and decoded a log read at a time:
 * the records the Redis log reader gets per round trip while it is behind (as it is whenever the
 * engine is the bottleneck), every partition's largest read. As the Redis reader's records do, a
 * batch parses its events when the engine reads them; the parsing is timed apart (inside
 * the engine's run) and not counted as engine time, nor is making a read's batch objects (the
 * plain loop makes them before its clock starts, the pipeline's source inside it).
 *
 * BENCH_SCALE=0.2 gives a quick run; BENCH_READ_RECORDS=N reads N records at a time; BENCH_IDS=long
 * gives ids as long as UUIDs.
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { HubEvent } from '../src/events/index.js';
import { tuneV8ForEngine, type EventBatch, type LiveEngine, type LiveEngineOptions, type RollupBatch } from '../src/engine/index.js';
import { DEFAULT_MAX_READ_BATCH, DEFAULT_PARTITIONS } from '../src/log/index.js';
import { prng, simulateCentre } from '../src/sim/centre.js';

// The engine runs with a hub node's V8 settings (src/node/run.ts).
tuneV8ForEngine();

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
export const TENANTS = 100;
export const AGENTS = Math.round(10_000 * scale);
export const QUEUES = 500;
export const HOURS = 2;
const RECORD_SPAN_MS = 2_000;
const MAX_RECORD = 500;
/** Records per log read: the Redis reader's largest (src/log/read-batch.ts), or BENCH_READ_RECORDS. */
export const CHUNK = Number(process.env['BENCH_READ_RECORDS'] ?? DEFAULT_PARTITIONS * DEFAULT_MAX_READ_BATCH);

interface LogRecordText {
  tenant: string;
  arrival: number;
  json: string;
}

/** Log records as bytes with an index (tenant, append time, byte range), so the heap holds only the engine. */
export class LogBytes {
  readonly length: number;
  private readonly tenants: string[] = [];
  private readonly tenantOf: Uint16Array;
  private readonly arrivals: Float64Array;
  private readonly offsets: Float64Array;
  private readonly bytes: Buffer;

  constructor(records: readonly LogRecordText[]) {
    this.length = records.length;
    this.tenantOf = new Uint16Array(records.length);
    this.arrivals = new Float64Array(records.length);
    this.offsets = new Float64Array(records.length + 1);
    const index = new Map<string, number>();
    let at = 0;
    records.forEach((r, i) => {
      let t = index.get(r.tenant);
      if (t === undefined) index.set(r.tenant, (t = this.tenants.push(r.tenant) - 1));
      this.tenantOf[i] = t;
      this.arrivals[i] = r.arrival;
      this.offsets[i] = at;
      at += Buffer.byteLength(r.json);
    });
    this.offsets[records.length] = at;
    this.bytes = Buffer.allocUnsafe(at);
    records.forEach((r, i) => this.bytes.write(r.json, this.offsets[i]!));
  }

  tenant(i: number): string {
    return this.tenants[this.tenantOf[i]!]!;
  }

  arrival(i: number): number {
    return this.arrivals[i]!;
  }

  json(i: number): string {
    return this.bytes.toString('utf8', this.offsets[i]!, this.offsets[i + 1]!);
  }
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Collects the run before's garbage once it is garbage: a finished run's engine stays reachable
 * until the reactions to its released hold on time (`LiveEngine.holdTime`) have run, so this
 * yields to the event loop first. Collecting right after a run collected nothing: the pipeline
 * then ran beside the plain loop's whole engine, and plain-loop-only rounds of bench:engine:ab
 * kept every engine, each round slower than the last (386,000 to 187,000 events/s in 16 runs).
 */
async function collectGarbage(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  gc();
}

/**
 * One tenant of each engine class's latest run, kept through the runs after it. Collected whole,
 * a run's engine takes with it the maps (object layouts) its objects had, and V8 discards the
 * optimized code that embeds them: the next run began with some 150 deoptimizations, the engine's
 * code back in the interpreter until compiled again (docs/benchmarks.md). A hub holds its engine
 * for its life, so that is an artifact of running engines one after another in one process; one
 * kept tenant (a hundredth of an engine) keeps the layouts, and the code, alive.
 */
const keptTenants = new Map<EngineClass, unknown>();

function keepOneTenant(Engine: EngineClass, live: LiveEngine): void {
  keptTenants.set(Engine, live.tenant('t1'));
}

/**
 * BENCH_IDS=long: ids of 36 characters or more, as UUIDs are, instead of the simulator's short
 * ones (`t12-e1234`). V8's JSON.parse internalizes string values of up to 10 characters (into the
 * old generation, through the string table), so short ids reach the engine already old and
 * hashed; long ones arrive young, as a producer's UUIDs would (docs/benchmarks.md).
 */
export const LONG_IDS = process.env['BENCH_IDS'] === 'long';
const ID_PAD = '-' + 'x'.repeat(26);

function lengthenIds(e: HubEvent): HubEvent {
  const out: Record<string, unknown> = { ...e, id: e.id + ID_PAD };
  if ('contactId' in e) out['contactId'] = e.contactId + ID_PAD;
  if ('agentId' in e) out['agentId'] = e.agentId + ID_PAD;
  return out as HubEvent;
}

/** Per tenant, events in arrival order cut into log records (what one producer posts per ~2 s). */
export function buildRecords(): { records: LogBytes; total: number } {
  const rnd = prng(42);
  const start = Date.UTC(2026, 10, 22, 8, 0, 0);
  const out: LogRecordText[] = [];
  let total = 0;
  for (let t = 0; t < TENANTS; t++) {
    const tenant = `t${t + 1}`;
    const plan = simulateCentre({ tenant, agents: AGENTS / TENANTS, queues: QUEUES / TENANTS, from: start, to: start + HOURS * 3_600_000, seed: t + 1 });
    const arrivals: { at: number; e: HubEvent }[] = [];
    for (const planned of plan.events) {
      const e = LONG_IDS ? lengthenIds(planned) : planned;
      // 5% out of order: delivered up to 2 minutes late; 2% delivered twice.
      const late = rnd() < 0.05 ? Math.round(rnd() * 120_000) : 0;
      arrivals.push({ at: e.ts + late, e });
      if (rnd() < 0.02) arrivals.push({ at: e.ts + Math.round(rnd() * 60_000), e });
    }
    arrivals.sort((a, b) => a.at - b.at);
    let cur: HubEvent[] = [];
    let curStart = -Infinity;
    let last = 0;
    const flush = (): void => {
      if (cur.length) out.push({ tenant, arrival: last, json: JSON.stringify(cur) });
    };
    for (const a of arrivals) {
      if (cur.length >= MAX_RECORD || a.at - curStart > RECORD_SPAN_MS) {
        flush();
        cur = [];
        curStart = a.at;
      }
      cur.push(a.e);
      last = a.at;
    }
    flush();
    total += arrivals.length;
  }
  out.sort((a, b) => a.arrival - b.arrival);
  return { records: new LogBytes(out), total };
}

/** Time spent parsing events (JSON.parse), not engine time. */
export const decoding = { ms: 0 };

/**
 * Minor page faults of the process so far. Memory touched for the first time is what a run
 * mostly pays for on some VMs (~13.5 µs a page on one: docs/benchmarks.md), so each run reports
 * its faults beside its rate. Read at a run's start and end only: a read per parse (to leave
 * parsing out) cost a system call each, which slowed the engine's own measured time by half.
 */
function faults(): number {
  return process.resourceUsage().minorPageFault;
}

/**
 * Rollups handed over every 15 minutes of engine time, after the record whose append time
 * crosses the mark, ended intervals only, as the node does in a replay (src/node/persistence.ts,
 * `onRecord`): inside a log read, so how often they are collected does not depend on how much a
 * read brings.
 */
class RollupHandOver {
  rows = 0;
  private next: number;

  constructor(
    private readonly live: LiveEngine,
    start: number,
  ) {
    this.next = start + 900_000;
  }

  /** After a record appended at `at` is applied. */
  recordApplied(at: number): void {
    if (at < this.next) return;
    this.rows += countRows(this.live.collectRollups({ closedOnly: true }));
    this.next = at + 900_000;
  }
}

/** A log record as an engine batch whose events are parsed when read, as the Redis log reader's are. */
class LogBatch implements EventBatch {
  readonly tenant: string;
  readonly position: string;
  readonly at: number;

  constructor(
    private readonly records: LogBytes,
    private readonly index: number,
    private readonly handOver: RollupHandOver,
  ) {
    this.tenant = records.tenant(index);
    this.position = String(index);
    this.at = records.arrival(index);
  }

  applied(): void {
    this.handOver.recordApplied(this.at);
  }

  get events(): HubEvent[] {
    const t0 = performance.now();
    const events = JSON.parse(this.records.json(this.index)) as HubEvent[];
    decoding.ms += performance.now() - t0;
    return events;
  }
}

/** Time spent making a read's batches (the log reader's work), not engine time in either run. */
const reading = { ms: 0 };

/** Records [from, to) as batches applied at their append time: one log read. */
function read(records: LogBytes, from: number, to: number, handOver: RollupHandOver): LogBatch[] {
  const t0 = performance.now();
  const out: LogBatch[] = [];
  for (let i = from; i < to; i++) out.push(new LogBatch(records, i, handOver));
  reading.ms += performance.now() - t0;
  return out;
}

/**
 * An engine replaying the log: its time is held (each tenant's follows its records' append
 * times, as in a node's start-up replay, so a hand-over inside a read does not move tenants whose
 * records of the read are still to come).
 */
function replayEngine(Engine: EngineClass, clock: { now: number }): { live: LiveEngine; handOver: RollupHandOver; done: () => void } {
  const live = new Engine({ scheduler: replayScheduler(clock) });
  let done = (): void => undefined;
  live.holdTime(new Promise<void>((resolve) => (done = resolve)));
  return { live, handOver: new RollupHandOver(live, clock.now), done };
}

/** A scheduler whose clock is the replay's event time, while its timers run in real time. */
function replayScheduler(clock: { now: number }): SchedulerLike {
  return { now: () => clock.now, schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'] };
}

function countRows(b: RollupBatch): number {
  return b.queues.length + b.agents.length;
}

/** The engine under test: this checkout's LiveEngine, or another checkout's (bench/engine-ab.ts). */
export type EngineClass = new (opts?: LiveEngineOptions) => LiveEngine;

/** A run's engine time, and the page faults of the whole run (reading and parsing included). */
export async function plainLoop(Engine: EngineClass, records: LogBytes): Promise<{ ms: number; faults: number; heapPer1k: number }> {
  await collectGarbage();
  // The engine keeps much of its state in typed arrays, whose storage lies outside the JS heap.
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const base = used();
  const clock = { now: records.arrival(0) };
  const { live, handOver, done } = replayEngine(Engine, clock);
  const time = { ms: 0 };
  const f0 = faults();
  for (let i = 0; i < records.length; i += CHUNK) applyRead(records, i, live, clock, handOver, time);
  const runFaults = faults() - f0;
  done();
  gc();
  const heap = used() - base;
  if (live.tenant('t1').position === '' || handOver.rows === 0) throw new Error('nothing applied');
  keepOneTenant(Engine, live);
  return { ms: time.ms, faults: runFaults, heapPer1k: heap / 1024 / 1024 / (AGENTS / 1000) };
}

/**
 * One log read through the plain loop. A function of its own, so that no frame still holds the
 * last read's events when the heap is measured.
 */
function applyRead(records: LogBytes, i: number, live: LiveEngine, clock: { now: number }, handOver: RollupHandOver, time: { ms: number }): void {
  const batches = read(records, i, Math.min(records.length, i + CHUNK), handOver);
  const t0 = performance.now();
  const parsed0 = decoding.ms;
  // The reader's view of now: the newest record's append time.
  clock.now = batches[batches.length - 1]!.at;
  live.applyBurst(batches);
  time.ms += performance.now() - t0 - (decoding.ms - parsed0);
}

export async function pipeline(Engine: EngineClass, records: LogBytes): Promise<{ ms: number; faults: number; updates: number; frames: number }> {
  // As the plain loop does: the run before it (a whole engine's state) is not this run's garbage.
  await collectGarbage();
  const clock = { now: records.arrival(0) };
  const { live, handOver, done: replayed } = replayEngine(Engine, clock);
  for (let t = 0; t < TENANTS; t++) live.openView(`t${t + 1}`, null);
  let updates = 0;
  let frames = 0;
  let finished = (): void => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  // The log delivers records asynchronously: yield to the event loop between chunks so ticks
  // (which do not move held time) and trailing conflation fire as they would in a replay.
  const source = new Observable<EventBatch>((sub) => {
    let i = 0;
    const step = (): void => {
      const batches = read(records, i, Math.min(records.length, i + CHUNK), handOver);
      clock.now = batches[batches.length - 1]!.at;
      for (const batch of batches) sub.next(batch);
      i += batches.length;
      if (i < records.length) setImmediate(step);
      else finished();
    };
    setImmediate(step);
  });
  const f0 = faults();
  const t0 = performance.now();
  const parsed0 = decoding.ms;
  const read0 = reading.ms;
  const subscription = live.run(source).subscribe((u) => {
    updates++;
    frames += u.changes.length;
  });
  await done;
  const ms = performance.now() - t0 - (decoding.ms - parsed0) - (reading.ms - read0);
  const runFaults = faults() - f0;
  subscription.unsubscribe();
  replayed();
  if (handOver.rows === 0) throw new Error('no rollups handed over');
  keepOneTenant(Engine, live);
  return { ms, faults: runFaults, updates, frames };
}

