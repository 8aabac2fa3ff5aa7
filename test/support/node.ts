/**
 * A whole hub node in the test process, on a random port, in any mode: embedded (PGlite in a
 * temporary directory), postgres (a throw-away database on the real server) or redis (real Redis
 * under a unique key prefix, plus a throw-away database). Time is a manual clock the test moves.
 *
 * Storage outlives nodes: start a node, stop it, start another on the same storage to test a
 * restart. PGlite's first open takes seconds, so a test file shares one storage across its tests
 * and keeps tests apart by tenant names.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { signToken, type Role } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { HubClock } from '../../src/hub/index.js';
import { createLogger } from '../../src/logger.js';
import { startNode, type HubNode } from '../../src/node/index.js';
import { openDb, type Db } from '../../src/store/index.js';
import { createTestDatabase } from './db.js';

export type HubMode = 'embedded' | 'postgres' | 'redis';
export const HUB_MODES: readonly HubMode[] = ['embedded', 'postgres', 'redis'];

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Time that moves only when the test says; timers still run on real time. */
export class ManualClock implements HubClock {
  #now: number;

  constructor(start = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  set(ms: number): void {
    this.#now = ms;
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const handle = setTimeout(fn, Math.max(0, delayMs));
    handle.unref();
    return () => clearTimeout(handle);
  }
}

export interface TestStorage {
  mode: HubMode;
  /** The variables that point a node at this storage. */
  env: Record<string, string>;
  /** An open database nodes share instead of opening their own (embedded mode: PGlite is slow to open). */
  db: Db | undefined;
  /** Drops the database, the Redis keys and the directory. Stop the nodes first. */
  cleanup(): Promise<void>;
}

export interface StorageOptions {
  /** Embedded mode: let each node open (and close) PGlite itself, as a real restart does. Default false. */
  ownDb?: boolean;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function createStorage(mode: HubMode, options: StorageOptions = {}): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ph-hub-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (mode === 'embedded') {
    const db = options.ownDb === true ? undefined : await openDb({ dataDir });
    return {
      mode,
      env: { DATA_DIR: dataDir },
      db,
      cleanup: async () => {
        await db?.close();
        await removeDir();
      },
    };
  }
  const database = await createTestDatabase();
  if (mode === 'postgres') {
    return {
      mode,
      env: { DATA_DIR: dataDir, DATABASE_URL: database.url },
      db: undefined,
      cleanup: async () => {
        await database.drop();
        await removeDir();
      },
    };
  }
  const prefix = `ph:test:hub:${randomBytes(6).toString('hex')}:`;
  return {
    mode,
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url, REDIS_URL, REDIS_PREFIX: prefix },
    db: undefined,
    cleanup: async () => {
      await deleteKeys(prefix);
      await database.drop();
      await removeDir();
    },
  };
}

export interface TokenClaims {
  tenant: string;
  role: Role;
  sub?: string;
  queues?: readonly string[];
  /** Seconds or a duration ('1h'); default 1 h. */
  ttl?: string | number;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON body, or the text when it is not JSON. */
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  /** Sent as JSON unless a string or Buffer. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestHub {
  node: HubNode;
  url: string;
  clock: ManualClock;
  config: Config;
  /** Log lines written by the node, as JSON text. */
  logs: string[];
  token(claims: TokenClaims): string;
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  /** POST /v1/events with an ingest token of `tenant`; once accepted, waits until the engine has it. */
  ingest(tenant: string, events: readonly unknown[]): Promise<Answer>;
  /** GET /v1/snapshot with a supervisor token of `tenant`. */
  snapshot(tenant: string, query?: string): Promise<Answer>;
  stop(): Promise<void>;
  /**
   * Stops this node and starts a new one on the same storage, clock and settings. The stop saves
   * a checkpoint round, so the new node resumes from it; `withoutCheckpoints` deletes them first,
   * so the new node replays the whole log.
   */
  restart(options?: { withoutCheckpoints?: boolean }): Promise<void>;
}

export interface TestHubOptions {
  /** More variables (or overrides), e.g. INGEST_RATE_PER_SEC, or REDIS_URL through a relay. */
  env?: Record<string, string>;
  clock?: ManualClock;
}

function configFor(storage: TestStorage, env: Record<string, string>): Config {
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'info',
    NODE_ID: `test-${randomBytes(3).toString('hex')}`,
    ...storage.env,
    ...env,
  });
  return { ...config, port: 0, host: '127.0.0.1' };
}

export async function startTestHub(storage: TestStorage, options: TestHubOptions = {}): Promise<TestHub> {
  const clock = options.clock ?? new ManualClock();
  const config = configFor(storage, options.env ?? {});
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
      done();
    },
  });
  const start = () =>
    startNode(config, {
      clock,
      logger: createLogger({ level: config.logLevel, nodeId: config.nodeId, destination }),
      ...(storage.db === undefined ? {} : { db: storage.db }),
    });
  let node = await start();

  const hub: TestHub = {
    get node() {
      return node;
    },
    get url() {
      return node.url;
    },
    clock,
    config,
    logs,
    token: (claims) =>
      signToken({
        secret: TEST_SECRET,
        tenant: claims.tenant,
        role: claims.role,
        sub: claims.sub ?? `test-${claims.role}`,
        ttl: claims.ttl ?? '1h',
        clock,
        ...(claims.queues === undefined ? {} : { queues: claims.queues }),
        ...(config.jwt.issuer === undefined ? {} : { issuer: config.jwt.issuer }),
        ...(config.jwt.audience === undefined ? {} : { audience: config.jwt.audience }),
      }),
    async request(method, path, { token, body, headers = {} } = {}) {
      const sent = new Headers(headers);
      if (token !== undefined) sent.set('Authorization', `Bearer ${token}`);
      let payload: string | Buffer | undefined;
      if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        if (!sent.has('Content-Type')) sent.set('Content-Type', 'application/json');
      }
      const response = await fetch(`${node.url}${path}`, { method, headers: sent, ...(payload === undefined ? {} : { body: payload }) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async ingest(tenant, events) {
      const answer = await hub.request('POST', '/v1/events', { token: hub.token({ tenant, role: 'ingest' }), body: { events } });
      await node.settled();
      return answer;
    },
    snapshot: (tenant, query = '') => hub.request('GET', `/v1/snapshot${query}`, { token: hub.token({ tenant, role: 'supervisor' }) }),
    stop: () => node.stop('test over'),
    async restart({ withoutCheckpoints = false } = {}) {
      await node.stop('restart');
      if (withoutCheckpoints) {
        const db = storage.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
        await db.query('DELETE FROM checkpoints');
        if (storage.db === undefined) await db.close();
      }
      node = await start();
    },
  };
  return hub;
}
