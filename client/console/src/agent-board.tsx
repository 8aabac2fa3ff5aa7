/**
 * The agent board: each agent's state, reason, time in state (ticking from `since`, on the hub's
 * clock), current contact and queue, and today's handled / AHT / occupancy; filtered by queue,
 * team, state and name.
 */
import { useMemo, useState } from 'preact/hooks';
import type { AgentState, AgentView, Snapshot } from '../../sdk/src/index.js';
import { formatCount, formatDuration, formatPct } from '../../shared/format.js';
import { Choice } from './choice.js';
import { DataTable, type Column } from './data-table.js';

export const STATE_LABELS: Record<AgentState, string> = {
  on_contact: 'On contact',
  acw: 'ACW',
  aux: 'Aux',
  available: 'Available',
  offline: 'Offline',
};
const STATES = Object.keys(STATE_LABELS) as AgentState[];

interface AgentRow extends AgentView {
  id: string;
  /** Milliseconds in the current state, on the hub's clock. */
  inStateMs: number | null;
}

export interface AgentFilter {
  queue: string;
  team: string;
  state: string;
  search: string;
}

export const NO_FILTER: AgentFilter = { queue: '', team: '', state: '', search: '' };

export function filterAgents(rows: readonly AgentRow[], f: AgentFilter): AgentRow[] {
  const needle = f.search.trim().toLowerCase();
  return rows.filter(
    (a) =>
      (f.queue === '' || a.queues.includes(f.queue) || a.queueId === f.queue) &&
      (f.team === '' || a.team === f.team) &&
      (f.state === '' || a.state === f.state) &&
      (needle === '' || (a.name ?? '').toLowerCase().includes(needle) || a.id.toLowerCase().includes(needle)),
  );
}

const COLUMNS: Column<AgentRow>[] = [
  { key: 'name', label: 'Agent', value: (a) => a.name ?? a.id, render: (a) => <span title={a.id}>{a.name ?? a.id}</span> },
  { key: 'team', label: 'Team', value: (a) => a.team },
  {
    key: 'state',
    label: 'State',
    value: (a) => STATES.indexOf(a.state),
    render: (a) => (
      <span class="badge" data-state={a.state}>
        {STATE_LABELS[a.state]}
      </span>
    ),
  },
  { key: 'reason', label: 'Reason', value: (a) => a.reason },
  { key: 'inState', label: 'Time in state', numeric: true, value: (a) => a.inStateMs, render: (a) => formatDuration(a.inStateMs === null ? null : a.inStateMs / 1000) },
  { key: 'contact', label: 'Contact', value: (a) => a.contactId },
  { key: 'queue', label: 'Queue', value: (a) => a.queueId },
  { key: 'handled', label: 'Handled today', numeric: true, value: (a) => a.windows.today.handled, render: (a) => formatCount(a.windows.today.handled) },
  { key: 'aht', label: 'AHT today', numeric: true, value: (a) => a.windows.today.ahtSec, render: (a) => formatDuration(a.windows.today.ahtSec) },
  { key: 'occupancy', label: 'Occupancy today', numeric: true, value: (a) => a.windows.today.occupancy, render: (a) => formatPct(a.windows.today.occupancy) },
];

function options(values: Iterable<string | null>): string[] {
  return [...new Set([...values].filter((v): v is string => v !== null))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

export function AgentBoard({ snapshot, hubNow }: { snapshot: Snapshot; hubNow: number }) {
  const [filter, setFilter] = useState<AgentFilter>(NO_FILTER);
  const set = (key: keyof AgentFilter) => (value: string) => setFilter((f) => ({ ...f, [key]: value }));
  const agents = snapshot.agents;
  const queues = useMemo(() => options([...Object.keys(snapshot.queues), ...Object.values(agents).flatMap((a) => a.queues)]), [snapshot.queues, agents]);
  const teams = useMemo(() => options(Object.values(agents).map((a) => a.team)), [agents]);
  const rows = Object.entries(agents).map(([id, a]): AgentRow => ({ ...a, id, inStateMs: a.since === null ? null : Math.max(0, hubNow - Date.parse(a.since)) }));
  const shown = filterAgents(rows, filter);
  const counts = STATES.map((s) => [s, rows.filter((r) => r.state === s).length] as const);
  return (
    <section class="card" aria-labelledby="agents-title">
      <div class="card-head">
        <h2 id="agents-title">Agents</h2>
        <p class="summary" aria-live="off">
          {counts.map(([s, n]) => (
            <span key={s} class="badge" data-state={s}>
              {STATE_LABELS[s]} <span class="num">{n}</span>
            </span>
          ))}
        </p>
      </div>
      <form class="filters" role="search" aria-label="Filter agents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" name="search" placeholder="Name or id" value={filter.search} onInput={(e) => set('search')(e.currentTarget.value)} />
        </label>
        <Choice label="Queue" name="queue" value={filter.queue} options={queues} all="All queues" onChange={set('queue')} />
        <Choice label="Team" name="team" value={filter.team} options={teams} all="All teams" onChange={set('team')} />
        <Choice label="State" name="state" value={filter.state} options={STATES.map((s) => [s, STATE_LABELS[s]] as const)} all="All states" onChange={set('state')} />
        <output class="filter-count" aria-live="polite">
          {shown.length} of {rows.length} agents
        </output>
      </form>
      <DataTable caption="Agents" testId="agents" columns={COLUMNS} rows={shown} rowKey={(a) => a.id} initialSort={{ key: 'state', dir: 'asc' }} empty="No agent matches these filters." />
    </section>
  );
}
