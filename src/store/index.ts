/** Database access (pg or PGlite), the migration runner, and what the hub keeps in the database. */
export { DbUnavailableError, openDb, type Db, type DbSession, type DbTx, type OpenDbOptions, type QueryResult } from './db.js';
export { MIGRATIONS_DIR, migrate } from './migrate.js';
export type { Clock, StoreLogger } from './types.js';
export { createDbLease, type DbLeaseOptions, type Lease } from './lease.js';
export { createRollupWriter, type RollupWriter, type RollupWriterMetrics, type RollupWriterOptions } from './rollups.js';
export { createCheckpointStore, type Checkpoint, type CheckpointStore } from './checkpoints.js';
export {
  createSettingsStore,
  type QueueConfig,
  type QueueConfigInput,
  type SettingsChange,
  type SettingsStore,
  type TenantConfig,
} from './settings.js';
export { GRANULARITIES, MAX_RANGE_MS, MAX_RANGE_TEXT, parseInstant, periodBoundaries, rangeProblem, type Granularity } from './periods.js';
export {
  HistoryTooLargeError,
  historyResponse,
  queryHistoryCounters,
  scopedQuery,
  type HistoryCounters,
  type HistoryFilters,
  type HistoryRange,
  type HistoryScope,
  type HistoryPeriod,
  type HistoryQuery,
  type HistoryResponse,
} from './history.js';
