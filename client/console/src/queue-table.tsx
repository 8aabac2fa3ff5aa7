/** Every queue's SPEC §4 figures for a chosen window, sortable, with the tenant totals underneath. */
import { useMemo } from 'preact/hooks';
import type { AgentCounts, QueueWindow, Snapshot, WindowName } from '../../sdk/src/index.js';
import { formatCount, formatDuration } from '../../shared/format.js';
import { windowColumns } from './columns.js';
import { DataTable, type Column } from './data-table.js';

interface QueueRow {
  id: string;
  waiting: number;
  oldestWaitSec: number | null;
  agents: AgentCounts;
  window: Partial<QueueWindow>;
}

function agentCount(key: keyof Omit<AgentCounts, 'auxByReason'>, label: string): Column<QueueRow> {
  return { key: `agents.${key}`, label, numeric: true, value: (r) => r.agents[key], render: (r) => formatCount(r.agents[key]) };
}

export function QueueTable({ snapshot, window }: { snapshot: Snapshot; window: WindowName }) {
  // The headline figures (offered to AHT) first, so a laptop shows them without scrolling.
  const columns = useMemo<Column<QueueRow>[]>(() => {
    const figures = windowColumns<QueueRow>((r) => r.window);
    return [
      { key: 'id', label: 'Queue', value: (r) => r.id },
      { key: 'waiting', label: 'Waiting', numeric: true, value: (r) => r.waiting, render: (r) => formatCount(r.waiting) },
      { key: 'oldestWaitSec', label: 'Oldest', numeric: true, title: 'Oldest wait', value: (r) => r.oldestWaitSec, render: (r) => formatDuration(r.oldestWaitSec) },
      ...figures.slice(0, 6),
      agentCount('available', 'Avail.'),
      agentCount('onContact', 'On contact'),
      agentCount('acw', 'ACW'),
      agentCount('aux', 'Aux'),
      agentCount('staffed', 'Staffed'),
      agentCount('offline', 'Offline'),
      ...figures.slice(6),
    ];
  }, []);
  const rows = Object.entries(snapshot.queues).map(([id, q]): QueueRow => ({ id, waiting: q.waiting, oldestWaitSec: q.oldestWaitSec, agents: q.agents, window: q.windows[window] }));
  const t = snapshot.totals;
  const footer: QueueRow = { id: 'All queues', waiting: t.waiting, oldestWaitSec: t.oldestWaitSec, agents: t.agents, window: t.windows[window] };
  return <DataTable caption="Queues" testId="queues" columns={columns} rows={rows} rowKey={(r) => r.id} initialSort={{ key: 'id', dir: 'asc' }} footer={footer} empty="No queue has had a contact yet." />;
}
