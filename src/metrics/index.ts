/**
 * The hub's Prometheus metrics (`GET /metrics`), in a registry of their own so each hub
 * instance (and each test) counts alone instead of sharing prom-client's global registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Why an event (or a whole batch) was not accepted; one label value each. */
export const REFUSAL_REASONS = [
  'invalid',
  'duplicate',
  'too_late',
  'clock_skew',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'too_large',
  'unsupported_media_type',
  'log_unavailable',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface Metrics {
  registry: Registry;
  /** Open Socket.IO connections on this node. */
  connections: Gauge;
  eventsAccepted: Counter;
  eventsRefused: Counter<'reason'>;
  /** Events appended to the log but not yet applied by this node's engine. */
  logLagEvents: Gauge;
  /** From an event's append to the update frame that carries its effect. */
  updateLatencySeconds: Histogram;
  engineEventsApplied: Counter;
  /** Interval rollups: rows waiting for the database, rows written, rows given up. */
  rollupBacklogRows: Gauge;
  rollupRowsWritten: Counter;
  rollupRowsDropped: Counter;
  checkpointsSaved: Counter;
  checkpointFailures: Counter;
}

export interface MetricsOptions {
  /** Set as a `node` label on every metric, so nodes behind one scrape target stay apart. */
  nodeId?: string;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.nodeId !== undefined) registry.setDefaultLabels({ node: options.nodeId });
  const registers = [registry];

  collectDefaultMetrics({ register: registry, prefix: 'ph_' });

  const eventsRefused = new Counter({
    name: 'ph_events_refused_total',
    help: 'Events refused at ingest, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  // Every reason is exposed from the start, so rate() sees the first refusal of each.
  for (const reason of REFUSAL_REASONS) eventsRefused.inc({ reason }, 0);

  return {
    registry,
    connections: new Gauge({ name: 'ph_connections', help: 'Open Socket.IO connections on this node', registers }),
    eventsAccepted: new Counter({ name: 'ph_events_accepted_total', help: 'Events accepted and appended to the log', registers }),
    eventsRefused,
    logLagEvents: new Gauge({
      name: 'ph_log_lag_events',
      help: 'Events in the log not yet applied by this node',
      registers,
    }),
    updateLatencySeconds: new Histogram({
      name: 'ph_update_latency_seconds',
      help: 'Time from an event being appended to the log to the update that carries it',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    engineEventsApplied: new Counter({
      name: 'ph_engine_events_applied_total',
      help: 'Events applied by this node\'s engine',
      registers,
    }),
    rollupBacklogRows: new Gauge({
      name: 'ph_rollup_backlog_rows',
      help: 'Interval rollup rows waiting to be written (the database is away or slow)',
      registers,
    }),
    rollupRowsWritten: new Counter({ name: 'ph_rollup_rows_written_total', help: 'Interval rollup rows upserted', registers }),
    rollupRowsDropped: new Counter({
      name: 'ph_rollup_rows_dropped_total',
      help: 'Interval rollup rows given up because the backlog passed its limit',
      registers,
    }),
    checkpointsSaved: new Counter({ name: 'ph_checkpoints_saved_total', help: 'Tenant checkpoints saved', registers }),
    checkpointFailures: new Counter({
      name: 'ph_checkpoint_failures_total',
      help: 'Checkpoint rounds that could not be saved (retried at the next round)',
      registers,
    }),
  };
}
