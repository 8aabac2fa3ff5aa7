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
export {
  REPORT_KINDS,
  TOP_BY,
  reportDefinitionSchema,
  resolvePeriod,
  type ReportDefinition,
  type ReportKind,
  type ResolvedPeriod,
  type TopBy,
} from './report-definition.js';
export { REPORT_KIND_SPECS, allReportColumns, reportColumnsOf, type CellValue, type ReportColumn, type ReportRow } from './report-kinds.js';
export {
  createReportStore,
  type ReportResult,
  type ReportRun,
  type ReportRunRecord,
  type ReportStore,
  type ReportStoreOptions,
  type RunContext,
  type SavedReport,
} from './reports.js';
export { CSV_FIXED_COLUMNS, csvChunks } from './report-render/csv.js';
export { pdfPageCount, renderReportPdf } from './report-render/pdf.js';
export { pruneEvents, startEventRetention, type EventRetentionJobOptions, type PruneEventsOptions } from './retention.js';
