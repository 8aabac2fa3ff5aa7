import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyRoutes } from '../../src/http/history.js';
import { reportRoutes } from '../../src/http/reports.js';
import {
  CSV_FIXED_COLUMNS,
  REPORT_KINDS,
  createReportStore,
  createRollupWriter,
  createSettingsStore,
  pdfPageCount,
  type CellValue,
  type HistoryResponse,
  type ReportRun,
  type SavedReport,
} from '../../src/store/index.js';
import { agentRow, createBackends, queueRow, type Backends } from '../support/rollups.js';
import { startStoreApp, type StoreApp } from '../support/store-app.js';

const DAY = Date.UTC(2026, 5, 15); // a Monday
const H = 3_600_000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** A queue id that needs quoting in CSV. */
const ODD = 'vip, "gold"';
const QUEUES = ['sales', 'support', ODD];
const AGENTS = ['a1', 'a2', 'a3', 'a4'];

/** RFC 4180: fields split on commas outside quotes, "" inside quotes is a quote, records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field, 'the text ends with CRLF').toBe('');
  return records;
}

function cellOf(text: string, type: 'number' | 'boolean'): CellValue {
  if (text === '') return null;
  return type === 'boolean' ? text === 'true' : Number(text);
}

async function pdfText(bytes: ArrayBuffer): Promise<{ total: number; pages: string[] }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const t = await parser.getText();
    return { total: t.total, pages: t.pages.map((p) => p.text) };
  } finally {
    await parser.destroy();
  }
}

let backends: Backends;
beforeAll(async () => {
  backends = await createBackends();
});
afterAll(async () => {
  await backends.cleanup();
});

describe.each(['postgres', 'pglite'] as const)('reports on %s', (kind) => {
  const tenant = `rep-${kind}`;
  let now = DAY + 2 * 86_400_000 + 9 * H;
  // Every reading of the clock moves it 7 ms on, so a run has a duration.
  const clock = { now: () => (now += 7) };
  let app: StoreApp;
  const skills = new Map([
    ['a1', ['sales']],
    ['a2', ['support']],
    ['a3', ['sales', ODD]],
    ['a4', ['support']],
  ]);

  beforeAll(async () => {
    const db = await backends.open(kind);
    const writer = createRollupWriter({ db, logger: quiet, maxBacklogRows: 100_000, clock });
    // Two days (the day before, for comparisons), 08:00-18:00 UTC.
    let seed = 0;
    for (const day of [DAY - 86_400_000, DAY]) {
      for (let t = day + 8 * H; t < day + 18 * H; t += 900_000) {
        writer.write({
          queues: QUEUES.flatMap((q) => [queueRow(tenant, q, 'voice', t, ++seed), queueRow(tenant, q, 'chat', t, ++seed)]),
          agents: AGENTS.map((a) => agentRow(tenant, a, t, ++seed)),
        });
      }
    }
    await writer.close();
    const settings = createSettingsStore({ db, clock });
    const reports = createReportStore({ db, settings, clock });
    const tiny = createReportStore({ db, settings, clock, maxRows: 100 });
    const agentSkills = () => skills;
    app = await startStoreApp({
      '/v1/history': historyRoutes({ db, settings, agentSkills }),
      '/v1/reports': reportRoutes({ reports, settings, agentSkills, clock }),
      '/v1/tiny-reports': reportRoutes({ reports: tiny, settings, agentSkills, clock }),
    });
  });
  afterAll(async () => {
    await app.close();
  });

  const admin = () => app.token({ tenant, role: 'admin', sub: 'ada' });
  const sup = (queues?: string[]) => app.token({ tenant, role: 'supervisor', sub: 'sam', ...(queues ? { queues } : {}) });
  const day = { from: '2026-06-15', to: '2026-06-16' };

  async function define(body: unknown, base = '/v1/reports'): Promise<SavedReport> {
    const res = await app.send('POST', base, admin(), body);
    const json: unknown = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(201);
    return json as SavedReport;
  }

  async function run(report: SavedReport, token = sup(), base = '/v1/reports'): Promise<ReportRun> {
    const res = await app.send('POST', `${base}/${report.id}/runs`, token, {});
    const json: unknown = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(201);
    return json as ReportRun;
  }

  it('validates definitions, naming the field', async () => {
    const good = { name: 'Daily', kind: 'queue_summary', granularity: 'hour', period: day };
    const cases: [unknown, string, RegExp][] = [
      [{ ...good, name: '' }, 'name', /must not be empty/],
      [{ ...good, kind: 'pie_chart' }, 'kind', /queue_summary, agent_performance/],
      [{ ...good, granularity: 'minute' }, 'granularity', /15m, hour/],
      [{ ...good, period: { last: '7d', from: '2026-06-01' } }, 'period', /either \{ from, to \} or \{ last \}/],
      [{ ...good, period: { last: 'fortnight' } }, 'period.last', /today, yesterday, thisWeek, thisMonth/],
      [{ ...good, period: { from: 'june', to: '2026-06-16' } }, 'period.from', /not an ISO-8601 date-time/],
      [{ ...good, period: { from: '2026-06-15', to: '2026-08-16' } }, 'period.to', /at most 31 days/],
      [{ ...good, granularity: '15m', period: { last: '7d' } }, 'period.last', /at most 2 days/],
      [{ ...good, top: { limit: 5 } }, 'top', /top_agents only/],
      [{ ...good, kind: 'top_agents', top: { limit: 500 } }, 'top.limit', /1-100/],
      [{ ...good, filters: { channel: 'fax' } }, 'filters.channel', /voice, chat/],
      [{ ...good, filters: { queues: [] } }, 'filters.queues', /must not be empty/],
      [{ ...good, timezone: 'Mars/Olympus' }, 'timezone', /IANA/],
      [{ ...good, colour: 'red' }, '', /unknown name colour/],
    ];
    for (const [body, path, message] of cases) {
      const res = await app.send('POST', '/v1/reports', admin(), body);
      const json = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(json.error.code).toBe('invalid_body');
      expect(json.error.details[0], JSON.stringify(body)).toMatchObject({ path, message: expect.stringMatching(message) });
    }
    expect((await app.send('POST', '/v1/reports', sup(), good)).status).toBe(403);
  });

  it('runs every kind, recording who, when, how long and how many rows', async () => {
    for (const k of REPORT_KINDS) {
      const report = await define({ name: `Every ${k}`, kind: k, granularity: 'hour', period: day });
      const r = await run(report);
      expect(r).toMatchObject({ reportId: report.id, tenant, runBy: 'sam', status: 'succeeded', error: null, scope: null });
      expect(r.durationMs).toBeGreaterThan(0);
      expect(r.rowCount).toBe(r.result!.rows.length);
      expect(r.rowCount).toBeGreaterThan(0);
      expect(r.result!.columns.length).toBeGreaterThan(5);
      expect(r.result!.period).toEqual({ from: '2026-06-15T00:00:00.000Z', to: '2026-06-16T00:00:00.000Z' });
      const stored = (await (await app.get(`/v1/reports/${report.id}/runs/${r.id}`, sup())).json()) as ReportRun;
      expect(stored).toEqual(r);
      const list = (await (await app.get(`/v1/reports/${report.id}/runs`, sup())).json()) as { runs: ReportRun[] };
      expect(list.runs.map((x) => x.id)).toEqual([r.id]);
    }
    const all = (await (await app.get('/v1/reports', sup())).json()) as { reports: SavedReport[] };
    expect(all.reports.map((x) => x.definition.kind)).toEqual(expect.arrayContaining([...REPORT_KINDS]));
  });

  it('shows the figures of history: queue summary rows equal the history windows', async () => {
    const r = await run(await define({ name: 'Q', kind: 'queue_summary', granularity: 'hour', period: day }));
    const h = (await (await app.get('/v1/history?from=2026-06-15&to=2026-06-16&granularity=hour', sup())).json()) as HistoryResponse;
    const rows = r.result!.rows;
    expect(rows).toHaveLength(h.periods.length * (QUEUES.length + 1));
    for (const row of rows) {
      const p = h.periods.find((x) => x.start === row.periodStart)!;
      const w = (row.entityId === null ? p.totals : p.queues[row.entityId]!) as unknown as Record<string, CellValue>;
      for (const [key, value] of Object.entries(row.values)) expect(value, `${row.periodStart} ${row.entityId} ${key}`).toBe(w[key]);
    }
    expect(r.result!.summary.current['offered']).toBe(h.totals.offered);
    expect(r.result!.summary.current['serviceLevel']).toBe(h.totals.serviceLevel);
  });

  it('ranks top agents, and compares with the previous period', async () => {
    const r = await run(await define({ name: 'Top', kind: 'top_agents', granularity: 'day', period: { last: 'yesterday' }, compare: true, top: { by: 'handled', limit: 2 } }));
    const res = r.result!;
    expect(res.period.from).toBe('2026-06-16T00:00:00.000Z');
    expect(res.previous).toEqual({ from: '2026-06-15T00:00:00.000Z', to: '2026-06-16T00:00:00.000Z' });
    // Nothing was written on the 16th; the 15th is the previous period.
    expect(res.rows.filter((x) => x.series === 'current')).toEqual([]);
    const prev = res.rows.filter((x) => x.series === 'previous');
    expect(prev.map((x) => x.values['rank'])).toEqual([1, 2]);
    expect(prev[0]!.values['handled'] as number).toBeGreaterThanOrEqual(prev[1]!.values['handled'] as number);
    expect(res.summary.previous).not.toBeNull();

    const perf = await run(await define({ name: 'Perf', kind: 'agent_performance', granularity: 'day', period: { from: '2026-06-15', to: '2026-06-16' }, compare: true }));
    const cur = perf.result!.rows.filter((x) => x.series === 'current' && x.entity === 'agent');
    const before = perf.result!.rows.filter((x) => x.series === 'previous' && x.entity === 'agent');
    expect(cur.map((x) => x.entityId)).toEqual(AGENTS);
    expect(before.map((x) => x.entityId)).toEqual(AGENTS);
    expect(perf.result!.previous).toEqual({ from: '2026-06-14T00:00:00.000Z', to: '2026-06-15T00:00:00.000Z' });
  });

  it('gives CSV that parses back to the JSON values', async () => {
    const report = await define({ name: 'Abandons, "weekly"', kind: 'abandon_analysis', granularity: 'hour', period: day, compare: true });
    const r = await run(report);
    for (const res of [
      await app.get(`/v1/reports/${report.id}/runs/${r.id}?format=csv`, sup()),
      await app.get(`/v1/reports/${report.id}/runs/${r.id}`, sup(), { accept: 'text/csv' }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="abandons-weekly-[0-9a-f]{8}\.csv"/);
      const records = parseCsv(await res.text());
      const columns = r.result!.columns;
      expect(records[0]).toEqual([...CSV_FIXED_COLUMNS, ...columns.map((c) => c.key)]);
      expect(records).toHaveLength(r.rowCount + 1);
      records.slice(1).forEach((rec, i) => {
        const row = r.result!.rows[i]!;
        expect(rec.slice(0, 5)).toEqual([row.series, row.periodStart, row.periodEnd, row.entity, row.entityId ?? '']);
        expect(Object.fromEntries(columns.map((c, j) => [c.key, cellOf(rec[5 + j]!, c.type)]))).toEqual(row.values);
      });
      expect(records.some((rec) => rec[4] === ODD)).toBe(true);
    }
  });

  it('gives a PDF with the title, period, filters, summary and table, paginated', async () => {
    const small = await define({ name: 'Daily SL', kind: 'service_level_by_interval', granularity: 'day', period: day, filters: { queues: ['sales', 'support'] } });
    const rs = await run(small);
    const one = await app.get(`/v1/reports/${small.id}/runs/${rs.id}?format=pdf`, sup());
    expect(one.status).toBe(200);
    expect(one.headers.get('content-type')).toBe('application/pdf');
    const p1 = await pdfText(await one.arrayBuffer());
    expect(p1.total).toBe(1);
    expect(p1.pages[0]).toContain('Daily SL');
    expect(p1.pages[0]).toContain('Service level by interval');
    expect(p1.pages[0]).toMatch(/Period: 2026-06-15 00:00 \(GMT(\+0)?\) to 2026-06-16 00:00 \(GMT(\+0)?\)/);
    expect(p1.pages[0]).toContain('Filters: queues sales, support');
    expect(p1.pages[0]).toContain('Summary');
    expect(p1.pages[0]).toContain('Page 1 of 1');
    expect(p1.pages[0]).toContain(`Offered: ${String(rs.result!.summary.current['offered'])}`);

    const big = await define({ name: 'Quarter hours', kind: 'queue_summary', granularity: '15m', period: { from: '2026-06-14', to: '2026-06-16' }, compare: true });
    const rb = await run(big);
    const many = await app.get(`/v1/reports/${big.id}/runs/${rb.id}?format=pdf`, sup());
    const pb = await pdfText(await many.arrayBuffer());
    expect(rb.rowCount).toBe(2 * 192 * (QUEUES.length + 1));
    expect(pb.total).toBe(pdfPageCount(rb.rowCount));
    // 22 rows under the first page's header and summary, then 33 a page: 1 + ceil(1514 / 33).
    expect(pb.total).toBe(47);
    expect(pb.pages[0]).toContain('Quarter hours');
    expect(pb.pages[1]).toContain('Quarter hours (continued)');
    expect(pb.pages[1]).toContain('Offered');
    expect(pb.pages.at(-1)).toContain(`Page ${pb.total} of ${pb.total}`);
    expect(pb.pages.join('\n')).toMatch(/2026-06-15 17:45 GMT(\+0)? current sales [1-9]\d*/);
  });

  it('keeps tenants apart and roles to their rights', async () => {
    const report = await define({ name: 'Mine', kind: 'queue_summary', granularity: 'day', period: day });
    const r = await run(report);
    const other = app.token({ tenant: 'someone-else', role: 'admin' });
    expect((await app.get(`/v1/reports/${report.id}`, other)).status).toBe(404);
    expect((await app.send('POST', `/v1/reports/${report.id}/runs`, other, {})).status).toBe(404);
    expect((await app.get(`/v1/reports/${report.id}/runs/${r.id}`, other)).status).toBe(404);
    expect((await app.get(`/v1/reports/not-a-uuid`, admin())).status).toBe(404);
    expect((await app.get(`/v1/reports/${report.id}/runs/${report.id}`, admin())).status).toBe(404);
    expect(((await (await app.get('/v1/reports', other)).json()) as { reports: unknown[] }).reports).toEqual([]);
    for (const role of ['wallboard', 'agent', 'ingest'] as const) {
      const t = app.token({ tenant, role });
      expect((await app.get('/v1/reports', t)).status).toBe(403);
      expect((await app.get(`/v1/reports/${report.id}`, t)).status).toBe(403);
      expect((await app.send('POST', `/v1/reports/${report.id}/runs`, t, {})).status).toBe(403);
      expect((await app.get(`/v1/reports/${report.id}/runs/${r.id}`, t)).status).toBe(403);
    }
    expect((await app.get(`/v1/reports/${report.id}/runs/${r.id}?format=xml`, sup())).status).toBe(400);
  });

  it('limits a queue-limited caller to its queues, in runs and in reading them', async () => {
    const report = await define({ name: 'Limited', kind: 'agent_performance', granularity: 'day', period: day });
    const wide = await run(report, admin());
    const limited = sup(['support']);
    expect((await app.get(`/v1/reports/${report.id}/runs/${wide.id}`, limited)).status).toBe(403);
    const own = await run(report, limited);
    expect(own.scope).toEqual(['support']);
    expect(own.result!.rows.filter((x) => x.entity === 'agent').map((x) => x.entityId)).toEqual(['a2', 'a4']);
    expect((await app.get(`/v1/reports/${report.id}/runs/${own.id}`, limited)).status).toBe(200);
    const listed = (await (await app.get(`/v1/reports/${report.id}/runs`, limited)).json()) as { runs: ReportRun[] };
    expect(listed.runs.map((x) => x.id)).toEqual([own.id]);
  });

  it('records a run the history cannot answer as failed', async () => {
    const report = await define({ name: 'Too big', kind: 'queue_summary', granularity: '15m', period: day }, '/v1/tiny-reports');
    const r = await run(report, sup(), '/v1/tiny-reports');
    expect(r).toMatchObject({ status: 'failed', rowCount: 0, result: null, error: expect.stringContaining('narrow the range') });
    const csv = await app.get(`/v1/tiny-reports/${report.id}/runs/${r.id}?format=csv`, sup());
    expect(csv.status).toBe(409);
    expect(await csv.json()).toMatchObject({ error: { code: 'run_failed' } });
  });
});
