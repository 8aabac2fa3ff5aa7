/**
 * Engine throughput: a busy multi-tenant centre (100 tenants, 10,000 agents, 500 queues; 5% of
 * events out of order, 2% duplicated) through the RxJS pipeline (with one open view per tenant,
 * as a wallboard would hold, real 1 s ticks and 250 ms conflation) and, in the same run, through
 * the same engine code in a plain loop. Engine time follows the replayed event time.
 *
 *   npm run bench:engine            (BENCH_SCALE=0.2 for a quick run)
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { HubEvent } from '../src/events/index.js';
import { LiveEngine, type EventBatch } from '../src/engine/index.js';
import { prng, simulateCentre } from '../src/sim/centre.js';

const scale = Number(process.env['BENCH_SCALE'] ?? 1);
const TENANTS = 100;
const AGENTS = Math.round(10_000 * scale);
const QUEUES = 500;
const HOURS = 2;
const BATCH_SPAN_MS = 2_000;
const MAX_BATCH = 500;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Builds the arrival stream: per tenant, events in arrival order cut into log-record batches. */
function buildBatches(): { batches: { tenant: string; arrival: number; events: HubEvent[] }[]; total: number } {
  const rnd = prng(42);
  const start = Date.UTC(2026, 10, 22, 8, 0, 0);
  const out: { tenant: string; arrival: number; events: HubEvent[] }[] = [];
  let total = 0;
  for (let t = 0; t < TENANTS; t++) {
    const tenant = `t${t + 1}`;
    const plan = simulateCentre({ tenant, agents: AGENTS / TENANTS, queues: QUEUES / TENANTS, from: start, to: start + HOURS * 3_600_000, seed: t + 1 });
    const arrivals: { at: number; e: HubEvent }[] = [];
    for (const e of plan.events) {
      // 5% out of order: delivered up to 2 minutes late; 2% delivered twice.
      const late = rnd() < 0.05 ? Math.round(rnd() * 120_000) : 0;
      arrivals.push({ at: e.ts + late, e });
      if (rnd() < 0.02) arrivals.push({ at: e.ts + Math.round(rnd() * 60_000), e });
    }
    arrivals.sort((a, b) => a.at - b.at);
    let cur: HubEvent[] = [];
    let curStart = -Infinity;
    let last = 0;
    for (const a of arrivals) {
      if (cur.length >= MAX_BATCH || a.at - curStart > BATCH_SPAN_MS) {
        if (cur.length) out.push({ tenant, arrival: last, events: cur });
        cur = [];
        curStart = a.at;
      }
      cur.push(a.e);
      last = a.at;
    }
    if (cur.length) out.push({ tenant, arrival: last, events: cur });
    total += arrivals.length;
  }
  out.sort((a, b) => a.arrival - b.arrival);
  return { batches: out, total };
}

/** A scheduler whose clock is the replay's event time, while its timers run in real time. */
function replayScheduler(clock: { now: number }): SchedulerLike {
  return { now: () => clock.now, schedule: asyncScheduler.schedule.bind(asyncScheduler) as SchedulerLike['schedule'] };
}

function plainLoop(batches: ReturnType<typeof buildBatches>['batches']): { ms: number; heapPer1k: number } {
  gc();
  const base = process.memoryUsage().heapUsed;
  const clock = { now: batches[0]!.arrival };
  const live = new LiveEngine({ scheduler: replayScheduler(clock) });
  const t0 = performance.now();
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    clock.now = b.arrival;
    live.applyBatch({ tenant: b.tenant, position: String(i), events: b.events });
  }
  const ms = performance.now() - t0;
  gc();
  const heap = process.memoryUsage().heapUsed - base;
  if (live.tenant('t1').position === '') throw new Error('nothing applied');
  return { ms, heapPer1k: heap / 1024 / 1024 / (AGENTS / 1000) };
}

async function pipeline(batches: ReturnType<typeof buildBatches>['batches']): Promise<{ ms: number; updates: number; frames: number }> {
  const clock = { now: batches[0]!.arrival };
  const live = new LiveEngine({ scheduler: replayScheduler(clock) });
  for (let t = 0; t < TENANTS; t++) live.openView(`t${t + 1}`, null);
  let updates = 0;
  let frames = 0;
  let finished = (): void => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  // The log delivers records asynchronously: yield to the event loop between chunks so ticks
  // and trailing conflation fire as they would in production.
  const source = new Observable<EventBatch>((sub) => {
    let i = 0;
    const step = (): void => {
      const end = Math.min(batches.length, i + 200);
      for (; i < end; i++) {
        const b = batches[i]!;
        clock.now = b.arrival;
        sub.next({ tenant: b.tenant, position: String(i), events: b.events });
      }
      if (i < batches.length) setImmediate(step);
      else finished();
    };
    setImmediate(step);
  });
  const t0 = performance.now();
  const subscription = live.run(source).subscribe((u) => {
    updates++;
    frames += u.changes.length;
  });
  await done;
  const ms = performance.now() - t0;
  subscription.unsubscribe();
  return { ms, updates, frames };
}

const { batches, total } = buildBatches();
console.log(`workload: ${TENANTS} tenants, ${AGENTS} agents, ${QUEUES} queues, ${HOURS} h of traffic, ${total} events in ${batches.length} batches (5% late, 2% duplicated)`);
const plain = plainLoop(batches);
const piped = process.env["BENCH_ONLY"] === "plain" ? { ms: plain.ms, updates: 0, frames: 0 } : await pipeline(batches);
const plainRate = Math.round(total / (plain.ms / 1000));
const pipeRate = Math.round(total / (piped.ms / 1000));
console.log(`plain loop: ${plain.ms.toFixed(0)} ms, ${plainRate} events/s`);
console.log(`pipeline:   ${piped.ms.toFixed(0)} ms, ${pipeRate} events/s, ${piped.updates} view updates, ${piped.frames} topic frames`);
console.log(`pipeline / plain loop: ${((pipeRate / plainRate) * 100).toFixed(1)}%`);
console.log(`engine: ${pipeRate} events/s (plain loop ${plainRate} events/s), heap ${plain.heapPer1k.toFixed(1)} MB per 1k agents`);
