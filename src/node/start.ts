/**
 * One hub node: database and migrations, the event log, the engine (replaying the log, then
 * following it live), the REST API and the live hub on one HTTP server, and a graceful stop.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { asyncScheduler, map, share, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { createVerifier, type Verify } from '../auth/index.js';
import { resolveDevSecret, type Config } from '../config.js';
import { LiveEngine } from '../engine/index.js';
import { createApp, createRateLimiter } from '../http/index.js';
import { attachLiveHub, systemClock, type HubClock, type HubUpdate, type LiveHub } from '../hub/index.js';
import { openEventLog, type EventLog } from '../log/index.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics, type Metrics } from '../metrics/index.js';
import { migrate, openDb, type Db } from '../store/index.js';
import { followLog, type ReplayStats } from './follow.js';
import { AppendLag } from './lag.js';
import { AppendTimes } from './latency.js';
import { openStores, restoreCheckpoints, startPersistence } from './persistence.js';

export interface NodeDeps {
  /** Time for ingest checks, tokens, the engine and the log's append times. Default: the system's. */
  clock?: HubClock;
  logger?: Logger;
  metrics?: Metrics;
  /** An open database to use instead of opening one; the node migrates it but does not close it. */
  db?: Db;
}

export interface HubNode {
  readonly config: Config;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  readonly port: number;
  readonly httpServer: Server;
  readonly live: LiveEngine;
  readonly log: EventLog;
  readonly db: Db;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly hub: LiveHub;
  /** What was replayed from the log at start-up. */
  readonly replayed: ReplayStats;
  /**
   * Resolves once the engine has applied every event this node had accepted when called: a 202
   * means durable in the log, and this is when a snapshot from this node shows it.
   */
  settled(): Promise<void>;
  /**
   * Stops accepting, lets requests in flight finish, tells sockets `reason` and closes them,
   * then closes the log, Redis and (when the node opened it) the database. Safe to call twice.
   */
  stop(reason?: string): Promise<void>;
}

/** A request still running this long after stop is cut, so a stuck client cannot hold the exit. */
const DRAIN_TIMEOUT_MS = 10_000;
const DRAIN_SWEEP_MS = 50;
const DAY_MS = 24 * 3600_000;

function verifierFor(config: Config, clock: HubClock): Verify {
  const { jwt } = config;
  const claims = { issuer: jwt.issuer, audience: jwt.audience, clock };
  if (jwt.mode === 'publicKey') return createVerifier({ ...claims, publicKey: jwt.publicKey });
  return createVerifier({ ...claims, secret: jwt.mode === 'secret' ? jwt.secret : resolveDevSecret(config.dataDir) });
}

/** The async scheduler, telling time by `clock`: the engine's windows follow the node's clock. */
function schedulerOf(clock: HubClock): SchedulerLike {
  return { now: () => clock.now(), schedule: asyncScheduler.schedule.bind(asyncScheduler) };
}

function baseUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

/**
 * QUIT is answered after what was sent before it (the adapter's SUNSUBSCRIBE on closing), so no
 * command is cut short; a server that does not answer is cut off after a second.
 */
async function closeRedis(connection: Redis): Promise<void> {
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  const timer = setTimeout(() => connection.disconnect(), 1000);
  await connection.quit().catch(() => undefined);
  clearTimeout(timer);
}

/** Runs `steps` in reverse (last opened, first closed), reporting failures without stopping. */
async function closeAll(steps: (() => Promise<unknown>)[], logger: Logger): Promise<void> {
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch (err) {
      logger.error({ err }, 'error while stopping');
    }
  }
}

export async function startNode(config: Config, deps: NodeDeps = {}): Promise<HubNode> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.logLevel, nodeId: config.nodeId });
  const metrics = deps.metrics ?? createMetrics({ nodeId: config.nodeId });
  const verify = verifierFor(config, clock);
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const db = deps.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
    if (deps.db === undefined) closers.push(() => db.close());
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

    const log = openEventLog({
      redisUrl: config.redisUrl,
      db,
      prefix: config.redisPrefix,
      partitions: config.logPartitions,
      // Past the lateness bound a repeated event is refused as too late, so dedupe can forget it.
      dedupTtlMs: Math.max(DAY_MS, 2 * (config.latenessMs + config.clockSkewMs)),
      clock,
    });
    closers.push(() => log.close());

    const stores = await openStores(db, clock);
    const live = new LiveEngine({
      scheduler: schedulerOf(clock),
      updateIntervalMs: config.updateIntervalMs,
      tenantOptions: (tenant) => {
        const settings = stores.tenantSettings.get(tenant);
        return { latenessMs: config.latenessMs, ...(settings === undefined ? {} : { settings }) };
      },
    });
    // A checkpoint round, if any, spares replaying the log before it.
    const from = await restoreCheckpoints(stores, live, logger);
    const lag = new AppendLag(metrics.logLagEvents);
    const appendTimes = new AppendTimes(clock);
    const head = await log.head();
    const started = clock.now();
    const followed = followLog({
      log,
      head,
      ...(from === undefined ? {} : { from }),
      onRecord: (record, replayed, events) => {
        persistence.onRecord(record.appendedAt, replayed);
        metrics.engineEventsApplied.inc(events);
        lag.applied(record.position);
        if (!replayed) appendTimes.applied(record);
      },
    });
    // Ticks must not move engines to the wall clock before replayed records are placed at their times.
    live.holdTime(followed.replayed);
    const persistence = startPersistence({
      config,
      db,
      live,
      stores,
      clock,
      logger,
      metrics,
      eventsAreTheLog: log.kind === 'postgres',
      cursor: () => followed.cursor(),
    });
    const updates$: Observable<HubUpdate> = live.run(followed.batches$).pipe(
      map((update) => appendTimes.stamp(update)),
      share(),
    );
    let engineFailure: Error | undefined;
    // A record the engine cannot read (a corrupt log entry) stops it: a replay then fails too.
    let engineStopped!: (err: Error) => void;
    const stoppedDuringReplay = new Promise<never>((_, reject) => (engineStopped = reject));
    // The node's own subscription drives the engine, whether or not anyone is connected.
    const engine: Subscription = updates$.subscribe({
      error: (err: unknown) => {
        engineFailure = err instanceof Error ? err : new Error(String(err));
        logger.fatal({ err }, 'the engine stopped: the log can no longer be followed');
        engineStopped(engineFailure);
      },
    });
    closers.push(async () => engine.unsubscribe());
    // Runs before the engine stops and the database closes: last rollups and a last checkpoint round.
    closers.push(() => persistence.stop());
    const replayed = await Promise.race([followed.replayed, stoppedDuringReplay]);
    logger.info({ ...replayed, head, ms: clock.now() - started }, 'event log replayed');

    const app = createApp({
      verify,
      live,
      metrics,
      logger,
      log,
      clock,
      limits: config,
      rateLimiter: createRateLimiter({ ratePerSec: config.ingestRatePerSec, burst: config.ingestBurst, clock }),
      onAppended: (_tenant, result) => lag.appended(result),
      store: {
        db,
        settings: stores.settings,
        reports: stores.reports,
        clock,
        agentSkills: (tenant) => live.tenant(tenant).agentSkills(),
      },
      readiness: {
        log: () => log.ping(),
        db: async () => {
          await db.query('SELECT 1');
        },
        engine: async () => {
          if (engineFailure !== undefined) throw engineFailure;
        },
      },
    });
    const httpServer = createServer(app);
    let redis: { pub: Redis; sub: Redis; channelPrefix: string } | undefined;
    if (config.redisUrl !== undefined) {
      redis = { pub: new Redis(config.redisUrl), sub: new Redis(config.redisUrl), channelPrefix: `${config.redisPrefix}io` };
      const { pub, sub } = redis;
      for (const connection of [pub, sub]) connection.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis (live hub) connection error'));
      closers.push(() => Promise.all([pub, sub].map(closeRedis)));
    }
    const hub = attachLiveHub({ httpServer, live, updates$, verify, metrics, logger, config, clock, ...(redis === undefined ? {} : { redis }) });
    closers.push(() => hub.close('the node failed to start'));

    httpServer.listen(config.port, config.host);
    await once(httpServer, 'listening');
    const port = (httpServer.address() as AddressInfo).port;
    const url = baseUrl(config.host, port);
    logger.info({ url, mode: config.mode, log: log.kind, db: db.kind }, 'node ready');

    let stopping: Promise<void> | undefined;
    const stop = (reason = 'shutdown'): Promise<void> => {
      stopping ??= (async () => {
        logger.info({ reason }, 'node stopping');
        const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        // A keep-alive connection whose last request finishes while draining is closed then, not
        // when its client gives up on it.
        const sweep = setInterval(() => httpServer.closeIdleConnections(), DRAIN_SWEEP_MS);
        httpServer.closeIdleConnections();
        await hub.close(reason);
        const timer = setTimeout(() => httpServer.closeAllConnections(), DRAIN_TIMEOUT_MS);
        await drained;
        clearTimeout(timer);
        clearInterval(sweep);
        await closeAll(closers, logger);
        logger.info({ reason }, 'node stopped');
      })();
      return stopping;
    };
    return { config, url, port, httpServer, live, log, db, metrics, logger, hub, replayed, settled: () => lag.settled(), stop };
  } catch (err) {
    await closeAll(closers, logger);
    throw err;
  }
}
