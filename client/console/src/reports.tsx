/**
 * Reports (issue 4's routes): the tenant's report definitions, a run of one, and its result as
 * CSV or PDF. Definitions are made by admins through the API; supervisors run and download here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PulseClient, PulseError } from '../../sdk/src/index.js';
import { ErrorNote } from './error-note.js';

interface ReportDefinition {
  id: string;
  name: string;
  kind: string;
}

interface ReportRun {
  id: string;
  status: string;
  rowCount?: number;
  durationMs?: number;
  createdAt?: string;
}

function asList(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && key in body) {
    const list = (body as Record<string, unknown>)[key];
    if (Array.isArray(list)) return list;
  }
  return [];
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function parseDefinitions(body: unknown): ReportDefinition[] {
  return asList(body, 'reports').flatMap((x) => {
    if (typeof x !== 'object' || x === null) return [];
    const o = x as Record<string, unknown>;
    const id = str(o, 'id');
    if (id === undefined) return [];
    // The hub keeps the kind inside the saved definition.
    const def = typeof o.definition === 'object' && o.definition !== null ? (o.definition as Record<string, unknown>) : {};
    return [{ id, name: str(o, 'name') ?? id, kind: str(o, 'kind') ?? str(def, 'kind') ?? '' }];
  });
}

export function parseRun(body: unknown): ReportRun | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const o = ('run' in body && typeof body.run === 'object' && body.run !== null ? body.run : body) as Record<string, unknown>;
  const id = str(o, 'id');
  if (id === undefined) return undefined;
  return {
    id,
    status: str(o, 'status') ?? 'done',
    ...(typeof o.rowCount === 'number' ? { rowCount: o.rowCount } : {}),
    ...(typeof o.durationMs === 'number' ? { durationMs: o.durationMs } : {}),
    ...(typeof o.createdAt === 'string' ? { createdAt: o.createdAt } : {}),
  };
}

function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ReportsView({ client }: { client: PulseClient }) {
  const [definitions, setDefinitions] = useState<ReportDefinition[] | null>(null);
  const [runs, setRuns] = useState<Record<string, ReportRun>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<PulseError | null>(null);

  useEffect(() => {
    client.http.getJson<unknown>('/v1/reports').then(
      (body) => setDefinitions(parseDefinitions(body)),
      (err: PulseError) => setError(err),
    );
  }, [client]);

  const run = async (d: ReportDefinition) => {
    setBusy(d.id);
    setError(null);
    try {
      const r = parseRun(await client.http.postJson<unknown>(`/v1/reports/${encodeURIComponent(d.id)}/runs`, {}));
      if (r === undefined) throw new Error('the hub answered the run without an id');
      setRuns((all) => ({ ...all, [d.id]: r }));
    } catch (err) {
      setError(err as PulseError);
    } finally {
      setBusy(null);
    }
  };

  const download = async (d: ReportDefinition, r: ReportRun, format: 'csv' | 'pdf') => {
    setError(null);
    try {
      const blob = await client.http.getBlob(`/v1/reports/${encodeURIComponent(d.id)}/runs/${encodeURIComponent(r.id)}`, { format });
      save(blob, `${d.name.replace(/[^\w.-]+/g, '-')}-${r.id}.${format}`);
    } catch (err) {
      setError(err as PulseError);
    }
  };

  return (
    <section class="card" aria-labelledby="reports-title">
      <div class="card-head">
        <h2 id="reports-title">Reports</h2>
        <p class="hint">Run a report, then download it as CSV or PDF.</p>
      </div>
      {error === null ? null : <ErrorNote error={error} what="Reports" />}
      {definitions === null ? null : definitions.length === 0 ? (
        <p class="empty">No report is defined yet: an administrator defines them (POST /v1/reports).</p>
      ) : (
        <div class="table-wrap">
          <table data-table="reports">
            <caption class="sr-only">Report definitions</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Kind</th>
                <th scope="col">Latest run</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {definitions.map((d) => {
                const r = runs[d.id];
                return (
                  <tr key={d.id} data-row={d.id}>
                    <th scope="row">{d.name}</th>
                    <td>{d.kind}</td>
                    <td>{r === undefined ? '–' : `${r.status}${r.rowCount === undefined ? '' : `, ${r.rowCount} rows`}`}</td>
                    <td class="actions">
                      <button type="button" onClick={() => void run(d)} disabled={busy !== null}>
                        {busy === d.id ? 'Running…' : 'Run'}
                      </button>
                      <button type="button" onClick={() => r !== undefined && void download(d, r, 'csv')} disabled={r === undefined} data-download="csv">
                        CSV
                      </button>
                      <button type="button" onClick={() => r !== undefined && void download(d, r, 'pdf')} disabled={r === undefined} data-download="pdf">
                        PDF
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
