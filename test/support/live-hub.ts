/**
 * A live hub on a real HTTP server for integration tests: an engine fed by a Subject, with the
 * engine, the verifier and the hub's timers on one virtual clock (conflation, token expiry and
 * slow-client sweeps happen when a test advances it), socket.io-client sockets, and the hub's
 * log lines.
 */
import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Subject, VirtualTimeScheduler, type Observable } from 'rxjs';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { createVerifier, signToken, type Role } from '../../src/auth/index.js';
import { LiveEngine, type EventBatch, type ViewUpdate } from '../../src/engine/index.js';
import { hubEventSchema, type HubEvent } from '../../src/events/index.js';
import {
  attachLiveHub,
  type HubClock,
  type HubLogger,
  type HubUpdate,
  type LiveHub,
  type LiveHubOptions,
} from '../../src/hub/index.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/protocol/index.js';

export const SECRET = 'hub-test-secret-of-at-least-32-characters';

export type Client = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Virtual time for the engine (its scheduler: conflation, ticks), the hub (token and sweep
 * timers) and the verifier alike; it moves only when a test advances it.
 */
export class VirtualClock implements HubClock {
  readonly scheduler = new VirtualTimeScheduler();

  constructor(start: number) {
    this.scheduler.frame = start;
  }

  now(): number {
    return this.scheduler.frame;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const action = this.scheduler.schedule(() => fn(), Math.max(0, delayMs));
    return () => action.unsubscribe();
  }

  /** Moves time forward by `ms`, running what falls due on the way, earliest first. */
  advance(ms: number): void {
    const target = this.scheduler.frame + ms;
    this.scheduler.maxFrames = target;
    this.scheduler.flush();
    this.scheduler.frame = target;
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

export function memoryLogger(lines: LogLine[]): HubLogger {
  const at = (level: LogLine['level']) => (obj: object, msg: string) => {
    lines.push({ level, obj, msg });
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TokenClaims {
  tenant?: string;
  role?: Role;
  sub?: string;
  queues?: readonly string[];
  /** Seconds; default one hour. */
  ttl?: number;
}

export interface HubFixture {
  url: string;
  httpServer: HttpServer;
  live: LiveEngine;
  batches: Subject<EventBatch>;
  hub: LiveHub;
  clock: VirtualClock;
  metrics: Metrics;
  logs: LogLine[];
  /** A token signed with the hub's key at the virtual clock's time (default: acme supervisor sam). */
  token(claims?: TokenClaims): string;
  /** A connected client, closed with the fixture. */
  connect(token: string): Promise<Client>;
  /** The `connect_error` a handshake ends with. */
  refusal(auth: object): Promise<Error & { data?: unknown }>;
  /** Appends a batch of the tenant's events (parsed as ingest would) at the next log position. */
  push(tenant: string, events: readonly object[]): void;
  /** Virtual time `ms` ago, for event timestamps. */
  ago(ms: number): number;
  /**
   * Lets what was pushed reach the engine (it applies bursts on a microtask), then moves the
   * virtual clock forward by `ms`.
   */
  advance(ms: number): Promise<void>;
  /** Lets the engine's conflation window close, so the next change goes out at once. */
  quiet(): Promise<void>;
  close(): Promise<void>;
}

export interface HubFixtureOptions
  extends Partial<Omit<LiveHubOptions, 'httpServer' | 'live' | 'updates$' | 'verify' | 'metrics' | 'logger' | 'clock'>> {
  updateIntervalMs?: number;
  tickMs?: number;
  /** What the node would do to the engine's updates before the hub (e.g. add `appendedAt`). */
  mapUpdates?: (updates$: Observable<ViewUpdate>, clock: VirtualClock) => Observable<HubUpdate>;
}

export async function startHub(options: HubFixtureOptions = {}): Promise<HubFixture> {
  const { updateIntervalMs = 50, tickMs = 1000, mapUpdates = (u) => u, ...hubOptions } = options;
  const clock = new VirtualClock(Date.now());
  const live = new LiveEngine({ scheduler: clock.scheduler, updateIntervalMs, tickMs });
  const batches = new Subject<EventBatch>();
  const metrics = createMetrics();
  const logs: LogLine[] = [];
  const httpServer = createServer();
  httpServer.listen(0, '127.0.0.1');
  await once(httpServer, 'listening');
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const hub = attachLiveHub({
    config: { slowClientBufferBytes: 4 * 1024 * 1024 },
    ...hubOptions,
    httpServer,
    live,
    updates$: mapUpdates(live.run(batches), clock),
    verify: createVerifier({ secret: SECRET, clock }),
    metrics,
    logger: memoryLogger(logs),
    clock,
  });
  const clients: Client[] = [];
  let position = 0;
  const advance = async (ms: number): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(ms);
  };

  const open = (auth: object): Client => {
    const client: Client = connectClient(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(client);
    return client;
  };

  return {
    url,
    httpServer,
    live,
    batches,
    hub,
    clock,
    metrics,
    logs,
    token: ({ tenant = 'acme', role = 'supervisor', sub = 'sam', queues, ttl = 3600 } = {}) =>
      signToken({ secret: SECRET, tenant, role, sub, ttl, clock, ...(queues === undefined ? {} : { queues }) }),
    async connect(token) {
      const client = open({ token });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      return client;
    },
    async refusal(auth) {
      const client = open(auth);
      return new Promise((resolve, reject) => {
        client.once('connect', () => reject(new Error('the handshake was accepted')));
        client.once('connect_error', resolve);
      });
    },
    push(tenant, events) {
      position += 1;
      batches.next({ tenant, position: String(position), events: events.map((e): HubEvent => hubEventSchema.parse(e)) });
    },
    ago: (ms) => clock.now() - ms,
    advance,
    quiet: () => advance(updateIntervalMs),
    async close() {
      for (const client of clients) client.close();
      await hub.close('test_over');
      batches.complete();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

type Payload<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** The first `event` a client receives from now on. */
export function next<E extends keyof ServerToClientEvents>(client: Client, event: E): Promise<Payload<E>> {
  return new Promise((resolve) => {
    client.once(event as 'update', (arg: unknown) => resolve(arg as Payload<E>));
  });
}

/** Every `event` a client receives from now on, as it arrives. */
export function collect<E extends keyof ServerToClientEvents>(client: Client, event: E): Payload<E>[] {
  const seen: Payload<E>[] = [];
  client.on(event as 'update', (arg: unknown) => {
    seen.push(arg as Payload<E>);
  });
  return seen;
}

/** Resolves with the reason Socket.IO gives when the client is disconnected. */
export function disconnection(client: Client): Promise<string> {
  return new Promise((resolve) => client.once('disconnect', (reason) => resolve(reason)));
}

/**
 * Resolves once everything the server sent before this call has reached the client: the server
 * answers an ack on the same connection, after what it queued earlier.
 */
export async function barrier(client: Client): Promise<void> {
  await client.emitWithAck('unsubscribe', { topic: 'barrier:none' });
}

/** Equality as the protocol promises it: a key with a null value is the same as an absent key. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== null && v !== undefined) out[key] = normalize(v);
    return out;
  }
  return value;
}
