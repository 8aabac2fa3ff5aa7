/**
 * The five report kinds: their columns (with the formula of each, for the docs, the CSV and the
 * PDF) and how a period's counters become rows. Every figure comes from the history's window
 * objects, so a report shows what history and the live board show.
 */
import { ABANDONED_WITHIN_SEC, resolveQueueSettings } from '../engine/index.js';
import type { AgentWindow, QueueWindow } from '../protocol/index.js';
import {
  addAgentCounters,
  agentWindowOf,
  atSettings,
  emptyAgentCounters,
  emptyQueueCounters,
  queueWindowOf,
  totalsCounters,
  totalsFormula,
  type AgentCounters,
  type HistoryCounters,
  type HistoryPeriod,
  type QueueCounters,
} from './history.js';
import type { ReportDefinition, ReportKind, TopBy } from './report-definition.js';

export type CellValue = number | boolean | null;

export interface ReportColumn {
  key: string;
  label: string;
  type: 'number' | 'boolean';
  formula: string;
}

export type Series = 'current' | 'previous';
export type Entity = 'queue' | 'agent' | 'total';

export interface ReportRow {
  series: Series;
  /** ISO times. */
  periodStart: string;
  periodEnd: string;
  entity: Entity;
  /** The queue or agent id; null for a total row. */
  entityId: string | null;
  values: Record<string, CellValue>;
}

interface QueueCell {
  w: QueueWindow;
  c: QueueCounters;
  /** Threshold and target of the queue, or shared by the queues of a total; else null. */
  slThresholdSec: number | null;
  slTargetPct: number | null;
}

interface AgentCell {
  w: AgentWindow;
  c: AgentCounters;
}

interface ColumnSpec<T> extends Omit<ReportColumn, 'key' | 'type'> {
  type?: 'boolean';
  value(cell: T): CellValue;
}

const sec = (ms: number): number => ms / 1000;

const QUEUE_COLUMNS: Record<string, ColumnSpec<QueueCell>> = {
  offered: { label: 'Offered', formula: 'contacts queued', value: ({ w }) => w.offered },
  answered: { label: 'Answered', formula: 'contacts answered', value: ({ w }) => w.answered },
  answeredInSl: {
    label: 'In SL',
    formula: 'contacts answered with a wait <= the current SL threshold (from the answered-within buckets when the threshold is one of them, else as counted live)',
    value: ({ w }) => w.answeredInSl,
  },
  abandoned: { label: 'Abandoned', formula: 'contacts abandoned', value: ({ w }) => w.abandoned },
  shortAbandoned: {
    label: 'Short ab.',
    formula: 'contacts abandoned with a wait < the current short-abandon threshold (from the abandoned-within buckets when it is one of them)',
    value: ({ w }) => w.shortAbandoned,
  },
  flowedOut: { label: 'Flowed out', formula: 'contacts dequeued (transfer, callback, voicemail, timeout)', value: ({ w }) => w.flowedOut },
  handled: { label: 'Handled', formula: 'contacts handled (counted when handling completes)', value: ({ w }) => w.handled },
  serviceLevel: {
    label: 'SL %',
    formula: '100 × answeredInSl / D, D by slFormula: answered + abandoned − shortAbandoned (default) · answered + abandoned · answered; totals use the queues\' shared formula, else the default',
    value: ({ w }) => w.serviceLevel,
  },
  abandonRate: { label: 'Aband. %', formula: '100 × (abandoned − shortAbandoned) / (answered + abandoned − shortAbandoned)', value: ({ w }) => w.abandonRate },
  asaSec: { label: 'ASA s', formula: 'waitAnsweredMs / answered / 1000', value: ({ w }) => w.asaSec },
  maxWaitSec: { label: 'Max wait s', formula: 'the longest wait of a contact that left the queue in the period, / 1000', value: ({ w }) => w.maxWaitSec },
  ahtSec: { label: 'AHT s', formula: '(talkMs + holdMs + acwMs) / handled / 1000', value: ({ w }) => w.ahtSec },
  avgTalkSec: { label: 'Talk s', formula: 'talkMs / handled / 1000', value: ({ w }) => w.avgTalkSec },
  avgHoldSec: { label: 'Hold s', formula: 'holdMs / handled / 1000', value: ({ w }) => w.avgHoldSec },
  avgAcwSec: { label: 'ACW s', formula: 'acwMs / handled / 1000', value: ({ w }) => w.avgAcwSec },
  csatAvg: { label: 'CSAT', formula: 'csatSum / csatCount', value: ({ w }) => w.csatAvg },
  csatPct: { label: 'CSAT %', formula: '100 × csatPositive / csatCount (positive: a rating of 4 or 5)', value: ({ w }) => w.csatPct },
  slThresholdSec: { label: 'SL thr. s', formula: 'the queue\'s current SL threshold (totals: when the queues share it, else empty)', value: (c) => c.slThresholdSec },
  slTargetPct: { label: 'Target %', formula: 'the queue\'s current SL target (totals: when the queues share it, else empty)', value: (c) => c.slTargetPct },
  targetMet: {
    label: 'Met',
    type: 'boolean',
    formula: 'serviceLevel >= slTargetPct (empty when either is empty)',
    value: ({ w, slTargetPct }) => (w.serviceLevel === null || slTargetPct === null ? null : w.serviceLevel >= slTargetPct),
  },
  avgAbandonWaitSec: { label: 'Ab. wait s', formula: 'waitAbandonedMs / abandoned / 1000', value: ({ w }) => (w.abandoned === 0 ? null : w.waitAbandonedMs / w.abandoned / 1000) },
  ...Object.fromEntries(
    ABANDONED_WITHIN_SEC.map((s, i): [string, ColumnSpec<QueueCell>] => [
      `abandonedWithin${s}s`,
      { label: `Ab. <${s}s`, formula: `contacts abandoned with a wait < ${s} s`, value: ({ c }) => c.abandonedWithin[i]! },
    ]),
  ),
};

const AGENT_COLUMNS: Record<string, ColumnSpec<AgentCell>> = {
  handled: { label: 'Handled', formula: 'contacts the agent handled (counted when handling completes)', value: ({ w }) => w.handled },
  ahtSec: { label: 'AHT s', formula: '(talkMs + holdMs + acwMs) / handled / 1000', value: ({ w }) => w.ahtSec },
  avgTalkSec: { label: 'Talk s', formula: 'talkMs / handled / 1000', value: ({ w }) => w.avgTalkSec },
  avgHoldSec: { label: 'Hold s', formula: 'holdMs / handled / 1000', value: ({ w }) => w.avgHoldSec },
  avgAcwSec: { label: 'ACW s', formula: 'acwMs / handled / 1000', value: ({ w }) => w.avgAcwSec },
  csatCount: { label: 'Ratings', formula: 'ratings received', value: ({ w }) => w.csatCount },
  csatAvg: { label: 'CSAT', formula: 'csatSum / csatCount', value: ({ w }) => w.csatAvg },
  csatPct: { label: 'CSAT %', formula: '100 × csatPositive / csatCount (positive: a rating of 4 or 5)', value: ({ w }) => w.csatPct },
  occupancy: { label: 'Occ. %', formula: '100 × (on-contact + ACW time) / (on-contact + ACW + available time)', value: ({ w }) => w.occupancy },
  staffedSec: {
    label: 'Staffed s',
    formula: '(available + on-contact + ACW + aux time) / 1000',
    value: ({ c }) => sec(c.availableMs + c.onContactMs + c.acwTimeMs + c.auxMs),
  },
  availableSec: { label: 'Avail. s', formula: 'time available / 1000', value: ({ c }) => sec(c.availableMs) },
  onContactSec: { label: 'On contact s', formula: 'time on a contact / 1000', value: ({ c }) => sec(c.onContactMs) },
  acwTimeSec: { label: 'ACW time s', formula: 'time in after-contact work / 1000', value: ({ c }) => sec(c.acwTimeMs) },
  auxSec: { label: 'Aux s', formula: 'time in aux (breaks, lunch, training…) / 1000', value: ({ c }) => sec(c.auxMs) },
};

const RANK: ReportColumn = { key: 'rank', label: 'Rank', type: 'number', formula: 'position among the period\'s agents by top.by (ties: by agent id)' };

interface KindSpec {
  entity: 'queue' | 'agent';
  title: string;
  columns: readonly string[];
  /** The columns a printed page shows (the CSV and JSON hold them all). */
  printed: readonly string[];
}

export const REPORT_KIND_SPECS: Readonly<Record<ReportKind, KindSpec>> = {
  queue_summary: {
    entity: 'queue',
    title: 'Queue summary',
    columns: ['offered', 'answered', 'answeredInSl', 'abandoned', 'shortAbandoned', 'flowedOut', 'handled', 'serviceLevel', 'abandonRate', 'asaSec', 'maxWaitSec', 'ahtSec', 'avgTalkSec', 'avgHoldSec', 'avgAcwSec', 'csatAvg', 'csatPct'],
    printed: ['offered', 'answered', 'abandoned', 'serviceLevel', 'abandonRate', 'asaSec', 'maxWaitSec', 'ahtSec', 'csatAvg'],
  },
  service_level_by_interval: {
    entity: 'queue',
    title: 'Service level by interval',
    columns: ['offered', 'answered', 'answeredInSl', 'abandoned', 'shortAbandoned', 'serviceLevel', 'slThresholdSec', 'slTargetPct', 'targetMet', 'asaSec', 'maxWaitSec'],
    printed: ['offered', 'answered', 'answeredInSl', 'abandoned', 'serviceLevel', 'slTargetPct', 'targetMet', 'asaSec', 'maxWaitSec'],
  },
  abandon_analysis: {
    entity: 'queue',
    title: 'Abandon analysis',
    columns: ['offered', 'abandoned', 'shortAbandoned', 'abandonRate', 'avgAbandonWaitSec', ...ABANDONED_WITHIN_SEC.map((s) => `abandonedWithin${s}s`), 'flowedOut'],
    printed: ['offered', 'abandoned', 'shortAbandoned', 'abandonRate', 'avgAbandonWaitSec', 'abandonedWithin5s', 'abandonedWithin30s', 'abandonedWithin60s', 'flowedOut'],
  },
  agent_performance: {
    entity: 'agent',
    title: 'Agent performance',
    columns: ['handled', 'ahtSec', 'avgTalkSec', 'avgHoldSec', 'avgAcwSec', 'csatCount', 'csatAvg', 'csatPct', 'occupancy', 'staffedSec', 'availableSec', 'onContactSec', 'acwTimeSec', 'auxSec'],
    printed: ['handled', 'ahtSec', 'avgHoldSec', 'csatAvg', 'csatPct', 'occupancy', 'staffedSec', 'availableSec', 'auxSec'],
  },
  top_agents: {
    entity: 'agent',
    title: 'Top agents',
    columns: ['rank', 'handled', 'ahtSec', 'csatAvg', 'csatPct', 'occupancy', 'staffedSec'],
    printed: ['rank', 'handled', 'ahtSec', 'csatAvg', 'csatPct', 'occupancy', 'staffedSec'],
  },
};

/** Every column a kind's rows hold, in order. */
export function reportColumnsOf(kind: ReportKind): ReportColumn[] {
  const spec = REPORT_KIND_SPECS[kind];
  return spec.columns.map((key) => {
    if (key === RANK.key) return RANK;
    const c = (spec.entity === 'queue' ? QUEUE_COLUMNS : AGENT_COLUMNS)[key]!;
    return { key, label: c.label, type: c.type ?? 'number', formula: c.formula };
  });
}

/** Every column of every kind, once, for the docs. */
export function allReportColumns(): ReportColumn[] {
  const seen = new Map<string, ReportColumn>();
  for (const kind of Object.keys(REPORT_KIND_SPECS) as ReportKind[]) for (const c of reportColumnsOf(kind)) if (!seen.has(c.key)) seen.set(c.key, c);
  return [...seen.values()];
}

function valuesOf<T>(catalog: Record<string, ColumnSpec<T>>, keys: readonly string[], cell: T): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  for (const key of keys) if (key !== RANK.key) out[key] = catalog[key]!.value(cell);
  return out;
}

/** One value when all agree, else null. */
function shared<T>(values: readonly T[]): T | null {
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0]! : null;
}

function queueCells(h: HistoryCounters, p: HistoryPeriod): { id: string | null; cell: QueueCell }[] {
  const cells = h.queueIds.map((id): { id: string | null; cell: QueueCell } => {
    const s = resolveQueueSettings(h.settings, id);
    const c = atSettings(p.queues.get(id) ?? emptyQueueCounters(), s);
    return { id, cell: { w: queueWindowOf(c, s.slFormula), c, slThresholdSec: s.slThresholdSec, slTargetPct: s.slTargetPct } };
  });
  const c = totalsCounters(p, h.queueIds, h.settings);
  const settings = h.queueIds.map((id) => resolveQueueSettings(h.settings, id));
  cells.push({
    id: null,
    cell: {
      w: queueWindowOf(c, totalsFormula(h.settings, h.queueIds)),
      c,
      slThresholdSec: shared(settings.map((s) => s.slThresholdSec)),
      slTargetPct: shared(settings.map((s) => s.slTargetPct)),
    },
  });
  return cells;
}

function agentCells(h: HistoryCounters, p: HistoryPeriod): { id: string | null; cell: AgentCell }[] {
  const total = emptyAgentCounters();
  const cells: { id: string | null; cell: AgentCell }[] = (h.agentIds ?? []).map((id) => {
    const c = p.agents.get(id) ?? emptyAgentCounters();
    addAgentCounters(total, c);
    return { id, cell: { w: agentWindowOf(c), c } };
  });
  cells.push({ id: null, cell: { w: agentWindowOf(total), c: total } });
  return cells;
}

/** Ranking value: higher is better, except for handling time; agents without one are not ranked. */
function rankValue(w: AgentWindow, by: TopBy): number | null {
  switch (by) {
    case 'handled':
      return w.handled > 0 ? w.handled : null;
    case 'ahtSec':
      return w.ahtSec === null ? null : -w.ahtSec;
    default:
      return w[by];
  }
}

function periodRows(def: ReportDefinition, h: HistoryCounters, p: HistoryPeriod, series: Series): ReportRow[] {
  const spec = REPORT_KIND_SPECS[def.kind];
  const base = { series, periodStart: new Date(p.start).toISOString(), periodEnd: new Date(p.end).toISOString() };
  const entityOf = (id: string | null): Pick<ReportRow, 'entity' | 'entityId'> => ({ entity: id === null ? 'total' : spec.entity, entityId: id });
  if (spec.entity === 'queue') {
    return queueCells(h, p).map(({ id, cell }) => ({ ...base, ...entityOf(id), values: valuesOf(QUEUE_COLUMNS, spec.columns, cell) }));
  }
  const cells = agentCells(h, p);
  if (def.kind !== 'top_agents') {
    return cells.map(({ id, cell }) => ({ ...base, ...entityOf(id), values: valuesOf(AGENT_COLUMNS, spec.columns, cell) }));
  }
  const by = def.top?.by ?? 'handled';
  const ranked = cells
    .filter((x): x is { id: string; cell: AgentCell } => x.id !== null)
    .map((x) => ({ ...x, v: rankValue(x.cell.w, by) }))
    .filter((x): x is typeof x & { v: number } => x.v !== null)
    .sort((a, b) => b.v - a.v || (a.id < b.id ? -1 : 1))
    .slice(0, def.top?.limit ?? 10);
  return ranked.map(({ id, cell }, i) => ({ ...base, ...entityOf(id), values: { rank: i + 1, ...valuesOf(AGENT_COLUMNS, spec.columns, cell) } }));
}

/** The rows of every period, in period order, then entity order (the total last). */
export function reportRows(def: ReportDefinition, h: HistoryCounters, series: Series): ReportRow[] {
  return h.periods.flatMap((p) => periodRows(def, h, p, series));
}

/** The whole range's total: every queue (queue kinds) or every listed agent (agent kinds). */
export function summaryOf(def: ReportDefinition, h: HistoryCounters, whole: HistoryPeriod): Record<string, CellValue> {
  const spec = REPORT_KIND_SPECS[def.kind];
  if (spec.entity === 'queue') return valuesOf(QUEUE_COLUMNS, spec.columns, queueCells(h, whole).at(-1)!.cell);
  return valuesOf(AGENT_COLUMNS, spec.columns, agentCells(h, whole).at(-1)!.cell);
}
