/** History (SPEC §7): the window figures per period from GET /v1/history, for a period picked here. */
import { useState } from 'preact/hooks';
import type { PulseClient, PulseError, QueueWindow } from '../../sdk/src/index.js';
import { Choice } from './choice.js';
import { windowColumns } from './columns.js';
import { DataTable, type Column } from './data-table.js';
import { ErrorNote } from './error-note.js';

type Granularity = '15m' | 'hour' | 'day' | 'week' | 'month';
const GRANULARITIES: readonly Granularity[] = ['15m', 'hour', 'day', 'week', 'month'];

export interface HistoryPeriod {
  start: string;
  end: string;
  queues: Record<string, Partial<QueueWindow>>;
  totals: Partial<QueueWindow>;
}

export interface HistoryAnswer {
  tenant: string;
  from: string;
  to: string;
  granularity: Granularity;
  timezone: string;
  periods: HistoryPeriod[];
  totals: Partial<QueueWindow>;
}

type Preset = 'today' | 'yesterday' | 'last7' | 'last30' | 'thisMonth' | 'custom';
const PRESETS: Record<Preset, string> = { today: 'Today', yesterday: 'Yesterday', last7: 'Last 7 days', last30: 'Last 30 days', thisMonth: 'This month', custom: 'Custom' };
const DAY_MS = 86_400_000;

function startOfDay(t: number): Date {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d;
}

/** The preset's [from, to) in the browser's local time, and the granularity it reads best in. */
export function presetRange(preset: Exclude<Preset, 'custom'>, now: number): { from: Date; to: Date; granularity: Granularity } {
  const today = startOfDay(now);
  switch (preset) {
    case 'today':
      return { from: today, to: new Date(now), granularity: 'hour' };
    case 'yesterday':
      return { from: startOfDay(today.getTime() - DAY_MS / 2), to: today, granularity: 'hour' };
    case 'last7':
      return { from: startOfDay(today.getTime() - 6.5 * DAY_MS), to: new Date(now), granularity: 'day' };
    case 'last30':
      return { from: startOfDay(today.getTime() - 29.5 * DAY_MS), to: new Date(now), granularity: 'day' };
    case 'thisMonth':
      return { from: new Date(today.getFullYear(), today.getMonth(), 1), to: new Date(now), granularity: 'day' };
  }
}

function dateInput(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function periodLabel(p: HistoryPeriod, g: Granularity): string {
  const d = new Date(p.start);
  if (g === '15m' || g === 'hour') return d.toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  if (g === 'month') return d.toLocaleDateString('en-GB', { month: 'long', year: 'numeric' });
  return d.toLocaleDateString('en-GB', { weekday: g === 'day' ? 'short' : undefined, day: 'numeric', month: 'short', year: 'numeric' });
}

interface Row {
  key: string;
  label: string;
  figures: Partial<QueueWindow> | undefined;
}

export function HistoryView({ client, queueIds }: { client: PulseClient; queueIds: readonly string[] }) {
  const initial = presetRange('today', Date.now());
  const [preset, setPreset] = useState<Preset>('today');
  const [from, setFrom] = useState(dateInput(initial.from));
  const [to, setTo] = useState(dateInput(new Date()));
  const [granularity, setGranularity] = useState<Granularity>(initial.granularity);
  const [queue, setQueue] = useState('');
  const [answer, setAnswer] = useState<HistoryAnswer | null>(null);
  const [error, setError] = useState<PulseError | null>(null);
  const [loading, setLoading] = useState(false);

  const choose = (p: Preset) => {
    setPreset(p);
    if (p === 'custom') return;
    const r = presetRange(p, Date.now());
    setFrom(dateInput(r.from));
    setTo(dateInput(r.to));
    setGranularity(r.granularity);
  };

  const load = async (e: Event) => {
    e.preventDefault();
    let range: { from: Date; to: Date };
    if (preset === 'custom') {
      const f = new Date(`${from}T00:00:00`);
      const t = new Date(new Date(`${to}T00:00:00`).getTime() + DAY_MS);
      range = { from: f, to: t };
    } else {
      range = presetRange(preset, Date.now());
    }
    setLoading(true);
    setError(null);
    try {
      const res = await client.http.getJson<HistoryAnswer>('/v1/history', {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        granularity,
        queues: queue === '' ? undefined : queue,
      });
      setAnswer(res);
    } catch (err) {
      setAnswer(null);
      setError(err as PulseError);
    } finally {
      setLoading(false);
    }
  };

  const g = answer?.granularity ?? granularity;
  const columns: Column<Row>[] = [{ key: 'period', label: 'Period', value: (r) => r.key, render: (r) => r.label }, ...windowColumns<Row>((r) => r.figures)];
  // The hub filters by the queue asked for: each period's totals are that queue's figures.
  const rows: Row[] = answer?.periods.map((p) => ({ key: p.start, label: periodLabel(p, g), figures: p.totals })) ?? [];

  return (
    <section class="card" aria-labelledby="history-title">
      <div class="card-head">
        <h2 id="history-title">History</h2>
        {answer === null ? null : <p class="hint">Periods in {answer.timezone}</p>}
      </div>
      <form class="filters" onSubmit={load} aria-label="History period">
        <Choice label="Period" name="preset" value={preset} options={(Object.keys(PRESETS) as Preset[]).map((p) => [p, PRESETS[p]] as const)} onChange={(v) => choose(v as Preset)} />
        <label>
          From
          <input type="date" name="from" value={from} disabled={preset !== 'custom'} onInput={(e) => setFrom(e.currentTarget.value)} required />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" value={to} disabled={preset !== 'custom'} min={from} onInput={(e) => setTo(e.currentTarget.value)} required />
        </label>
        <Choice label="By" name="granularity" value={granularity} options={GRANULARITIES.map((x) => [x, x === '15m' ? '15 minutes' : x] as const)} onChange={(v) => setGranularity(v as Granularity)} />
        <Choice label="Queue" name="queue" value={queue} options={queueIds} all="All queues" onChange={setQueue} />
        <button type="submit" class="primary" disabled={loading}>
          {loading ? 'Loading…' : 'Show'}
        </button>
      </form>
      {error === null ? null : <ErrorNote error={error} what="History" />}
      {answer === null ? null : (
        <DataTable
          caption="History by period"
          testId="history"
          columns={columns}
          rows={rows}
          rowKey={(r) => r.key}
          initialSort={{ key: 'period', dir: 'asc' }}
          footer={{ key: 'total', label: 'Whole period', figures: answer.totals }}
          empty="No contacts in this period."
        />
      )}
    </section>
  );
}
