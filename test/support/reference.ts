/**
 * Reference model of the metric engine, written straight from the metric definitions
 * (docs/metrics.md) for clarity, not speed: every query sorts the whole event set and
 * recomputes every figure from scratch with plain loops. The property tests compare the real
 * engine against it, so it must stay independent of src/engine.
 */
import { compareEvents, type HubEvent } from '../../src/events/index.js';
import type {
  AgentCounts,
  AgentState,
  AgentStatus,
  AgentView,
  AgentWindow,
  QueueView,
  QueueWindow,
  SlFormula,
  Snapshot,
  TotalsView,
  TotalsWindow,
  WindowName,
} from '../../src/protocol/index.js';

export interface ReferenceQueueSettings {
  slThresholdSec: number;
  slTargetPct: number;
  shortAbandonSec: number;
  slFormula: SlFormula;
  displayName?: string;
}

/** Same shape as the engine's tenant settings, declared here to keep the model independent. */
export interface ReferenceSettings {
  timezone: string;
  queues: Record<string, Partial<ReferenceQueueSettings>>;
}

export interface ReferenceFilter {
  queues?: readonly string[] | null;
}

const DEFAULT_SL_THRESHOLD_SEC = 20;
const DEFAULT_SHORT_ABANDON_SEC = 5;
const DEFAULT_FORMULA: SlFormula = 'excludeShortAbandons';

type LeaveKind = 'answered' | 'abandoned' | 'dequeued';

/** What the first event of each kind says about one contact. */
interface ContactFacts {
  contactId: string;
  queued: { ts: number; queueId: string } | null;
  leave: { kind: LeaveKind; ts: number; agentId: string | null } | null;
  ended: { ts: number; holdMs: number; acw: boolean } | null;
  acwEnded: number | null;
  rating: { ts: number; csat: number } | null;
}

interface StatusFact {
  ts: number;
  status: AgentStatus;
  reason: string | null;
  queues: string[] | null;
  name: string | null;
  team: string | null;
}

/** Half-open [from, to); `to` null = still open. */
interface Interval {
  from: number;
  to: number | null;
  contactId: string;
  answeredAt: number;
}

interface AgentFacts {
  agentId: string;
  statuses: StatusFact[];
  onContact: Interval[];
  acw: Interval[];
}

type Counters = Omit<QueueWindow, DerivedKey>;
type DerivedKey =
  | 'serviceLevel'
  | 'abandonRate'
  | 'asaSec'
  | 'maxWaitSec'
  | 'ahtSec'
  | 'avgTalkSec'
  | 'avgHoldSec'
  | 'avgAcwSec'
  | 'csatAvg'
  | 'csatPct';

/** One settled contribution: `add` goes to the queue and/or the agent at time `t`. */
interface Contribution {
  t: number;
  queueId: string | null;
  agentId: string | null;
  add: Partial<Omit<Counters, 'maxWaitMs'>>;
  waitCandidate: number | null;
}

function zeroCounters(): Counters {
  return {
    offered: 0,
    answered: 0,
    answeredInSl: 0,
    abandoned: 0,
    shortAbandoned: 0,
    flowedOut: 0,
    handled: 0,
    waitAnsweredMs: 0,
    waitAbandonedMs: 0,
    maxWaitMs: 0,
    talkMs: 0,
    holdMs: 0,
    acwMs: 0,
    csatSum: 0,
    csatCount: 0,
    csatPositive: 0,
  };
}

function addInto(target: Counters, c: Contribution): void {
  for (const [key, value] of Object.entries(c.add) as [keyof Contribution['add'], number][]) {
    target[key] += value;
  }
  if (c.waitCandidate !== null) target.maxWaitMs = Math.max(target.maxWaitMs, c.waitCandidate);
}

function queueSettings(settings: ReferenceSettings, queueId: string) {
  const s = Object.hasOwn(settings.queues, queueId) ? (settings.queues[queueId] ?? {}) : {};
  return {
    slThresholdSec: s.slThresholdSec ?? DEFAULT_SL_THRESHOLD_SEC,
    shortAbandonSec: s.shortAbandonSec ?? DEFAULT_SHORT_ABANDON_SEC,
    slFormula: s.slFormula ?? DEFAULT_FORMULA,
  };
}

/** Unique by id (the first occurrence wins), then in the canonical order. */
function canonical(events: readonly HubEvent[]): HubEvent[] {
  const seen = new Set<string>();
  const unique: HubEvent[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    unique.push(e);
  }
  return unique.sort(compareEvents);
}

function contactFacts(sorted: readonly HubEvent[]): Map<string, ContactFacts> {
  const contacts = new Map<string, ContactFacts>();
  for (const e of sorted) {
    if (e.type === 'agent.status') continue;
    let c = contacts.get(e.contactId);
    if (c === undefined) {
      c = { contactId: e.contactId, queued: null, leave: null, ended: null, acwEnded: null, rating: null };
      contacts.set(e.contactId, c);
    }
    switch (e.type) {
      case 'contact.queued':
        c.queued ??= { ts: e.ts, queueId: e.queueId };
        break;
      case 'contact.answered':
        c.leave ??= { kind: 'answered', ts: e.ts, agentId: e.agentId };
        break;
      case 'contact.abandoned':
        c.leave ??= { kind: 'abandoned', ts: e.ts, agentId: null };
        break;
      case 'contact.dequeued':
        c.leave ??= { kind: 'dequeued', ts: e.ts, agentId: null };
        break;
      case 'contact.ended':
        c.ended ??= { ts: e.ts, holdMs: e.holdMs, acw: e.acw };
        break;
      case 'contact.acw_ended':
        c.acwEnded ??= e.ts;
        break;
      case 'contact.rated':
        c.rating ??= { ts: e.ts, csat: e.csat };
        break;
    }
  }
  return contacts;
}

/** The agent a contact's agent figures go to, when it was answered. */
function answeringAgent(c: ContactFacts): string | null {
  return c.leave !== null && c.leave.kind === 'answered' ? c.leave.agentId : null;
}

function agentFacts(sorted: readonly HubEvent[], contacts: Map<string, ContactFacts>): Map<string, AgentFacts> {
  const agents = new Map<string, AgentFacts>();
  const agent = (agentId: string): AgentFacts => {
    let a = agents.get(agentId);
    if (a === undefined) {
      a = { agentId, statuses: [], onContact: [], acw: [] };
      agents.set(agentId, a);
    }
    return a;
  };
  for (const e of sorted) {
    if (e.type !== 'agent.status') continue;
    agent(e.agentId).statuses.push({
      ts: e.ts,
      status: e.status,
      reason: e.reason ?? null,
      queues: e.queues ?? null,
      name: e.name ?? null,
      team: e.team ?? null,
    });
  }
  for (const c of contacts.values()) {
    const agentId = answeringAgent(c);
    if (agentId === null || c.leave === null) continue;
    const a = agent(agentId);
    const contact = { contactId: c.contactId, answeredAt: c.leave.ts };
    // On contact [answered, ended), then acw [ended, acw_ended); an end before its start is
    // clamped to the start, and an interval that ends at or before its start is empty.
    const answeredAt = c.leave.ts;
    const endedAt = c.ended === null ? null : Math.max(c.ended.ts, answeredAt);
    if (endedAt === null || endedAt > answeredAt) a.onContact.push({ from: answeredAt, to: endedAt, ...contact });
    if (endedAt !== null && c.ended !== null && c.ended.acw) {
      const acwTo = c.acwEnded === null ? null : Math.max(c.acwEnded, endedAt);
      if (acwTo === null || acwTo > endedAt) a.acw.push({ from: endedAt, to: acwTo, ...contact });
    }
  }
  return agents;
}

function contains(i: Interval, t: number): boolean {
  return t >= i.from && (i.to === null || t < i.to);
}

function statusAt(a: AgentFacts, t: number): StatusFact | null {
  let latest: StatusFact | null = null;
  for (const s of a.statuses) if (s.ts <= t) latest = s;
  return latest;
}

function displayedAt(a: AgentFacts, t: number): AgentState {
  if (a.onContact.some((i) => contains(i, t))) return 'on_contact';
  if (a.acw.some((i) => contains(i, t))) return 'acw';
  return statusAt(a, t)?.status ?? 'offline';
}

/** Every time at which the agent's displayed state may change, ascending, unique. */
function timeline(a: AgentFacts): number[] {
  const points = new Set<number>();
  for (const s of a.statuses) points.add(s.ts);
  for (const i of [...a.onContact, ...a.acw]) {
    points.add(i.from);
    if (i.to !== null) points.add(i.to);
  }
  return [...points].sort((x, y) => x - y);
}

/** The state after all events: a state at or after the last timeline point. */
function currentState(a: AgentFacts): AgentState {
  const points = timeline(a);
  const last = points[points.length - 1];
  return last === undefined ? 'offline' : displayedAt(a, last);
}

function since(a: AgentFacts): string | null {
  let previous: AgentState | null = null;
  let lastChange: number | null = null;
  for (const p of timeline(a)) {
    const state = displayedAt(a, p);
    if (state !== previous) lastChange = p;
    previous = state;
  }
  return lastChange === null ? null : new Date(lastChange).toISOString();
}

/** busy (on_contact + acw) and available ms of the displayed state over [from, to]. */
function occupancyTime(a: AgentFacts, from: number, to: number): { busy: number; avail: number } {
  const cuts = [from, ...timeline(a).filter((p) => p > from && p < to), to];
  let busy = 0;
  let avail = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const start = cuts[k] as number;
    const length = (cuts[k + 1] as number) - start;
    const state = displayedAt(a, start);
    if (state === 'on_contact' || state === 'acw') busy += length;
    else if (state === 'available') avail += length;
  }
  return { busy, avail };
}

function latestWith<K extends 'queues' | 'name' | 'team'>(a: AgentFacts, key: K): StatusFact[K] {
  let value: StatusFact[K] = null;
  for (const s of a.statuses) if (s[key] !== null) value = s[key];
  return value;
}

function skills(a: AgentFacts): string[] {
  return latestWith(a, 'queues') ?? [];
}

function contributions(contacts: Map<string, ContactFacts>, settings: ReferenceSettings): Contribution[] {
  const out: Contribution[] = [];
  for (const c of contacts.values()) {
    const queueId = c.queued?.queueId ?? null;
    const agentId = answeringAgent(c);
    if (c.queued !== null) {
      const s = queueSettings(settings, c.queued.queueId);
      out.push({ t: c.queued.ts, queueId, agentId: null, add: { offered: 1 }, waitCandidate: null });
      if (c.leave !== null) {
        const wait = Math.max(0, c.leave.ts - c.queued.ts);
        const add: Contribution['add'] =
          c.leave.kind === 'answered'
            ? { answered: 1, answeredInSl: wait <= s.slThresholdSec * 1000 ? 1 : 0, waitAnsweredMs: wait }
            : c.leave.kind === 'abandoned'
              ? { abandoned: 1, shortAbandoned: wait < s.shortAbandonSec * 1000 ? 1 : 0, waitAbandonedMs: wait }
              : { flowedOut: 1 };
        out.push({ t: c.leave.ts, queueId, agentId: null, add, waitCandidate: wait });
      }
    }
    if (agentId !== null && c.leave !== null && c.ended !== null && (!c.ended.acw || c.acwEnded !== null)) {
      const handledAt = c.ended.acw ? (c.acwEnded as number) : c.ended.ts;
      out.push({
        t: handledAt,
        queueId,
        agentId,
        add: {
          handled: 1,
          talkMs: Math.max(0, c.ended.ts - c.leave.ts - c.ended.holdMs),
          holdMs: c.ended.holdMs,
          acwMs: c.ended.acw ? Math.max(0, (c.acwEnded as number) - c.ended.ts) : 0,
        },
        waitCandidate: null,
      });
    }
    if (c.rating !== null) {
      const add = { csatSum: c.rating.csat, csatCount: 1, csatPositive: c.rating.csat >= 4 ? 1 : 0 };
      out.push({ t: c.rating.ts, queueId, agentId, add, waitCandidate: null });
    }
  }
  return out;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of `t` in `timezone`, as YYYY-MM-DD (sorts like the dates). */
function localDate(t: number, timezone: string): string {
  let f = dayFormatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timezone, f);
  }
  const part = (type: string) => f.formatToParts(t).find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The first instant (ms) of the local day of `now`: binary search for the earliest t whose
 * local date is today's. Valid where local dates never go back, which holds for every zone the
 * tests use (UTC, Europe/Paris, America/New_York).
 */
export function localDayStart(now: number, timezone: string): number {
  const today = localDate(now, timezone);
  let before = now - 50 * 3_600_000;
  let inside = now;
  while (inside - before > 1) {
    const mid = Math.floor((before + inside) / 2);
    if (localDate(mid, timezone) >= today) inside = mid;
    else before = mid;
  }
  return inside;
}

interface WindowBounds {
  name: WindowName;
  start: number;
  contains(t: number): boolean;
}

function windowBounds(now: number, timezone: string): WindowBounds[] {
  const nowSec = Math.floor(now / 1000);
  const rolling = (name: WindowName, seconds: number): WindowBounds => ({
    name,
    start: (nowSec - (seconds - 1)) * 1000,
    contains: (t) => Math.floor(t / 1000) >= nowSec - (seconds - 1),
  });
  const todayStart = localDayStart(now, timezone);
  return [
    rolling('15m', 900),
    rolling('60m', 3600),
    { name: 'today', start: todayStart, contains: (t) => t >= todayStart },
  ];
}

function derived(c: Counters, formula: SlFormula): QueueWindow {
  const d =
    formula === 'excludeShortAbandons'
      ? c.answered + c.abandoned - c.shortAbandoned
      : formula === 'allAbandons'
        ? c.answered + c.abandoned
        : c.answered;
  const realAbandonBase = c.answered + c.abandoned - c.shortAbandoned;
  return {
    ...c,
    serviceLevel: d === 0 ? null : (100 * c.answeredInSl) / d,
    abandonRate: realAbandonBase === 0 ? null : (100 * (c.abandoned - c.shortAbandoned)) / realAbandonBase,
    asaSec: c.answered === 0 ? null : c.waitAnsweredMs / c.answered / 1000,
    maxWaitSec: c.maxWaitMs / 1000,
    ...handlingFigures(c),
  };
}

function handlingFigures(c: Counters) {
  const h = c.handled;
  return {
    ahtSec: h === 0 ? null : (c.talkMs + c.holdMs + c.acwMs) / h / 1000,
    avgTalkSec: h === 0 ? null : c.talkMs / h / 1000,
    avgHoldSec: h === 0 ? null : c.holdMs / h / 1000,
    avgAcwSec: h === 0 ? null : c.acwMs / h / 1000,
    csatAvg: c.csatCount === 0 ? null : c.csatSum / c.csatCount,
    csatPct: c.csatCount === 0 ? null : (100 * c.csatPositive) / c.csatCount,
  };
}

function occupancy(busy: number, avail: number): number | null {
  return busy + avail === 0 ? null : (100 * busy) / (busy + avail);
}

function agentCounts(states: readonly { state: AgentState; reason: string | null }[]): AgentCounts {
  const counts: AgentCounts = { staffed: 0, available: 0, onContact: 0, acw: 0, aux: 0, offline: 0, auxByReason: {} };
  for (const { state, reason } of states) {
    if (state === 'on_contact') counts.onContact += 1;
    else if (state === 'acw') counts.acw += 1;
    else if (state === 'aux') {
      counts.aux += 1;
      const key = reason ?? 'unspecified';
      counts.auxByReason[key] = (counts.auxByReason[key] ?? 0) + 1;
    } else if (state === 'available') counts.available += 1;
    else counts.offline += 1;
    if (state !== 'offline') counts.staffed += 1;
  }
  return counts;
}

/** The waiting contact of `queues` with the smallest queued.ts (tie: smaller contactId). */
function oldestWaiting(contacts: Map<string, ContactFacts>, queues: ReadonlySet<string>) {
  let count = 0;
  let oldest: { ts: number; contactId: string } | null = null;
  for (const c of contacts.values()) {
    if (c.queued === null || c.leave !== null || !queues.has(c.queued.queueId)) continue;
    count += 1;
    const ts = c.queued.ts;
    if (oldest === null || ts < oldest.ts || (ts === oldest.ts && c.contactId < oldest.contactId)) {
      oldest = { ts, contactId: c.contactId };
    }
  }
  return { count, oldest };
}

function waitingFigures(contacts: Map<string, ContactFacts>, queues: ReadonlySet<string>, now: number) {
  const { count, oldest } = oldestWaiting(contacts, queues);
  return {
    waiting: count,
    oldestWaitSec: oldest === null ? null : Math.max(0, now - oldest.ts) / 1000,
    oldestContactId: oldest === null ? null : oldest.contactId,
  };
}

/** The open contact answered last (tie: greater contactId), or null. */
function currentContact(a: AgentFacts, contacts: Map<string, ContactFacts>): ContactFacts | null {
  let best: Interval | null = null;
  for (const i of [...a.onContact, ...a.acw]) {
    if (i.to !== null) continue;
    if (best === null || i.answeredAt > best.answeredAt || (i.answeredAt === best.answeredAt && i.contactId > best.contactId)) {
      best = i;
    }
  }
  return best === null ? null : (contacts.get(best.contactId) ?? null);
}

/** Live figures of the event set as of `now` (SPEC §4-§5), built from scratch. */
export function referenceSnapshot(
  events: readonly HubEvent[],
  now: number,
  settings: ReferenceSettings,
  tenant: string,
  filter?: ReferenceFilter,
): Snapshot {
  const sorted = canonical(events);
  const contacts = contactFacts(sorted);
  const agents = agentFacts(sorted, contacts);
  const contribs = contributions(contacts, settings);
  const windows = windowBounds(now, settings.timezone);

  const allQueues = new Set<string>(Object.keys(settings.queues));
  for (const c of contacts.values()) if (c.queued !== null) allQueues.add(c.queued.queueId);
  for (const a of agents.values()) for (const q of skills(a)) allQueues.add(q);

  const filterList = filter?.queues ?? null;
  const visible = filterList === null ? allQueues : new Set(filterList.filter((q) => allQueues.has(q)));
  const counted = [...agents.values()].filter(
    (a) => filterList === null || skills(a).some((q) => visible.has(q)),
  );

  const stateOf = (a: AgentFacts) => {
    const state = currentState(a);
    const latest = a.statuses[a.statuses.length - 1];
    return { state, reason: state === 'aux' && latest !== undefined ? latest.reason : null };
  };

  const counters = (match: (c: Contribution) => boolean, w: WindowBounds): Counters => {
    const sum = zeroCounters();
    for (const c of contribs) if (match(c) && w.contains(c.t)) addInto(sum, c);
    return sum;
  };

  const queues: Record<string, QueueView> = {};
  for (const q of visible) {
    const formula = queueSettings(settings, q).slFormula;
    const queueWindows = {} as Record<WindowName, QueueWindow>;
    for (const w of windows) queueWindows[w.name] = derived(counters((c) => c.queueId === q, w), formula);
    queues[q] = {
      ...waitingFigures(contacts, new Set([q]), now),
      agents: agentCounts([...agents.values()].filter((a) => skills(a).includes(q)).map(stateOf)),
      windows: queueWindows,
    };
  }

  const agentViews: Record<string, AgentView> = {};
  for (const a of counted) {
    const latest = a.statuses[a.statuses.length - 1];
    const open = currentContact(a, contacts);
    const agentWindows = {} as Record<WindowName, AgentWindow>;
    for (const w of windows) {
      const c = counters((x) => x.agentId === a.agentId, w);
      const time = occupancyTime(a, w.start, now);
      agentWindows[w.name] = {
        handled: c.handled,
        talkMs: c.talkMs,
        holdMs: c.holdMs,
        acwMs: c.acwMs,
        csatSum: c.csatSum,
        csatCount: c.csatCount,
        csatPositive: c.csatPositive,
        ...handlingFigures(c),
        occupancy: occupancy(time.busy, time.avail),
      };
    }
    agentViews[a.agentId] = {
      name: latestWith(a, 'name'),
      team: latestWith(a, 'team'),
      state: currentState(a),
      status: latest?.status ?? 'offline',
      reason: latest !== undefined && latest.status === 'aux' ? latest.reason : null,
      since: since(a),
      contactId: open?.contactId ?? null,
      queueId: open?.queued?.queueId ?? null,
      queues: skills(a),
      windows: agentWindows,
    };
  }

  const formulas = new Set([...visible].map((q) => queueSettings(settings, q).slFormula));
  const totalsFormula = formulas.size === 1 ? ([...formulas][0] as SlFormula) : DEFAULT_FORMULA;
  const totalsWindows = {} as Record<WindowName, TotalsWindow>;
  for (const w of windows) {
    let busy = 0;
    let avail = 0;
    for (const a of counted) {
      const time = occupancyTime(a, w.start, now);
      busy += time.busy;
      avail += time.avail;
    }
    const c = counters((x) => x.queueId !== null && visible.has(x.queueId), w);
    totalsWindows[w.name] = { ...derived(c, totalsFormula), occupancy: occupancy(busy, avail) };
  }
  const totals: TotalsView = {
    ...waitingFigures(contacts, visible, now),
    agents: agentCounts(counted.map(stateOf)),
    windows: totalsWindows,
  };

  return { tenant, asOf: new Date(now).toISOString(), position: '', queues, agents: agentViews, totals };
}
