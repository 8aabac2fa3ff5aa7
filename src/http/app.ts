/**
 * The REST API (SPEC §2, §5, §8) as one express app. Health, readiness and metrics are open;
 * everything under /v1 needs a bearer token. Every answer that is not a success is
 * `{ error: { code, message, details? } }`.
 */
import express, { type Express } from 'express';
import type { Verify } from '../auth/index.js';
import type { Metrics } from '../metrics/index.js';
import { authenticate } from './auth-middleware.js';
import { configRoutes, type ConfigDeps } from './config.js';
import { errorHandler, methodNotAllowed, notFound } from './errors.js';
import { ingestEvents, type IngestOptions } from './events.js';
import { healthz, metricsText, readyz, type ReadinessCheck } from './health.js';
import { historyRoutes, type HistoryDeps } from './history.js';
import { pages } from './pages.js';
import { reportRoutes, type ReportDeps } from './reports.js';
import { getSnapshot, type SnapshotSource } from './snapshot.js';

export interface AppLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AppOptions extends Omit<IngestOptions, 'metrics' | 'logger'> {
  verify: Verify;
  live: SnapshotSource;
  metrics: Metrics;
  logger: AppLogger;
  /** Dependencies `/readyz` waits on, by name (e.g. log, db). */
  readiness: Readonly<Record<string, ReadinessCheck>>;
  /** History, reports and config (the database's routes); without it they are 404s. */
  store?: HistoryDeps & ReportDeps & ConfigDeps;
}

export function createApp(options: AppOptions): Express {
  const { verify, live, metrics, logger, readiness } = options;
  const app = express();
  app.disable('x-powered-by');
  // Snapshots change every second: hashing them for ETags would cost time and never match.
  app.set('etag', false);
  // Behind a proxy, req.ip (in auth log lines) is the client's.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');

  app.get('/healthz', healthz);
  app.get('/readyz', readyz(readiness));
  app.get('/metrics', metricsText(metrics.registry));
  app.use(pages());

  app.use(
    '/v1',
    authenticate({
      verify,
      clock: options.clock,
      logger,
      onRefused: (path) => {
        if (path === '/v1/events') metrics.eventsRefused.inc({ reason: 'unauthorized' });
      },
    }),
  );
  app.route('/v1/events').post(ingestEvents({ ...options, metrics, logger })).all(methodNotAllowed(['POST']));
  app.route('/v1/snapshot').get(getSnapshot(live)).all(methodNotAllowed(['GET', 'HEAD']));
  if (options.store !== undefined) {
    app.use('/v1/history', historyRoutes(options.store));
    app.use('/v1/reports', reportRoutes(options.store));
    app.use('/v1/config', configRoutes(options.store));
  }

  app.use(notFound);
  app.use(errorHandler(logger, options.limits.maxBodyBytes));
  return app;
}
