/**
 * What a node keeps in the database besides the event log: tenant settings pushed into the live
 * engine, interval rollups handed to the writer, checkpoint rounds (restored at start so only the
 * log after them is replayed), and the events archive's retention.
 */
import { Buffer } from 'node:buffer';
import { interval, type Subscription } from 'rxjs';
import type { Config } from '../config.js';
import {
  INTERVAL_MS,
  decodeCheckpoint,
  encodeCheckpoint,
  type CollectOptions,
  type LiveEngine,
  type TenantCheckpoint,
  type TenantSettings,
} from '../engine/index.js';
import type { HubClock } from '../hub/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/index.js';
import {
  createCheckpointStore,
  createDbLease,
  createReportStore,
  createRollupWriter,
  createSettingsStore,
  startEventRetention,
  type CheckpointStore,
  type Db,
  type ReportStore,
  type SettingsStore,
} from '../store/index.js';

export interface Stores {
  settings: SettingsStore;
  reports: ReportStore;
  checkpoints: CheckpointStore;
  /** Tenant settings as of start-up, kept current by `startPersistence`. */
  tenantSettings: Map<string, TenantSettings>;
}

export async function openStores(db: Db, clock: HubClock): Promise<Stores> {
  const settings = createSettingsStore({ db, clock });
  return {
    settings,
    reports: createReportStore({ db, settings, clock }),
    checkpoints: createCheckpointStore(db),
    tenantSettings: await settings.loadAllTenantSettings(),
  };
}

/**
 * Loads the last checkpoint round into the engine and returns the log cursor to replay from
 * (undefined: from the start). A round is all of one node's tenants at one cursor, saved in one
 * transaction; anything else (rows from different rounds, another format) is not trusted, and the
 * whole log is replayed instead.
 */
export async function restoreCheckpoints(stores: Stores, live: LiveEngine, logger: Logger): Promise<string | undefined> {
  const saved = await stores.checkpoints.loadAll();
  if (saved.length === 0) return undefined;
  const cursor = saved[0]!.position;
  if (saved.some((c) => c.position !== cursor)) {
    logger.warn({ cursors: new Set(saved.map((c) => c.position)).size }, 'checkpoints are not one round: replaying the whole log');
    return undefined;
  }
  let decoded: TenantCheckpoint[];
  try {
    decoded = saved.map((c) => decodeCheckpoint(Buffer.from(c.state).toString('utf8')));
  } catch (err) {
    logger.warn({ err }, 'checkpoints cannot be read: replaying the whole log');
    return undefined;
  }
  for (const cp of decoded) {
    const engine = live.restore(cp);
    const current = stores.tenantSettings.get(cp.tenant);
    if (current) engine.setSettings(current);
  }
  logger.info({ tenants: decoded.length, cursor }, 'checkpoints restored');
  return cursor;
}

export interface PersistenceOptions {
  config: Config;
  db: Db;
  live: LiveEngine;
  stores: Stores;
  clock: HubClock;
  logger: Logger;
  metrics: Metrics;
  /** Whether the events table is the event log (then retention keeps what no checkpoint includes). */
  eventsAreTheLog: boolean;
  /** The log cursor the engine has applied up to. */
  cursor(): string | undefined;
}

export interface Persistence {
  /** Told of each record the engine gets: during a replay, rollups are handed over as log time passes. */
  onRecord(appendedAt: number, replayed: boolean): void;
  /** Hands over the last rollups, saves a last checkpoint round, stops the timers. */
  stop(): Promise<void>;
}

export function startPersistence(o: PersistenceOptions): Persistence {
  const { config, db, live, stores, clock, logger, metrics } = o;
  const subscriptions: Subscription[] = [];
  // With Redis, nodes are replicas: one writes each tenant's rollups and the checkpoint rounds.
  const shared = config.redisUrl !== undefined;
  const lease = (name: string) => createDbLease({ db, name, holder: config.nodeId, ttlMs: 3 * config.rollupIntervalMs, clock });
  const writer = createRollupWriter({
    db,
    logger,
    clock,
    maxBacklogRows: config.rollupMaxBacklogRows,
    metrics: { backlogRows: metrics.rollupBacklogRows, rowsWritten: metrics.rollupRowsWritten, rowsDropped: metrics.rollupRowsDropped },
    ...(shared ? { lease: (tenant: string) => lease(`rollups:${tenant}`) } : {}),
  });
  const handOver = (opts?: CollectOptions): void => writer.write(live.collectRollups(opts));

  subscriptions.push(
    stores.settings.changes.subscribe(({ tenant, settings }) => {
      stores.tenantSettings.set(tenant, settings);
      live.tenant(tenant).setSettings(settings);
    }),
  );
  if (shared) {
    // A settings change is announced on the node that took it; the others pick it up here.
    subscriptions.push(
      interval(config.rollupIntervalMs).subscribe(() => {
        void stores.settings.loadAllTenantSettings().then(
          (all) => {
            for (const [tenant, settings] of all) {
              if (JSON.stringify(stores.tenantSettings.get(tenant)) === JSON.stringify(settings)) continue;
              stores.tenantSettings.set(tenant, settings);
              live.tenant(tenant).setSettings(settings);
            }
          },
          (err: unknown) => logger.warn({ err }, 'tenant settings could not be reloaded'),
        );
      }),
    );
  }
  subscriptions.push(interval(config.rollupIntervalMs).subscribe(() => handOver()));

  const checkpointLease = shared ? lease('checkpoints') : null;
  let saving: Promise<void> | undefined;
  const saveRound = async (): Promise<void> => {
    const cursor = o.cursor();
    if (cursor === undefined) return;
    if (checkpointLease && !(await checkpointLease.acquire())) return;
    // Taken in one go between two records, so every tenant's state is at this cursor.
    const round = live.checkpoints().map((cp) => ({
      tenant: cp.tenant,
      position: cursor,
      state: Buffer.from(encodeCheckpoint(cp), 'utf8'),
      savedAt: clock.now(),
    }));
    try {
      await stores.checkpoints.saveRound(round);
      metrics.checkpointsSaved.inc(round.length);
    } catch (err) {
      metrics.checkpointFailures.inc();
      logger.warn({ err }, 'checkpoint round not saved: retrying at the next round');
    }
  };
  subscriptions.push(
    interval(config.checkpointIntervalMs).subscribe(() => {
      saving ??= saveRound().finally(() => (saving = undefined));
    }),
  );
  // Unset: the archive keeps every event.
  if (config.eventsRetentionDays !== undefined) {
    const retentionDays = config.eventsRetentionDays;
    subscriptions.push(startEventRetention({ db, retentionDays, clock, logger, keepUncheckpointed: o.eventsAreTheLog }));
  }

  let nextReplayHandOver = -Infinity;
  return {
    onRecord(appendedAt, replayed) {
      if (!replayed) return;
      // Agents' rows of ended intervals are made as the engine folds their history (every 15
      // minutes of engine time, before the detail goes) and wait for a hand-over; a tenant keeps
      // one fold's rows, so one hand-over per interval of log time is enough. Ended intervals
      // only: such a hand-over takes those rows and the queues' ended intervals without visiting
      // every agent, and the current interval is handed over once, when it has ended too.
      if (appendedAt >= nextReplayHandOver) {
        if (nextReplayHandOver !== -Infinity) handOver({ closedOnly: true });
        nextReplayHandOver = appendedAt + INTERVAL_MS;
      }
    },
    async stop() {
      for (const s of subscriptions) s.unsubscribe();
      handOver();
      await saving;
      await saveRound();
      await writer.close();
      await checkpointLease?.release();
    },
  };
}
