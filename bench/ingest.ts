/**
 * Ingest and live latency of a whole node, for each event log (Redis Streams, the Postgres table
 * on a server, the same table on PGlite):
 *
 * 1. Throughput: events/s accepted (202, durable) through POST /v1/events, batches of 500
 *    (contact lifecycles over 10 tenants), from 16 concurrent requests in a child process; then
 *    how long the node's engine took to apply what was accepted.
 * 2. Latency: one socket.io-client subscriber on `queue:lat`; from sending POST /v1/events to
 *    receiving the update frame that shows the event. (a) 200 events/s steady, one per request,
 *    conflated by UPDATE_INTERVAL_MS; (b) a single event after a quiet period. Side by side, a
 *    bare Socket.IO server and client in the same process emit the same frame in the same way.
 *
 *   npm run bench:ingest
 *   BENCH_LOGS=redis BENCH_SECONDS=5 BENCH_QUIET_SAMPLES=40 npm run bench:ingest
 *
 * Needs the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), as the tests do.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { signToken } from '../src/auth/index.js';
import { loadConfig } from '../src/config.js';
import { tuneV8ForEngine } from '../src/engine/index.js';
import { startNode, type HubNode } from '../src/node/index.js';
import type { ClientToServerEvents, MergePatch, ServerToClientEvents, SubscribeAck, UpdateFrame } from '../src/protocol/index.js';
import { applyMergePatch } from '../src/protocol/merge-patch.js';
import { createStorage, type HubMode, type TestStorage } from '../test/support/node.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const BATCH = 500;
const CONCURRENCY = 16;
const TENANTS = 10;
const AGENTS_PER_TENANT = 200;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const WARMUP_SECONDS = 2;
const STEADY_SECONDS = Number(process.env['BENCH_STEADY_SECONDS'] ?? 8);
const STEADY_RATE = 200;
const QUIET_SAMPLES = Number(process.env['BENCH_QUIET_SAMPLES'] ?? 60);
const LOGS: Record<string, HubMode> = { redis: 'redis', postgres: 'postgres', pglite: 'embedded' };
const SELECTED = (process.env['BENCH_LOGS'] ?? 'redis,postgres,pglite').split(',').map((name) => name.trim());

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface ClientJob {
  url: string;
  tokens: string[];
  seconds: number;
  warmupSeconds: number;
}

interface ClientReport {
  accepted: number;
  requests: number;
  failures: number;
  latenciesMs: number[];
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Resolves when a socket.io client has connected; rejects with the refusal otherwise. */
function connected(client: { once(event: 'connect' | 'connect_error', fn: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('connect_error', (err) => reject(err ?? new Error('connect_error')));
  });
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));

/** A batch of 125 contact lifecycles (queued, answered, ended, acw_ended) as JSON text. */
function batchBody(worker: string, n: number, now: number): string {
  const parts: string[] = [];
  for (let c = 0; c < BATCH / 4; c++) {
    const contact = `${worker}-${n}-${c}`;
    const agent = `a${(n * 7 + c) % AGENTS_PER_TENANT}`;
    const queue = `q${c % 8}`;
    parts.push(
      `{"id":"${contact}-q","type":"contact.queued","ts":${now - 40_000},"contactId":"${contact}","queueId":"${queue}"}`,
      `{"id":"${contact}-a","type":"contact.answered","ts":${now - 30_000},"contactId":"${contact}","agentId":"${agent}"}`,
      `{"id":"${contact}-e","type":"contact.ended","ts":${now - 10_000},"contactId":"${contact}","holdMs":0}`,
      `{"id":"${contact}-w","type":"contact.acw_ended","ts":${now},"contactId":"${contact}"}`,
    );
  }
  return `{"events":[${parts.join(',')}]}`;
}

/** The client side of the throughput run, in a child process so it does not share the node's core. */
async function runClient(job: ClientJob): Promise<ClientReport> {
  const report: ClientReport = { accepted: 0, requests: 0, failures: 0, latenciesMs: [] };
  const started = performance.now();
  const measureFrom = started + job.warmupSeconds * 1000;
  const end = measureFrom + job.seconds * 1000;
  let n = 0;
  const loop = async (lane: number): Promise<void> => {
    while (performance.now() < end) {
      const tenant = (n + lane) % job.tokens.length;
      const body = batchBody(`w${lane}`, n++, Date.now());
      const sent = performance.now();
      const response = await fetch(`${job.url}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${job.tokens[tenant] as string}`, 'Content-Type': 'application/json' },
        body,
      });
      const answer = (await response.json()) as { accepted?: number };
      const done = performance.now();
      if (sent < measureFrom || done > end) continue;
      report.requests += 1;
      if (response.status === 202) {
        report.accepted += answer.accepted ?? 0;
        report.latenciesMs.push(done - sent);
      } else {
        report.failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, lane) => loop(lane)));
  return report;
}

const IS_CLIENT = process.argv.includes('--client');
if (IS_CLIENT) {
  const [job] = (await once(process, 'message')) as [ClientJob];
  const report = await runClient(job);
  process.send?.(report, () => process.exit(0));
}

async function startBenchNode(storage: TestStorage): Promise<HubNode> {
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    INGEST_RATE_PER_SEC: '100000000',
    ...storage.env,
  });
  return startNode({ ...config, port: 0, host: '127.0.0.1' }, storage.db === undefined ? {} : { db: storage.db });
}

function token(tenant: string, role: 'ingest' | 'supervisor'): string {
  return signToken({ secret: SECRET, tenant, role, sub: `bench-${role}`, ttl: '1h' });
}

interface ThroughputResult {
  eventsPerSec: number;
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  drainMs: number;
}

async function throughput(node: HubNode): Promise<ThroughputResult> {
  const tokens = Array.from({ length: TENANTS }, (_, t) => token(`bench-${t}`, 'ingest'));
  const job: ClientJob = { url: node.url, tokens, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS };
  const client = fork(new URL(import.meta.url), ['--client'], { execArgv: ['--import', 'tsx'] });
  client.send(job);
  const [report] = (await once(client, 'message')) as [ClientReport];
  const drainStart = performance.now();
  await node.settled();
  return {
    eventsPerSec: report.accepted / SECONDS,
    requests: report.requests,
    failures: report.failures,
    p50Ms: percentile(report.latenciesMs, 50),
    p99Ms: percentile(report.latenciesMs, 99),
    drainMs: performance.now() - drainStart,
  };
}

interface LatencyResult {
  steady: number[];
  quiet: number[];
  /** A real update frame, for the bare emit to send. */
  frame: UpdateFrame;
}

/** Follows `queue:lat`'s 15-minute offered count through update frames. */
async function subscriber(node: HubNode): Promise<{ client: Client; offered: () => number; onChange: (fn: (frame: UpdateFrame) => void) => void }> {
  const client: Client = connectClient(node.url, { auth: { token: token('lat', 'supervisor') }, transports: ['websocket'] });
  await connected(client);
  const ack: SubscribeAck = await client.emitWithAck('subscribe', { topic: 'queue:lat' });
  if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.message}`);
  let queue: unknown = ack.snapshot;
  const listeners: ((frame: UpdateFrame) => void)[] = [];
  client.on('update', (frame) => {
    queue = frame.changes === null ? null : applyMergePatch(queue, frame.changes as MergePatch);
    for (const listener of listeners) listener(frame);
  });
  const offered = (): number => ((queue as { windows?: { '15m'?: { offered?: number } } } | null)?.windows?.['15m']?.offered ?? 0);
  return { client, offered, onChange: (fn) => listeners.push(fn) };
}

async function latency(node: HubNode): Promise<LatencyResult> {
  const ingest = token('lat', 'ingest');
  let seq = 0;
  const post = (): Promise<Response> =>
    fetch(`${node.url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ingest}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: [{ id: `l${++seq}`, type: 'contact.queued', ts: Date.now(), contactId: `c${seq}`, queueId: 'lat' }] }),
    });
  // The queue exists once it has had a contact; the subscriber starts from there.
  await post();
  await node.settled();
  const sub = await subscriber(node);
  const base = sub.offered();
  const sentAt: number[] = [];
  const seenAt: number[] = [];
  let frame: UpdateFrame | undefined;
  let waiter: (() => void) | undefined;
  let lastFrameAt = performance.now();
  let nextFrame: (() => void) | undefined;
  sub.onChange(() => {
    lastFrameAt = performance.now();
    nextFrame?.();
  });
  sub.onChange((f) => {
    frame = f;
    const now = performance.now();
    for (let k = seenAt.length; k < sub.offered() - base && k < sentAt.length; k++) seenAt.push(now);
    waiter?.();
  });
  const seen = (k: number) =>
    new Promise<void>((resolve) => {
      if (seenAt.length >= k) resolve();
      else waiter = () => seenAt.length >= k && resolve();
    });

  // (a) 200 events/s, one per request.
  const interval = 1000 / STEADY_RATE;
  const steadyStart = performance.now();
  for (let i = 0; i < STEADY_RATE * STEADY_SECONDS; i++) {
    const due = steadyStart + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    sentAt.push(performance.now());
    void post();
  }
  await seen(sentAt.length);
  const steady = seenAt.map((t, k) => t - (sentAt[k] as number));

  // (b) One event after a quiet period: the topic has had no frame at all (time-driven ones
  // included: waiting contacts refresh oldestWaitSec every second) for at least the update
  // interval. Wait for a frame, then post 300-700 ms later, before the next 1 s refresh.
  const quiet: number[] = [];
  for (let i = 0; i < QUIET_SAMPLES; i++) {
    await new Promise<void>((resolve) => {
      nextFrame = resolve;
      setTimeout(resolve, 1500);
    });
    nextFrame = undefined;
    await sleep(Math.max(0, lastFrameAt + 300 + Math.random() * 400 - performance.now()));
    const k = sentAt.length + 1;
    sentAt.push(performance.now());
    await post();
    await seen(k);
    quiet.push((seenAt[k - 1] as number) - (sentAt[k - 1] as number));
  }
  sub.client.close();
  if (frame === undefined) throw new Error('no update frame was received');
  return { steady, quiet, frame };
}

/** A plain Socket.IO server and client: the same frame, emitted the same way. */
async function bareEmit(frame: UpdateFrame, samples: { steady: number; quiet: number }): Promise<{ steady: number[]; quiet: number[] }> {
  const http = createServer();
  const server = new Server(http, { perMessageDeflate: false, serveClient: false });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  const accepted = once(server, 'connection');
  const client = connectClient(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  await connected(client);
  await accepted;
  const received: number[] = [];
  let waiter: (() => void) | undefined;
  client.on('update', () => {
    received.push(performance.now());
    waiter?.();
  });
  const arrived = (k: number) =>
    new Promise<void>((resolve) => {
      if (received.length >= k) resolve();
      else waiter = () => received.length >= k && resolve();
    });
  const sent: number[] = [];
  const interval = 1000 / STEADY_RATE;
  const start = performance.now();
  for (let i = 0; i < samples.steady; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 1) await sleep(wait);
    sent.push(performance.now());
    server.local.emit('update', frame);
  }
  await arrived(sent.length);
  const steady = received.map((t, k) => t - (sent[k] as number));
  const quiet: number[] = [];
  for (let i = 0; i < samples.quiet; i++) {
    await sleep(20 + Math.random() * 30);
    const k = sent.length + 1;
    sent.push(performance.now());
    server.local.emit('update', frame);
    await arrived(k);
    quiet.push((received[k - 1] as number) - (sent[k - 1] as number));
  }
  client.close();
  await server.close();
  return { steady, quiet };
}

interface Row {
  log: string;
  ingest: ThroughputResult;
  live: { steady: number[]; quiet: number[] };
  bare: { steady: number[]; quiet: number[] };
}

async function benchLog(name: string): Promise<Row> {
  const mode = LOGS[name];
  if (mode === undefined) throw new Error(`unknown log ${JSON.stringify(name)}: expected one of ${Object.keys(LOGS).join(', ')}`);
  const storage = await createStorage(mode);
  const node = await startBenchNode(storage);
  try {
    process.stdout.write(`\n== ${name} log (${node.log.kind} on ${node.db.kind}) ==\n`);
    // Latency first, on a node whose engine holds no other load; then throughput.
    const live = await latency(node);
    const bare = await bareEmit(live.frame, { steady: live.steady.length, quiet: live.quiet.length });
    const line = (label: string, hub: number[], plain: number[]) =>
      `${label}: event → update p50 ${ms(percentile(hub, 50))}, p99 ${ms(percentile(hub, 99))} | bare emit p50 ${ms(percentile(plain, 50))}, p99 ${ms(percentile(plain, 99))}\n`;
    process.stdout.write(line(`steady ${STEADY_RATE}/s (${live.steady.length} events)`, live.steady, bare.steady));
    process.stdout.write(line(`first change after quiet (${live.quiet.length} samples)`, live.quiet, bare.quiet));
    const ingest = await throughput(node);
    process.stdout.write(
      `ingest: ${Math.round(ingest.eventsPerSec).toLocaleString('en')} events/s accepted (${ingest.requests} requests of ${BATCH}, ` +
        `${ingest.failures} refused; request p50 ${ms(ingest.p50Ms)}, p99 ${ms(ingest.p99Ms)}); engine caught up ${ms(ingest.drainMs)} after the last 202\n`,
    );
    return { log: name, ingest, live: { steady: live.steady, quiet: live.quiet }, bare };
  } finally {
    await node.stop('bench over');
    await storage.cleanup();
  }
}

if (!IS_CLIENT) {
  // The nodes under test run in this process, with a hub node's V8 settings (src/node/run.ts).
  tuneV8ForEngine();
  const rows: Row[] = [];
  for (const name of SELECTED) rows.push(await benchLog(name));
  const ingestTarget = 50_000;
  process.stdout.write('\n== summary ==\n');
  process.stdout.write('log       | events/s accepted | quiet event→update p50 / p99 | bare emit p99 | p99 over bare (target ≤ 25 ms)\n');
  for (const row of rows) {
    const over = percentile(row.live.quiet, 99) - percentile(row.bare.quiet, 99);
    process.stdout.write(
      `${row.log.padEnd(9)} | ${Math.round(row.ingest.eventsPerSec).toLocaleString('en').padStart(17)} | ` +
        `${`${ms(percentile(row.live.quiet, 50))} / ${ms(percentile(row.live.quiet, 99))}`.padStart(28)} | ${ms(percentile(row.bare.quiet, 99)).padStart(13)} | ` +
        `${ms(over)}${over <= 25 ? '' : ' (over target)'}\n`,
    );
  }
  const redis = rows.find((r) => r.log === 'redis');
  if (redis !== undefined) {
    process.stdout.write(
      `Redis log ingest: ${Math.round(redis.ingest.eventsPerSec).toLocaleString('en')} events/s per node (target ≥ ${ingestTarget.toLocaleString('en')}): ${redis.ingest.eventsPerSec >= ingestTarget ? 'met' : 'NOT met'}\n`,
    );
  }
}
