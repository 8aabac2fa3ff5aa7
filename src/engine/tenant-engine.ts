import type { HubEvent } from '../events/index.js';
import type {
  AgentCounts,
  AgentView,
  QueueView,
  QueueWindow,
  SlFormula,
  Snapshot,
  TotalsView,
  TotalsWindow,
  WindowName,
} from '../protocol/index.js';
import { WINDOW_NAMES } from '../protocol/index.js';
import { AgentTimeline, type ActivityMark } from './agent-timeline.js';
import { Contact, type AppliedHandled, type AppliedLeave, type AppliedRating, type ContactEvent } from './contact.js';
import { A, AGENT_WIDTH, Q, QUEUE_WIDTH, WAIT_BUCKETS_SEC, agentWindow, occupancy, queueWindow } from './counters.js';
import { CounterSeries } from './counter-series.js';
import { DEFAULT_TENANT_SETTINGS, resolveQueueSettings, type QueueSettings, type TenantSettings } from './settings.js';
import { WINDOW_60M_SEC, WindowFrame } from './window-frame.js';

export interface TenantEngineOptions {
  tenant: string;
  /** The engine's starting time (epoch ms). */
  now: number;
  settings?: TenantSettings;
  /** How late an event may arrive and still be placed in time (default 10 min). */
  latenessMs?: number;
  /** How long a finished contact is kept for late events such as ratings (default lateness + 60 min). */
  contactRetentionMs?: number;
}

export interface SnapshotFilter {
  /** Only these queues (and agents skilled in them); null or absent: everything. */
  queues?: readonly string[] | null;
}

interface EventKey {
  ts: number;
  id: string;
}

function isLater(e: EventKey, than: EventKey | null): boolean {
  return than === null || e.ts > than.ts || (e.ts === than.ts && e.id > than.id);
}

class QueueState {
  readonly waiting = new Map<string, Contact>();
  constructor(
    readonly id: string,
    public settings: QueueSettings,
    readonly series: CounterSeries,
  ) {}
}

class AgentRecord {
  readonly timeline = new AgentTimeline();
  readonly open = new Set<Contact>();
  /** Contacts whose activity belongs to this agent: it exists while any does, or it has a status. */
  contacts = 0;
  name: string | null = null;
  nameKey: EventKey | null = null;
  team: string | null = null;
  teamKey: EventKey | null = null;
  skills: string[] = [];
  skillsKey: EventKey | null = null;
  constructor(
    readonly id: string,
    readonly series: CounterSeries,
  ) {}
}

const ISO = (ms: number): string => new Date(ms).toISOString();

function emptyCounts(): AgentCounts {
  return { staffed: 0, available: 0, onContact: 0, acw: 0, aux: 0, offline: 0, auxByReason: {} };
}

function sameLeave(a: AppliedLeave | null, b: AppliedLeave | null): boolean {
  if (a === null || b === null) return a === b;
  return a.queueId === b.queueId && a.kind === b.kind && a.t === b.t && a.wait === b.wait;
}

function sameHandled(a: AppliedHandled | null, b: AppliedHandled | null): boolean {
  if (a === null || b === null) return a === b;
  return a.queueId === b.queueId && a.agentId === b.agentId && a.t === b.t && a.talk === b.talk && a.hold === b.hold && a.acw === b.acw;
}

function sameRating(a: AppliedRating | null, b: AppliedRating | null): boolean {
  if (a === null || b === null) return a === b;
  return a.queueId === b.queueId && a.agentId === b.agentId && a.t === b.t && a.csat === b.csat;
}

function sameMark(a: ActivityMark, b: ActivityMark): boolean {
  return a.t === b.t && a.onContact === b.onContact && a.acw === b.acw;
}

/**
 * The live state of one tenant: contacts, agents and queues, with windowed counters. Applying any
 * permutation of a set of events (with duplicates) ends in the same figures; see docs/metrics.md.
 * The per-event path is plain code; RxJS composes engines in ./pipeline.ts.
 */
export class TenantEngine {
  readonly tenant: string;
  position = '';
  private settings: TenantSettings;
  private readonly frame: WindowFrame;
  private readonly latenessMs: number;
  private readonly retentionMs: number;
  private readonly contacts = new Map<string, Contact>();
  private readonly queues = new Map<string, QueueState>();
  private readonly agents = new Map<string, AgentRecord>();
  private readonly releaseQueue: { contact: Contact; at: number }[] = [];
  private releaseHead = 0;
  private lastFoldSec = 0;
  /** Bumped by every change of state, so views can tell when they must be rebuilt. */
  version = 0;

  constructor(opts: TenantEngineOptions) {
    this.tenant = opts.tenant;
    this.settings = opts.settings ?? DEFAULT_TENANT_SETTINGS;
    this.latenessMs = opts.latenessMs ?? 600_000;
    this.retentionMs = opts.contactRetentionMs ?? this.latenessMs + WINDOW_60M_SEC * 1000;
    this.frame = new WindowFrame(this.settings.timezone, opts.now);
    this.lastFoldSec = Math.floor(opts.now / 1000);
    for (const id of Object.keys(this.settings.queues)) this.queue(id);
  }

  get now(): number {
    return this.frame.now;
  }

  /** Number of contacts held (for memory accounting and tests). */
  get contactCount(): number {
    return this.contacts.size;
  }

  /** Replaces the settings: queue settings apply to contributions from now on; a new timezone restarts today. */
  setSettings(settings: TenantSettings): void {
    this.settings = settings;
    for (const q of this.queues.values()) q.settings = resolveQueueSettings(settings, q.id);
    for (const id of Object.keys(settings.queues)) this.queue(id);
    this.frame.setTimezone(settings.timezone);
    this.version++;
  }

  /** Applies one event; false when it was a duplicate (or too old to place). */
  apply(e: HubEvent): boolean {
    const changed = e.type === 'agent.status' ? this.applyStatus(e) : this.applyContactEvent(e);
    if (changed) this.version++;
    return changed;
  }

  /** Moves the engine's time forward (never back): windows slide, old state is released. */
  advance(now: number): void {
    const before = this.frame.generation;
    this.frame.advance(now);
    if (this.frame.generation === before) return;
    const sec = Math.floor(now / 1000);
    if (sec - this.lastFoldSec >= 60) {
      this.lastFoldSec = sec;
      this.release(now);
    }
  }

  snapshot(filter?: SnapshotFilter): Snapshot {
    const now = this.frame.now;
    const visible = this.visibleQueues(filter);
    const queueCounts = new Map<string, AgentCounts>();
    for (const q of visible) queueCounts.set(q.id, emptyCounts());
    const totalCounts = emptyCounts();
    const agents: Record<string, AgentView> = {};
    const busy: Record<WindowName, number> = { '15m': 0, '60m': 0, today: 0 };
    const avail: Record<WindowName, number> = { '15m': 0, '60m': 0, today: 0 };
    const ids = [...this.agents.keys()].sort();
    for (const id of ids) {
      const a = this.agents.get(id)!;
      if (filter?.queues && !a.skills.some((s) => queueCounts.has(s))) continue;
      const view = this.agentView(a, now, busy, avail);
      agents[id] = view;
      count(totalCounts, view);
      for (const s of a.skills) {
        const c = queueCounts.get(s);
        if (c) count(c, view);
      }
    }
    const queues: Record<string, QueueView> = {};
    for (const q of visible) queues[q.id] = this.queueView(q, queueCounts.get(q.id)!, now);
    return {
      tenant: this.tenant,
      asOf: ISO(now),
      position: this.position,
      queues,
      agents,
      totals: this.totalsView(visible, totalCounts, busy, avail, now),
    };
  }

  // ---- events -------------------------------------------------------------------------------

  private applyStatus(e: Extract<HubEvent, { type: 'agent.status' }>): boolean {
    const a = this.agent(e.agentId);
    if (!a.timeline.addStatus(e.ts, e.id, e.status, e.reason ?? null)) {
      this.forgetIfVacant(a);
      return false;
    }
    if (e.queues !== undefined && isLater(e, a.skillsKey)) {
      a.skills = [...e.queues];
      a.skillsKey = e;
      for (const q of e.queues) this.queue(q);
    }
    if (e.name !== undefined && isLater(e, a.nameKey)) {
      a.name = e.name;
      a.nameKey = e;
    }
    if (e.team !== undefined && isLater(e, a.teamKey)) {
      a.team = e.team;
      a.teamKey = e;
    }
    return true;
  }

  private applyContactEvent(e: ContactEvent): boolean {
    let c = this.contacts.get(e.contactId);
    if (!c) {
      c = new Contact(e.contactId);
      this.contacts.set(c.id, c);
    }
    if (!c.insert(e)) return false;
    this.settle(c);
    return true;
  }

  /** Brings a contact's contributions in line with what its events now settle. */
  private settle(c: Contact): void {
    const f = c.facts();
    const queued = f.queued;
    const leave = f.leave;
    const answered = leave?.type === 'contact.answered' ? leave : null;
    const ended = answered ? f.ended : null;
    const acwEnded = ended?.acw ? f.acwEnded : null;

    // offered
    const wantOffered = queued ? { queueId: queued.queueId, t: queued.ts } : null;
    if (c.offered?.queueId !== wantOffered?.queueId || c.offered?.t !== wantOffered?.t) {
      if (c.offered) this.queue(c.offered.queueId).series.add(c.offered.t, Q.offered, -1);
      if (wantOffered) this.queue(wantOffered.queueId).series.add(wantOffered.t, Q.offered, 1);
      c.offered = wantOffered;
    }
    c.queueId = queued ? queued.queueId : null;

    // waiting
    const waitingIn = queued && !leave ? queued.queueId : null;
    if (c.waitingIn !== waitingIn || (waitingIn !== null && c.queuedAt !== queued!.ts)) {
      if (c.waitingIn !== null) this.queue(c.waitingIn).waiting.delete(c.id);
      if (waitingIn !== null) this.queue(waitingIn).waiting.set(c.id, c);
      c.waitingIn = waitingIn;
    }
    c.queuedAt = queued ? queued.ts : 0;

    // leaving the queue
    let wantLeave: AppliedLeave | null = null;
    if (queued && leave) {
      const s = this.queue(queued.queueId).settings;
      const wait = Math.max(0, leave.ts - queued.ts);
      wantLeave = {
        queueId: queued.queueId,
        kind: leave.type,
        t: leave.ts,
        wait,
        inSl: wait <= s.slThresholdSec * 1000,
        short: wait < s.shortAbandonSec * 1000,
      };
    }
    if (!sameLeave(c.leave, wantLeave)) {
      if (c.leave) this.addLeave(c.leave, -1);
      if (wantLeave) this.addLeave(wantLeave, 1);
      c.leave = wantLeave;
    }

    // handled
    let wantHandled: AppliedHandled | null = null;
    if (answered && ended && (!ended.acw || acwEnded)) {
      wantHandled = {
        queueId: queued ? queued.queueId : null,
        agentId: answered.agentId,
        t: acwEnded ? acwEnded.ts : ended.ts,
        talk: Math.max(0, ended.ts - answered.ts - ended.holdMs),
        hold: ended.holdMs,
        acw: acwEnded ? Math.max(0, acwEnded.ts - ended.ts) : 0,
      };
    }
    if (!sameHandled(c.handled, wantHandled)) {
      if (c.handled) this.addHandled(c.handled, -1);
      if (wantHandled) this.addHandled(wantHandled, 1);
      c.handled = wantHandled;
    }

    // rating
    const rated = f.rated;
    const wantRating: AppliedRating | null = rated
      ? { queueId: queued ? queued.queueId : null, agentId: answered ? answered.agentId : null, t: rated.ts, csat: rated.csat }
      : null;
    if (!sameRating(c.rating, wantRating)) {
      if (c.rating) this.addRating(c.rating, -1);
      if (wantRating) this.addRating(wantRating, 1);
      c.rating = wantRating;
    }

    // agent activity
    this.settleActivity(c, answered, ended, acwEnded);

    if (c.isClosed() && !c.releaseQueued) {
      c.releaseQueued = true;
      this.releaseQueue.push({ contact: c, at: this.frame.now });
    }
  }

  private settleActivity(
    c: Contact,
    answered: Extract<ContactEvent, { type: 'contact.answered' }> | null,
    ended: Extract<ContactEvent, { type: 'contact.ended' }> | null,
    acwEnded: Extract<ContactEvent, { type: 'contact.acw_ended' }> | null,
  ): void {
    const want: ActivityMark[] = [];
    if (answered) {
      want.push({ t: answered.ts, onContact: 1, acw: 0 });
      if (ended) {
        const endT = Math.max(ended.ts, answered.ts);
        want.push({ t: endT, onContact: -1, acw: 0 });
        if (ended.acw) {
          want.push({ t: endT, onContact: 0, acw: 1 });
          if (acwEnded) want.push({ t: Math.max(acwEnded.ts, endT), onContact: 0, acw: -1 });
        }
      }
    }
    const agentId = answered ? answered.agentId : null;
    const old = c.activity;
    if (old && old.agentId === agentId) {
      // Same agent: move only the marks that differ.
      const keep = new Set<ActivityMark>();
      const add: ActivityMark[] = [];
      for (const m of want) {
        const same = old.marks.find((o) => !keep.has(o) && sameMark(o, m));
        if (same) keep.add(same);
        else add.push(m);
      }
      const remove = old.marks.filter((o) => !keep.has(o));
      if (remove.length > 0 || add.length > 0) {
        const a = this.agent(old.agentId);
        a.timeline.removeActivity(remove);
        a.timeline.addActivity(add);
        old.marks = [...keep, ...add];
      }
    } else {
      if (old) {
        const a = this.agent(old.agentId);
        a.timeline.removeActivity(old.marks);
        a.contacts--;
        c.activity = null;
        this.forgetIfVacant(a);
      }
      if (agentId !== null) {
        const a = this.agent(agentId);
        a.timeline.addActivity(want);
        a.contacts++;
        c.activity = { agentId, marks: want };
      }
    }

    const openWith = answered && (!ended || (ended.acw && !acwEnded)) ? answered.agentId : null;
    if (c.openWith !== openWith || (openWith !== null && c.openSince !== answered!.ts)) {
      if (c.openWith !== null) this.agents.get(c.openWith)?.open.delete(c);
      if (openWith !== null) this.agent(openWith).open.add(c);
      c.openWith = openWith;
      c.openSince = answered ? answered.ts : 0;
    }
  }

  private addLeave(l: AppliedLeave, sign: 1 | -1): void {
    const s = this.queue(l.queueId).series;
    switch (l.kind) {
      case 'contact.answered':
        s.add(l.t, Q.answered, sign);
        if (l.inSl) s.add(l.t, Q.answeredInSl, sign);
        s.add(l.t, Q.waitAnsweredMs, sign * l.wait);
        for (let i = 0; i < WAIT_BUCKETS_SEC.length; i++) {
          if (l.wait <= WAIT_BUCKETS_SEC[i]! * 1000) s.add(l.t, Q.answeredWithin + i, sign);
        }
        break;
      case 'contact.abandoned':
        s.add(l.t, Q.abandoned, sign);
        if (l.short) s.add(l.t, Q.shortAbandoned, sign);
        s.add(l.t, Q.waitAbandonedMs, sign * l.wait);
        break;
      case 'contact.dequeued':
        s.add(l.t, Q.flowedOut, sign);
        break;
    }
    s.addWait(l.t, l.wait, sign);
  }

  private addHandled(h: AppliedHandled, sign: 1 | -1): void {
    if (h.queueId !== null) {
      const s = this.queue(h.queueId).series;
      s.add(h.t, Q.handled, sign);
      s.add(h.t, Q.talkMs, sign * h.talk);
      s.add(h.t, Q.holdMs, sign * h.hold);
      s.add(h.t, Q.acwMs, sign * h.acw);
    }
    const s = this.agent(h.agentId).series;
    s.add(h.t, A.handled, sign);
    s.add(h.t, A.talkMs, sign * h.talk);
    s.add(h.t, A.holdMs, sign * h.hold);
    s.add(h.t, A.acwMs, sign * h.acw);
  }

  private addRating(r: AppliedRating, sign: 1 | -1): void {
    const positive = r.csat >= 4 ? sign : 0;
    if (r.queueId !== null) {
      const s = this.queue(r.queueId).series;
      s.add(r.t, Q.csatSum, sign * r.csat);
      s.add(r.t, Q.csatCount, sign);
      if (positive) s.add(r.t, Q.csatPositive, positive);
    }
    if (r.agentId !== null) {
      const s = this.agent(r.agentId).series;
      s.add(r.t, A.csatSum, sign * r.csat);
      s.add(r.t, A.csatCount, sign);
      if (positive) s.add(r.t, A.csatPositive, positive);
    }
  }

  // ---- entities -----------------------------------------------------------------------------

  private queue(id: string): QueueState {
    let q = this.queues.get(id);
    if (!q) {
      q = new QueueState(id, resolveQueueSettings(this.settings, id), new CounterSeries(QUEUE_WIDTH, this.frame));
      this.queues.set(id, q);
    }
    return q;
  }

  private agent(id: string): AgentRecord {
    let a = this.agents.get(id);
    if (!a) {
      a = new AgentRecord(id, new CounterSeries(AGENT_WIDTH, this.frame));
      this.agents.set(id, a);
    }
    return a;
  }

  /** An agent known only through a contact that turned out not to be its own is forgotten. */
  private forgetIfVacant(a: AgentRecord): void {
    if (a.contacts === 0 && a.timeline.latestStatus() === null) this.agents.delete(a.id);
  }

  /** Releases finished contacts and old agent history that can no longer change a figure. */
  private release(now: number): void {
    const q = this.releaseQueue;
    const horizon = now - this.retentionMs;
    while (this.releaseHead < q.length && q[this.releaseHead]!.at <= horizon) {
      const { contact } = q[this.releaseHead++]!;
      if (!contact.isClosed()) {
        contact.releaseQueued = false;
      } else if (contact.lastTs <= horizon) {
        this.contacts.delete(contact.id);
      } else {
        q.push({ contact, at: now });
      }
    }
    if (this.releaseHead > 1024 && this.releaseHead * 2 > q.length) {
      q.splice(0, this.releaseHead);
      this.releaseHead = 0;
    }
    const cutoff = now - WINDOW_60M_SEC * 1000 - this.latenessMs;
    for (const a of this.agents.values()) a.timeline.fold(cutoff, this.frame.todayStartMs);
  }

  // ---- views --------------------------------------------------------------------------------

  private visibleQueues(filter?: SnapshotFilter): QueueState[] {
    const ids = filter?.queues ? filter.queues.filter((id) => this.queues.has(id)) : [...this.queues.keys()];
    return [...new Set(ids)].sort().map((id) => this.queues.get(id)!);
  }

  private agentView(a: AgentRecord, now: number, busy: Record<WindowName, number>, avail: Record<WindowName, number>): AgentView {
    const latest = a.timeline.latestStatus();
    const status = latest ? latest.status : 'offline';
    const cur = a.timeline.current();
    let on: Contact | null = null;
    for (const c of a.open) {
      if (!on || c.openSince > on.openSince || (c.openSince === on.openSince && c.id > on.id)) on = c;
    }
    const windows = {} as AgentView['windows'];
    for (const w of WINDOW_NAMES) {
      const t = a.timeline.timeInState(this.windowStart(w), now, this.frame.todayStartMs);
      busy[w] += t.busy;
      avail[w] += t.avail;
      windows[w] = agentWindow(a.series.window(w), t.busy, t.avail);
    }
    return {
      name: a.name,
      team: a.team,
      state: cur.state,
      status,
      reason: status === 'aux' && latest ? latest.reason : null,
      since: cur.since === null ? null : ISO(cur.since),
      contactId: on ? on.id : null,
      queueId: on ? on.queueId : null,
      queues: [...a.skills],
      windows,
    };
  }

  private queueView(q: QueueState, agents: AgentCounts, now: number): QueueView {
    const oldest = oldestOf(q.waiting.values(), null);
    const windows = {} as QueueView['windows'];
    for (const w of WINDOW_NAMES) windows[w] = queueWindow(q.series.window(w), q.series.maxWait(w), q.settings.slFormula);
    return {
      waiting: q.waiting.size,
      oldestWaitSec: oldest ? Math.max(0, now - oldest.queuedAt) / 1000 : null,
      oldestContactId: oldest ? oldest.id : null,
      agents,
      windows,
    };
  }

  private totalsView(
    visible: readonly QueueState[],
    agents: AgentCounts,
    busy: Record<WindowName, number>,
    avail: Record<WindowName, number>,
    now: number,
  ): TotalsView {
    let waiting = 0;
    let oldest: Contact | null = null;
    for (const q of visible) {
      waiting += q.waiting.size;
      oldest = oldestOf(q.waiting.values(), oldest);
    }
    const formulas = new Set<SlFormula>(visible.map((q) => q.settings.slFormula));
    const formula: SlFormula = formulas.size === 1 ? [...formulas][0]! : 'excludeShortAbandons';
    const windows = {} as TotalsView['windows'];
    for (const w of WINDOW_NAMES) {
      const sum = new Float64Array(QUEUE_WIDTH);
      let maxWait = 0;
      for (const q of visible) {
        const v = q.series.window(w);
        for (let i = 0; i < QUEUE_WIDTH; i++) sum[i]! += v[i]!;
        maxWait = Math.max(maxWait, q.series.maxWait(w));
      }
      const qw: QueueWindow = queueWindow(sum, maxWait, formula);
      const tw: TotalsWindow = { ...qw, occupancy: occupancy(busy[w], avail[w]) };
      windows[w] = tw;
    }
    return {
      waiting,
      oldestWaitSec: oldest ? Math.max(0, now - oldest.queuedAt) / 1000 : null,
      oldestContactId: oldest ? oldest.id : null,
      agents,
      windows,
    };
  }

  private windowStart(w: WindowName): number {
    const f = this.frame;
    return w === '15m' ? f.start15 * 1000 : w === '60m' ? f.start60 * 1000 : f.todayStartMs;
  }
}

function oldestOf(contacts: Iterable<Contact>, start: Contact | null): Contact | null {
  let best = start;
  for (const c of contacts) {
    if (!best || c.queuedAt < best.queuedAt || (c.queuedAt === best.queuedAt && c.id < best.id)) best = c;
  }
  return best;
}

function count(c: AgentCounts, a: AgentView): void {
  switch (a.state) {
    case 'on_contact':
      c.onContact++;
      break;
    case 'acw':
      c.acw++;
      break;
    case 'aux': {
      c.aux++;
      const r = a.reason ?? 'unspecified';
      c.auxByReason[r] = (c.auxByReason[r] ?? 0) + 1;
      break;
    }
    case 'available':
      c.available++;
      break;
    case 'offline':
      c.offline++;
      return;
  }
  c.staffed++;
}
