/**
 * A whole hub for browser tests and screenshots: one node in the test process, on real time, on a
 * port that stays the same across a restart (so an open page can reconnect to it), fed by the
 * contact-centre simulator through POST /v1/events.
 */
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { signToken, type Role } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { HubEvent } from '../../src/events/index.js';
import { createLogger } from '../../src/logger.js';
import { startNode, type HubNode } from '../../src/node/index.js';
import type { Snapshot } from '../../src/protocol/index.js';
import { simulateCentre } from '../../src/sim/centre.js';
import { createStorage, TEST_SECRET, type TestStorage } from './node.js';

const BATCH = 2000;
const TICK_MS = 200;

export interface CentreOptions {
  tenant: string;
  agents: number;
  queues: number;
  /** How much of the simulated past is posted at start (default 60 min). */
  historyMs?: number;
  seed?: number;
}

export interface E2eHub {
  readonly url: string;
  readonly port: number;
  readonly node: HubNode;
  token(tenant: string, role: Role, options?: { ttl?: string; issuedAt?: number; queues?: readonly string[] }): string;
  /** POSTs events as an ingest client of `tenant`; resolves once the node has applied them. */
  ingest(tenant: string, events: readonly HubEvent[]): Promise<void>;
  snapshot(tenant: string, query?: string): Promise<Snapshot>;
  /**
   * Posts the simulated centre's past at once, then (when `play`) each later event as its time
   * comes, until stopped. Returns the centre's queues and agents.
   */
  feed(options: CentreOptions & { play?: boolean }): Promise<{ queueIds: string[]; agentIds: string[]; stop(): void }>;
  /** Stops the node as a deploy would (`shutdown`), leaving storage for `start`. */
  stop(): Promise<void>;
  /** Starts a node again on the same port and storage. */
  start(): Promise<void>;
  /** Stops the node and removes its storage. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

export async function startE2eHub(env: Record<string, string> = {}): Promise<E2eHub> {
  const storage: TestStorage = await createStorage('embedded');
  const port = await freePort();
  const config: Config = {
    ...loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
      // The simulated past is posted at start: it must be inside the lateness bound.
      LATENESS_MS: String(3 * 3600_000),
      INGEST_RATE_PER_SEC: '1000000',
      ...storage.env,
      ...env,
    }),
    port,
    host: '127.0.0.1',
  };
  const logger = createLogger({ level: config.logLevel, nodeId: 'e2e', destination: quiet });
  const startOne = () => startNode(config, { logger, ...(storage.db === undefined ? {} : { db: storage.db }) });
  let node: HubNode | undefined = await startOne();
  const url = `http://127.0.0.1:${port}`;
  const players = new Set<() => void>();

  const running = (): HubNode => {
    if (node === undefined) throw new Error('the hub is stopped');
    return node;
  };

  const token: E2eHub['token'] = (tenant, role, options = {}) =>
    signToken({
      secret: TEST_SECRET,
      tenant,
      role,
      sub: `e2e-${role}`,
      ttl: options.ttl ?? '2h',
      ...(options.queues === undefined ? {} : { queues: options.queues }),
      ...(options.issuedAt === undefined ? {} : { clock: { now: () => options.issuedAt as number } }),
    });

  async function post(tenant: string, events: readonly HubEvent[]): Promise<void> {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token(tenant, 'ingest')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    if (res.status !== 202) throw new Error(`POST /v1/events answered ${res.status}: ${await res.text()}`);
  }

  const hub: E2eHub = {
    url,
    port,
    get node() {
      return running();
    },
    token,
    async ingest(tenant, events) {
      for (let i = 0; i < events.length; i += BATCH) await post(tenant, events.slice(i, i + BATCH));
      await running().settled();
    },
    async snapshot(tenant, query = '') {
      const res = await fetch(`${url}/v1/snapshot${query}`, { headers: { Authorization: `Bearer ${token(tenant, 'supervisor')}` } });
      if (res.status !== 200) throw new Error(`GET /v1/snapshot answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Snapshot;
    },
    async feed({ play = false, historyMs = 3600_000, ...centre }) {
      const now = Date.now();
      const plan = simulateCentre({ ...centre, from: now - historyMs, to: now + (play ? 3600_000 : 0) });
      let next = plan.events.findIndex((e) => (e.ts as number) > now);
      if (next === -1) next = plan.events.length;
      await hub.ingest(centre.tenant, plan.events.slice(0, next));
      let sending = false;
      const timer = play
        ? setInterval(() => {
            if (sending || node === undefined) return;
            const from = next;
            const until = Date.now();
            while (next < plan.events.length && (plan.events[next]!.ts as number) <= until) next++;
            if (next === from) return;
            sending = true;
            // A batch refused while the hub restarts is lost, as a real producer's would be without retries.
            void post(centre.tenant, plan.events.slice(from, next))
              .catch(() => undefined)
              .finally(() => (sending = false));
          }, TICK_MS)
        : undefined;
      const stop = () => {
        clearInterval(timer);
        players.delete(stop);
      };
      players.add(stop);
      return { queueIds: plan.queueIds, agentIds: plan.agentIds, stop };
    },
    async stop() {
      const n = node;
      node = undefined;
      await n?.stop('shutdown');
    },
    async start() {
      if (node === undefined) node = await startOne();
    },
    async close() {
      for (const stop of [...players]) stop();
      await hub.stop();
      await storage.cleanup();
    },
  };
  return hub;
}
