/**
 * Report routes, mounted at /v1/reports: admins save definitions; supervisors and admins list
 * them, run them and read the runs as JSON, CSV (`Accept: text/csv` or `?format=csv`) or PDF
 * (`?format=pdf`). Another tenant's ids are 404s; a run made with a wider view than the caller's
 * `queues` claim is a 403.
 */
import { Readable } from 'node:stream';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { canAdmin, canReadHistory, visibleQueues, type Principal } from '../auth/index.js';
import {
  csvChunks,
  rangeProblem,
  renderReportPdf,
  reportDefinitionSchema,
  resolvePeriod,
  type Clock,
  type ReportDefinition,
  type ReportRunRecord,
  type ReportStore,
  type SavedReport,
  type SettingsStore,
} from '../store/index.js';
import { HttpError, methodNotAllowed } from './errors.js';
import { checkRange, instantParam, scopeOf, type HistoryDeps } from './history.js';
import { asCaller, checkFirst, forbidden, invalid, jsonBody, parseOrRefuse } from './validate.js';

export interface ReportDeps extends Pick<HistoryDeps, 'agentSkills'> {
  reports: ReportStore;
  settings: SettingsStore;
  clock: Clock;
}

const FORMATS = ['json', 'csv', 'pdf'] as const;
const runQuery = z.object({ format: z.enum(FORMATS, { error: `format must be one of ${FORMATS.join(', ')}` }).optional() }).strict();

function admin(p: Principal): void {
  if (!canAdmin(p)) throw forbidden(`role ${p.role} may not define reports: use an admin token`);
}


function reader(p: Principal): void {
  if (!canReadHistory(p)) throw forbidden(`role ${p.role} may not read or run reports: use a supervisor or admin token`);
}

function notFound(what: string, id: string): HttpError {
  return new HttpError(404, 'not_found', `no ${what} ${JSON.stringify(id)} in this tenant`);
}

/** The period must resolve, and fit the granularity, in the report's timezone now. */
function checkPeriod(def: ReportDefinition, timezone: string, now: number): void {
  const p = def.period;
  if (p.last === undefined) {
    const from = instantParam('invalid_body', 'period.from', p.from ?? '', timezone);
    const to = instantParam('invalid_body', 'period.to', p.to ?? '', timezone);
    checkRange('invalid_body', from, to, def.granularity, 'period.to');
    return;
  }
  const resolved = resolvePeriod(p, now, timezone);
  const problem = rangeProblem(resolved.from, resolved.to, def.granularity);
  if (problem !== undefined) throw invalid('invalid_body', [{ path: 'period.last', message: problem }]);
}

/** A caller limited to some queues reads only runs that covered no other queue. */
function mayRead(p: Principal, run: ReportRunRecord): boolean {
  const visible = visibleQueues(p);
  return visible === null || (run.scope !== null && run.scope.every((q) => visible.includes(q)));
}

function formatOf(req: Request): (typeof FORMATS)[number] {
  const { format } = parseOrRefuse(runQuery, req.query, 'invalid_query');
  if (format !== undefined) return format;
  const preferred = req.accepts(['application/json', 'text/csv', 'application/pdf']);
  return preferred === 'text/csv' ? 'csv' : preferred === 'application/pdf' ? 'pdf' : 'json';
}

function fileName(report: { name: string }, runId: string, ext: string): string {
  const base = report.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'report';
  return `${base}-${runId.slice(0, 8)}.${ext}`;
}

export function reportRoutes(deps: ReportDeps): Router {
  const router = Router();

  const reportOf = async (p: Principal, id: string): Promise<SavedReport> => {
    const report = await deps.reports.get(p.tenant, id);
    if (report === null) throw notFound('report', id);
    return report;
  };

  router
    .route('/')
    .post(
      checkFirst(admin),
      jsonBody,
      asCaller(admin, async (p, req, res) => {
        const def = parseOrRefuse(reportDefinitionSchema, req.body, 'invalid_body');
        const timezone = def.timezone ?? (await deps.settings.loadTenantSettings(p.tenant)).timezone;
        checkPeriod(def, timezone, deps.clock.now());
        const report = await deps.reports.create(p.tenant, def, p.sub);
        res.status(201).location(`${req.baseUrl}/${report.id}`).json(report);
      }),
    )
    .get(
      asCaller(reader, async (p, _req, res) => {
        res.json({ reports: await deps.reports.list(p.tenant) });
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router
    .route('/:id')
    .get(
      asCaller(reader, async (p, req, res) => {
        res.json(await reportOf(p, String(req.params['id'])));
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD']));

  router
    .route('/:id/runs')
    .post(
      asCaller(reader, async (p, req, res) => {
        const report = await reportOf(p, String(req.params['id']));
        const scope = scopeOf(p, { queues: report.definition.filters.queues ?? null }, deps);
        const run = await deps.reports.run(report, { runBy: p.sub, scope });
        res.status(201).location(`${req.baseUrl}/${report.id}/runs/${run.id}`).json(run);
      }),
    )
    .get(
      asCaller(reader, async (p, req, res) => {
        const report = await reportOf(p, String(req.params['id']));
        res.json({ runs: (await deps.reports.listRuns(p.tenant, report.id)).filter((run) => mayRead(p, run)) });
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  router
    .route('/:id/runs/:run')
    .get(
      asCaller(reader, async (p, req, res) => {
        const format = formatOf(req);
        const report = await reportOf(p, String(req.params['id']));
        const runId = String(req.params['run']);
        const run = await deps.reports.getRun(p.tenant, report.id, runId);
        if (run === null) throw notFound('run', runId);
        if (!mayRead(p, run)) throw forbidden('this run covered queues outside those this token may read');
        if (format === 'json') {
          res.json(run);
          return;
        }
        const result = run.result;
        if (result === null) throw new HttpError(409, 'run_failed', `the run failed and has no rows: ${run.error ?? 'unknown error'}`);
        res.setHeader('Content-Disposition', `attachment; filename="${fileName(report, run.id, format)}"`);
        if (format === 'csv') {
          res.type('text/csv; charset=utf-8; header=present');
          Readable.from(csvChunks(result)).pipe(res);
        } else {
          res.type('application/pdf');
          renderReportPdf({ ...run, result }).pipe(res);
        }
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD']));

  return router;
}
