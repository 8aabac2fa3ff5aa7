/**
 * Reports: saved definitions (report_definitions) and their runs (report_runs). A run reads the
 * history of the definition's period (and of the previous period, when it compares), turns it
 * into the kind's rows, and records who ran it, when, how long it took, how many rows it gave and
 * the rows themselves, so reading a run later (JSON, CSV, PDF) shows the same figures.
 */
import { randomUUID } from 'node:crypto';
import { DbUnavailableError, type Db } from './db.js';
import { HistoryTooLargeError, queryHistoryCounters, scopedQuery, wholeRange, type HistoryCounters, type HistoryScope } from './history.js';
import { rangeProblem } from './periods.js';
import { resolvePeriod, type ReportDefinition } from './report-definition.js';
import { REPORT_KIND_SPECS, reportColumnsOf, reportRows, summaryOf, type CellValue, type ReportColumn, type ReportRow } from './report-kinds.js';
import type { SettingsStore } from './settings.js';
import { iso, isoColumn } from './sql.js';
import type { Clock } from './types.js';

export interface SavedReport {
  id: string;
  tenant: string;
  name: string;
  definition: ReportDefinition;
  createdBy: string;
  /** ISO time. */
  createdAt: string;
}

export interface ReportResult {
  report: { id: string; name: string; kind: ReportDefinition['kind']; title: string };
  timezone: string;
  granularity: ReportDefinition['granularity'];
  /** The range reported (the definition's, widened to whole periods), ISO times. */
  period: { from: string; to: string };
  previous: { from: string; to: string } | null;
  filters: ReportDefinition['filters'];
  /** The queues the run covered; null: all of the tenant's. */
  queues: string[] | null;
  columns: ReportColumn[];
  rows: ReportRow[];
  /** The whole range's totals, and the previous period's when comparing. */
  summary: { current: Record<string, CellValue>; previous: Record<string, CellValue> | null };
}

export interface ReportRunRecord {
  id: string;
  reportId: string;
  tenant: string;
  runBy: string;
  startedAt: string;
  durationMs: number;
  rowCount: number;
  status: 'succeeded' | 'failed';
  error: string | null;
  /** The queues the run could see; null: all of the tenant's. */
  scope: string[] | null;
}

export interface ReportRun extends ReportRunRecord {
  result: ReportResult | null;
}

export interface RunContext {
  runBy: string;
  scope: HistoryScope;
}

export interface ReportStore {
  create(tenant: string, definition: ReportDefinition, by: string): Promise<SavedReport>;
  /** The tenant's reports, oldest first. */
  list(tenant: string): Promise<SavedReport[]>;
  /** Null when the id is not one of the tenant's reports. */
  get(tenant: string, id: string): Promise<SavedReport | null>;
  /**
   * Runs a report now and records the run. A period the history cannot answer (too long for the
   * granularity, too many rows) gives a failed run; a database outage throws.
   */
  run(report: SavedReport, context: RunContext): Promise<ReportRun>;
  getRun(tenant: string, reportId: string, runId: string): Promise<ReportRun | null>;
  /** The runs of a report, newest first, without their rows. */
  listRuns(tenant: string, reportId: string): Promise<ReportRunRecord[]>;
}

export interface ReportStoreOptions {
  db: Db;
  settings: SettingsStore;
  clock: Clock;
  /** Most rows in one run. Default 50,000. */
  maxRows?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface DefinitionRow {
  id: string;
  tenant: string;
  name: string;
  definition: ReportDefinition;
  created_by: string;
  created_at: string;
}

interface RunRow {
  id: string;
  report_id: string;
  tenant: string;
  run_by: string;
  started_at: string;
  duration_ms: number;
  row_count: number;
  status: 'succeeded' | 'failed';
  error: string | null;
  scope: string[] | null;
  result?: ReportResult | null;
}

const DEFINITION_COLUMNS = `id, tenant, name, definition, created_by, ${isoColumn('created_at')}`;
const RUN_COLUMNS = `id, report_id, tenant, run_by, ${isoColumn('started_at')}, duration_ms, row_count, status, error, scope`;

function saved(row: DefinitionRow): SavedReport {
  return { id: row.id, tenant: row.tenant, name: row.name, definition: row.definition, createdBy: row.created_by, createdAt: row.created_at };
}

function runRecord(row: RunRow): ReportRunRecord {
  return {
    id: row.id,
    reportId: row.report_id,
    tenant: row.tenant,
    runBy: row.run_by,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    rowCount: row.row_count,
    status: row.status,
    error: row.error,
    scope: row.scope,
  };
}

/** Both periods list the same queues and agents (those of either), so their rows line up. */
function alignEntities(a: HistoryCounters, b: HistoryCounters): void {
  const union = (x: readonly string[], y: readonly string[]): string[] => [...new Set([...x, ...y])].sort();
  a.queueIds = b.queueIds = union(a.queueIds, b.queueIds);
  if (a.agentIds !== null && b.agentIds !== null) a.agentIds = b.agentIds = union(a.agentIds, b.agentIds);
}

/** A run that could not be answered for a reason the caller can act on. */
function failureOf(err: unknown): string | undefined {
  if (err instanceof HistoryTooLargeError || err instanceof RangeError) return err.message;
  return undefined;
}

export function createReportStore({ db, settings, clock, maxRows = 50_000 }: ReportStoreOptions): ReportStore {
  async function compute(report: SavedReport, scope: HistoryScope, now: number): Promise<ReportResult> {
    const def = report.definition;
    const tenantSettings = await settings.loadTenantSettings(report.tenant);
    const timezone = def.timezone ?? tenantSettings.timezone;
    const period = resolvePeriod(def.period, now, timezone);
    const problem = rangeProblem(period.from, period.to, def.granularity);
    if (problem !== undefined) throw new RangeError(problem);
    const agentKind = REPORT_KIND_SPECS[def.kind].entity === 'agent';
    const query = {
      ...scopedQuery(
        { tenant: report.tenant, from: period.from, to: period.to, granularity: def.granularity, timezone, settings: tenantSettings },
        { queues: def.filters.queues ?? null, agents: agentKind ? (def.filters.agents ?? 'all') : null, channel: def.filters.channel ?? null },
        scope,
      ),
      maxCells: maxRows,
    };
    const current = await queryHistoryCounters(db, query);
    const previous = def.compare ? await queryHistoryCounters(db, { ...query, ...period.previous }) : null;
    if (previous !== null) alignEntities(current, previous);
    return {
      report: { id: report.id, name: report.name, kind: def.kind, title: REPORT_KIND_SPECS[def.kind].title },
      timezone,
      granularity: def.granularity,
      period: { from: iso(current.from), to: iso(current.to) },
      previous: previous === null ? null : { from: iso(previous.from), to: iso(previous.to) },
      filters: def.filters,
      queues: query.queues === null ? null : [...query.queues],
      columns: reportColumnsOf(def.kind),
      rows: [...reportRows(def, current, 'current'), ...(previous === null ? [] : reportRows(def, previous, 'previous'))],
      summary: {
        current: summaryOf(def, current, wholeRange(current.periods)),
        previous: previous === null ? null : summaryOf(def, previous, wholeRange(previous.periods)),
      },
    };
  }

  return {
    async create(tenant, definition, by) {
      const { rows } = await db.query<DefinitionRow>(
        `INSERT INTO report_definitions (id, tenant, name, definition, created_by, created_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, to_timestamp($6::float8 / 1000)) RETURNING ${DEFINITION_COLUMNS}`,
        [randomUUID(), tenant, definition.name, JSON.stringify(definition), by, clock.now()],
      );
      return saved(rows[0]!);
    },
    async list(tenant) {
      const { rows } = await db.query<DefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM report_definitions WHERE tenant = $1 ORDER BY created_at, id`, [tenant]);
      return rows.map(saved);
    },
    async get(tenant, id) {
      if (!UUID.test(id)) return null;
      const { rows } = await db.query<DefinitionRow>(`SELECT ${DEFINITION_COLUMNS} FROM report_definitions WHERE tenant = $1 AND id = $2`, [tenant, id]);
      return rows[0] === undefined ? null : saved(rows[0]);
    },
    async run(report, { runBy, scope }) {
      const startedAt = clock.now();
      let result: ReportResult | null = null;
      let error: string | null = null;
      try {
        result = await compute(report, scope, startedAt);
      } catch (err) {
        const failure = err instanceof DbUnavailableError ? undefined : failureOf(err);
        if (failure === undefined) throw err;
        error = failure;
      }
      const durationMs = Math.max(0, clock.now() - startedAt);
      const runScope = result?.queues ?? (scope.queues === null ? null : [...scope.queues]);
      const { rows } = await db.query<RunRow>(
        `INSERT INTO report_runs (id, report_id, tenant, run_by, started_at, duration_ms, row_count, status, error, scope, result)
         VALUES ($1, $2, $3, $4, to_timestamp($5::float8 / 1000), $6, $7, $8, $9, $10::text[], $11::jsonb) RETURNING ${RUN_COLUMNS}`,
        [
          randomUUID(),
          report.id,
          report.tenant,
          runBy,
          startedAt,
          durationMs,
          result?.rows.length ?? 0,
          result === null ? 'failed' : 'succeeded',
          error,
          runScope,
          result === null ? null : JSON.stringify(result),
        ],
      );
      return { ...runRecord(rows[0]!), result };
    },
    async getRun(tenant, reportId, runId) {
      if (!UUID.test(reportId) || !UUID.test(runId)) return null;
      const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS}, result FROM report_runs WHERE tenant = $1 AND report_id = $2 AND id = $3`, [
        tenant,
        reportId,
        runId,
      ]);
      const row = rows[0];
      return row === undefined ? null : { ...runRecord(row), result: row.result ?? null };
    },
    async listRuns(tenant, reportId) {
      if (!UUID.test(reportId)) return [];
      const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM report_runs WHERE tenant = $1 AND report_id = $2 ORDER BY started_at DESC, id`, [
        tenant,
        reportId,
      ]);
      return rows.map(runRecord);
    },
  };
}
