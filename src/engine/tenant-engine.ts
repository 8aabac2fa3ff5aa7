import type { Channel, HubEvent } from '../events/index.js';
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
import { AgentTimeline, NO_AUX } from './agent-timeline.js';
import { C, Contact, ContactTable, type EventOf, type RatingHolder } from './contact.js';
import { ReleasedContacts } from './released-contacts.js';
import { A, AGENT_WIDTH, Q, QUEUE_WIDTH, agentWindow, occupancy, queueWindow } from './counters.js';
import { CounterSeries } from './counter-series.js';
import { QueueSeries } from './queue-series.js';
import { DEFAULT_TENANT_SETTINGS, resolveQueueSettings, type QueueSettings, type TenantSettings } from './settings.js';
import { WINDOW_60M_SEC, WindowFrame } from './window-frame.js';
import { CHECKPOINT_VERSION, type AgentStateSaved, type ContactState, type QueueStateSaved, type TenantCheckpoint } from './checkpoint.js';
import {
  INTERVAL_MS,
  PendingAgentRows,
  QueueInterval,
  intervalOf,
  IntervalStarts,
  queueIntervalKey,
  type QueueIntervalRow,
  type RollupBatch,
  type TimeByState,
} from './rollups.js';

export interface TenantEngineOptions {
  tenant: string;
  /** The engine's starting time (epoch ms). */
  now: number;
  settings?: TenantSettings;
  /** How late an event may arrive and still be placed in time (default 10 min). */
  latenessMs?: number;
  /**
   * How long a finished contact is kept after its last event, for late events such as ratings
   * (default twice the lateness bound). A rating for a contact released before it arrives cannot
   * be attributed to a queue or agent, and is not counted.
   */
  contactRetentionMs?: number;
  /**
   * How long after release a contact's queue, channel and agent are kept for late ratings
   * (post-contact surveys), default 2 hours. A rating later than that is not counted.
   */
  ratingWindowMs?: number;
}

export interface CollectOptions {
  /** Only intervals that have ended, agents' as made at their last fold (see `collectRollups`). */
  closedOnly?: boolean;
}

export interface SnapshotFilter {
  /** Only these queues (and agents skilled in them); null or absent: everything. */
  queues?: readonly string[] | null;
}

export interface SnapshotOptions {
  /**
   * Reuse an agent's view object when the agent has not changed within the current second, so
   * a merge-patch diff skips it by identity (live updates; time-driven figures still refresh
   * every second). Off: everything is computed as of now (REST reads, tests).
   */
  reuseViews?: boolean;
}

interface EventKey {
  ts: number;
  id: string;
}

function keyOf(k: EventKey | null): [number, string] | null {
  return k === null ? null : [k.ts, k.id];
}

function fromKey(k: [number, string] | null): EventKey | null {
  return k === null ? null : { ts: k[0], id: k[1] };
}

function isLater(e: EventKey, than: EventKey | null): boolean {
  return than === null || e.ts > than.ts || (e.ts === than.ts && e.id > than.id);
}

class QueueState {
  /** Contacts waiting in it, in no order (each knows its index: see `addWaiting`). */
  readonly waiting: Contact[] = [];
  /** Contacts offered to it (kept after release: a queue once offered stays) and agents skilled in it now. */
  offers = 0;
  skilled = 0;
  /** Rollup intervals by queueIntervalKey (channel × interval start). */
  readonly intervals = new Map<number, QueueInterval>();
  /** The interval a contribution went to last: most go to the current one. */
  lastInterval: QueueInterval | null = null;
  constructor(
    readonly id: string,
    public settings: QueueSettings,
    readonly series: QueueSeries,
  ) {}
}

class AgentRecord {
  timeline = new AgentTimeline();
  /** Contacts open with it (on contact or in acw), in no order: rarely more than one or two. */
  readonly open: Contact[] = [];
  /** Contacts whose activity belongs to this agent: it exists while any does, or it has a status. */
  contacts = 0;
  name: string | null = null;
  nameKey: EventKey | null = null;
  team: string | null = null;
  teamKey: EventKey | null = null;
  skills: string[] = [];
  skillsKey: EventKey | null = null;
  /** Starts of the rollup intervals handed over that late changes can still reach (its counters per interval are summed from `series`). */
  readonly writtenIntervals = new IntervalStarts();
  /** Bumped by every change to the agent; a view built at the same version and second is reused. */
  version = 0;
  view: AgentView | null = null;
  viewVersion = -1;
  viewSec = -1;
  /** Busy and available time per window (in WINDOW_NAMES order) as of the view. */
  readonly viewBusy = [0, 0, 0];
  readonly viewAvail = [0, 0, 0];
  constructor(
    readonly id: string,
    readonly series: CounterSeries,
  ) {}
}

const ISO = (ms: number): string => new Date(ms).toISOString();

function emptyCounts(): AgentCounts {
  return { staffed: 0, available: 0, onContact: 0, acw: 0, aux: 0, offline: 0, auxByReason: {} };
}

/**
 * Buckets an agent's series starts with: a busy agent contributes in about 20 seconds an hour, so
 * 32 hold its window and the dead buckets awaiting compaction (in the engine benchmark 26 of
 * 10,000 agents grow past them; with 24, 5,600 growths a run cost more than 32 do). It takes no
 * waits, so its rows hold no maximum wait (queues: ./queue-series.ts).
 */
const AGENT_SERIES_BUCKETS = 32;

/** An agent's counters of one rollup interval, summed for its row (reused). */
const AGENT_COUNTS = new Float64Array(AGENT_WIDTH);

/** How often finished contacts are released, and how often old agent history is. */
const MAINTENANCE_SEC = 300;
const AGENT_MAINTENANCE_SEC = 900;

/** Scratch for an agent row's time in state (the row copies it; its aux object, if any, is the row's). */
const ROW_TIME: TimeByState = { availableMs: 0, onContactMs: 0, acwTimeMs: 0, offlineMs: 0, auxMs: NO_AUX };

/** Scratch for a contact's activity marks as (t, onContact change, acw change) triples: placed, and wanted now. */
const PLACED = new Float64Array(12);
const WANTED = new Float64Array(12);
/** Scratch for a released contact's rating (time, csat), as `addRating` reads them. */
const RATING = new Float64Array(2);

function sameMark(a: Float64Array, b: Float64Array, k: number): boolean {
  return a[3 * k] === b[3 * k] && a[3 * k + 1] === b[3 * k + 1] && a[3 * k + 2] === b[3 * k + 2];
}

/**
 * The marks an answered contact places on its agent's timeline, from the activity bounds in its
 * row `r` of `T` (NaN end: still open), written into `out`; returns how many. An interval that
 * ends at or before its start is empty and places none. Times are read from the row, not passed:
 * an epoch-ms argument to a call the compiler does not inline is boxed, a heap number per call.
 */
function activityMarks(T: Float64Array, r: number, acwOn: boolean, out: Float64Array): number {
  const onStart = T[r + C.onStart]!;
  const onEnd = T[r + C.onEnd]!;
  const acwEnd = T[r + C.acwEnd]!;
  let n = 0;
  if (Number.isNaN(onEnd)) n = putMark(out, n, onStart, 1, 0);
  else if (onEnd > onStart) n = putMark(out, putMark(out, n, onStart, 1, 0), onEnd, -1, 0);
  if (acwOn) {
    if (Number.isNaN(acwEnd)) n = putMark(out, n, onEnd, 0, 1);
    else if (acwEnd > onEnd) n = putMark(out, putMark(out, n, onEnd, 0, 1), acwEnd, 0, -1);
  }
  return n;
}

function putMark(out: Float64Array, n: number, t: number, onContact: number, acw: number): number {
  out[3 * n] = t;
  out[3 * n + 1] = onContact;
  out[3 * n + 2] = acw;
  return n + 1;
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
  /** Open contacts by id, and released ones (the sequence number of their entry in `released`). */
  private readonly contacts = new Map<string, Contact | number>();
  /** The contacts' numbers, a row each. */
  private readonly contactTable = new ContactTable();
  private readonly queues = new Map<string, QueueState>();
  private readonly agents = new Map<string, AgentRecord>();
  /** The queue and agent looked up last: one event's contributions mostly go to the same ones. */
  private lastQueue: QueueState | null = null;
  private lastAgent: AgentRecord | null = null;
  /** Closed contacts waiting to be released, and when each was queued for it (parallel arrays). */
  private readonly releaseQueue: Contact[] = [];
  private readonly releaseAt: number[] = [];
  /** Released contacts kept for late ratings, by id and in release order. */
  private readonly released = new ReleasedContacts(this.contacts);
  private readonly ratingWindowMs: number;
  private releaseHead = 0;
  private lastFoldSec = 0;
  /** Queue intervals changed since the last collection (each flagged `changed`). */
  private readonly changedQueueIntervals: QueueInterval[] = [];
  private lastCollectAt: number;
  private readonly endedAgentRows = new PendingAgentRows();
  /** Bumped by every change of state, so views can tell when they must be rebuilt. */
  version = 0;

  constructor(opts: TenantEngineOptions) {
    this.tenant = opts.tenant;
    this.settings = opts.settings ?? DEFAULT_TENANT_SETTINGS;
    this.latenessMs = opts.latenessMs ?? 600_000;
    this.retentionMs = opts.contactRetentionMs ?? 2 * this.latenessMs;
    this.ratingWindowMs = opts.ratingWindowMs ?? 2 * 3_600_000;
    this.frame = new WindowFrame(this.settings.timezone, opts.now);
    this.lastFoldSec = Math.floor(opts.now / 1000);
    this.lastCollectAt = opts.now;
    for (const id of Object.keys(this.settings.queues)) this.queue(id);
  }

  get now(): number {
    return this.frame.now;
  }

  /** Each agent's current skills (history filters agents and counts occupancy as the live board does). */
  agentSkills(): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const a of this.agents.values()) out.set(a.id, a.skills);
    return out;
  }

  /** Replaces the settings: queue settings apply to contributions from now on; a new timezone restarts today. */
  setSettings(settings: TenantSettings): void {
    this.settings = settings;
    for (const q of this.queues.values()) q.settings = resolveQueueSettings(settings, q.id);
    for (const id of Object.keys(settings.queues)) this.queue(id);
    this.frame.setTimezone(settings.timezone);
    this.version++;
  }

  /**
   * Applies one event; false when it was a duplicate (or too old to place). The type is read
   * once, and each case reads the event's fields where its shape is known (see Contact's offers).
   */
  apply(e: HubEvent): boolean {
    let c: Contact | null;
    let changed: boolean;
    switch (e.type) {
      case 'agent.status':
        changed = this.applyStatus(e);
        break;
      case 'contact.queued':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerQueued(e) && this.settle(c);
        break;
      case 'contact.answered':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerLeave(e, 'contact.answered', e.agentId) && this.settle(c);
        break;
      case 'contact.abandoned':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerLeave(e, 'contact.abandoned', '') && this.settle(c);
        break;
      case 'contact.dequeued':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerLeave(e, 'contact.dequeued', '') && this.settle(c);
        break;
      case 'contact.ended':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerEnded(e) && this.settle(c);
        break;
      case 'contact.acw_ended':
        changed = (c = this.contactOf(e.contactId)) !== null && c.offerAcwEnded(e) && this.settle(c);
        break;
      case 'contact.rated':
        changed = (c = this.contactOf(e.contactId)) !== null ? c.offerRated(e) && this.settle(c) : this.rateReleased(e);
        break;
    }
    if (changed) this.version++;
    return changed;
  }

  /** Moves the engine's time forward (never back): windows slide, old state is released. */
  advance(now: number): void {
    const before = this.frame.generation;
    this.frame.advance(now);
    if (this.frame.generation === before) return;
    const sec = Math.floor(now / 1000);
    if (sec - this.lastFoldSec >= MAINTENANCE_SEC) {
      const agentsToo = Math.floor(sec / AGENT_MAINTENANCE_SEC) !== Math.floor(this.lastFoldSec / AGENT_MAINTENANCE_SEC);
      this.lastFoldSec = sec;
      this.release(now, agentsToo);
    }
  }

  snapshot(filter?: SnapshotFilter, opts?: SnapshotOptions): Snapshot {
    const now = this.frame.now;
    const sec = Math.floor(now / 1000);
    const reuse = opts?.reuseViews === true;
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
      if (!reuse || a.view === null || a.viewVersion !== a.version || a.viewSec !== sec) {
        a.view = this.agentView(a, now);
        a.viewVersion = a.version;
        a.viewSec = sec;
      }
      const view = a.view;
      for (let i = 0; i < WINDOW_NAMES.length; i++) {
        busy[WINDOW_NAMES[i]!] += a.viewBusy[i]!;
        avail[WINDOW_NAMES[i]!] += a.viewAvail[i]!;
      }
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

  // ---- checkpoints --------------------------------------------------------------------------

  /** The whole state, with its log position: loading it and replaying the log after it gives the same figures. */
  checkpoint(): TenantCheckpoint {
    const agents: AgentStateSaved[] = [];
    for (const a of this.agents.values()) {
      agents.push({
        id: a.id,
        fields: { contacts: a.contacts, name: a.name, team: a.team, skills: a.skills },
        keys: { name: keyOf(a.nameKey), team: keyOf(a.teamKey), skills: keyOf(a.skillsKey) },
        timeline: a.timeline.save(),
        series: a.series.save(),
        open: a.open.map((c) => c.id),
        writtenIntervals: a.writtenIntervals.toArray(),
      });
    }
    const contacts: [string, ContactState][] = [];
    for (const c of this.contacts.values()) if (typeof c !== 'number') contacts.push([c.id, { fields: c.save() }]);
    const queues: QueueStateSaved[] = [];
    for (const q of this.queues.values()) {
      const ivs = [...q.intervals.values()];
      queues.push({
        id: q.id,
        waiting: q.waiting.map((c) => c.id),
        offers: q.offers,
        skilled: q.skilled,
        series: q.series.save(),
        intervals: ivs.map((iv) => ({
          channel: iv.channel,
          start: iv.intervalStart,
          v: [...iv.v],
          answeredWithin: [...iv.answeredWithin],
          abandonedWithin: [...iv.abandonedWithin],
          waits: [...iv.waits],
        })),
        changed: ivs.flatMap((iv, i) => (iv.changed ? [i] : [])),
      });
    }
    return {
      version: CHECKPOINT_VERSION,
      tenant: this.tenant,
      position: this.position,
      now: this.frame.now,
      settings: this.settings,
      latenessMs: this.latenessMs,
      retentionMs: this.retentionMs,
      lastFoldSec: this.lastFoldSec,
      lastCollectAt: this.lastCollectAt,
      contacts,
      queues,
      agents,
      release: this.releaseQueue.slice(this.releaseHead).map((c, i) => [c.id, this.releaseAt[this.releaseHead + i]!]),
      released: this.released.save(),
      ratingWindowMs: this.ratingWindowMs,
      day: this.frame.saveDay(),
      endedAgentRows: this.endedAgentRows.rows(this.tenant, true),
    };
  }

  /** An engine in exactly the state a checkpoint recorded. */
  static fromCheckpoint(cp: TenantCheckpoint): TenantEngine {
    const e = new TenantEngine({
      tenant: cp.tenant,
      now: cp.now,
      settings: cp.settings,
      latenessMs: cp.latenessMs,
      contactRetentionMs: cp.retentionMs,
      ratingWindowMs: cp.ratingWindowMs,
    });
    e.frame.restoreDay(cp.day);
    for (const r of cp.released) e.released.add(r.id, r.queueId, r.channel, r.agentId, r.releasedAt, r.rating);
    e.position = cp.position;
    e.lastFoldSec = cp.lastFoldSec;
    e.lastCollectAt = cp.lastCollectAt;
    for (const row of cp.endedAgentRows ?? []) e.endedAgentRows.pushRow(row);
    for (const st of cp.agents) {
      const a = new AgentRecord(st.id, CounterSeries.restore(AGENT_WIDTH, e.frame, st.series, AGENT_SERIES_BUCKETS, false));
      a.timeline = AgentTimeline.restore(st.timeline);
      a.contacts = st.fields.contacts;
      a.name = st.fields.name;
      a.team = st.fields.team;
      a.skills = st.fields.skills;
      a.nameKey = fromKey(st.keys.name);
      a.teamKey = fromKey(st.keys.team);
      a.skillsKey = fromKey(st.keys.skills);
      for (const s of st.writtenIntervals) a.writtenIntervals.add(s);
      e.agents.set(a.id, a);
    }
    for (const [id, st] of cp.contacts) {
      e.contacts.set(id, Contact.restore(id, st.fields, e.contactTable));
    }
    for (const a of cp.agents) {
      const rec = e.agents.get(a.id)!;
      for (const cid of a.open) {
        const c = e.contacts.get(cid);
        if (c instanceof Contact) rec.open.push(c);
      }
    }
    for (const st of cp.queues) {
      const q = new QueueState(st.id, resolveQueueSettings(cp.settings, st.id), QueueSeries.restore(e.frame, st.series));
      q.offers = st.offers;
      q.skilled = st.skilled;
      for (const cid of st.waiting) {
        const c = e.contacts.get(cid);
        if (c instanceof Contact) addWaiting(q, c);
      }
      st.intervals.forEach((iv, i) => {
        const r = new QueueInterval(st.id, iv.channel, iv.start);
        r.v.splice(0, r.v.length, ...iv.v);
        r.answeredWithin.splice(0, r.answeredWithin.length, ...iv.answeredWithin);
        r.abandonedWithin.splice(0, r.abandonedWithin.length, ...iv.abandonedWithin);
        r.waits.push(...iv.waits);
        q.intervals.set(queueIntervalKey(iv.start, iv.channel), r);
        if (st.changed.includes(i)) {
          r.changed = true;
          e.changedQueueIntervals.push(r);
        }
      });
      e.queues.set(st.id, q);
    }
    for (const [cid, at] of cp.release) {
      const c = e.contacts.get(cid);
      if (c instanceof Contact) e.queueRelease(c, at);
    }
    // The constructor looked up the configured queues before they were replaced by the saved ones.
    e.lastQueue = null;
    return e;
  }

  // ---- events -------------------------------------------------------------------------------

  private applyStatus(e: Extract<HubEvent, { type: 'agent.status' }>): boolean {
    const a = this.agent(e.agentId);
    if (!a.timeline.addStatus(e.ts, e.id, e.status, e.reason ?? null)) {
      this.forgetIfVacant(a);
      return false;
    }
    if (e.queues !== undefined && isLater(e, a.skillsKey)) {
      for (const q of a.skills) this.queue(q).skilled--;
      a.skills = e.queues;
      a.skillsKey = { ts: e.ts, id: e.id };
      for (const q of a.skills) this.queue(q).skilled++;
    }
    if (e.name !== undefined && isLater(e, a.nameKey)) {
      a.name = e.name;
      a.nameKey = { ts: e.ts, id: e.id };
    }
    if (e.team !== undefined && isLater(e, a.teamKey)) {
      a.team = e.team;
      a.teamKey = { ts: e.ts, id: e.id };
    }
    return true;
  }

  /**
   * The contact an event is about, new on its first event; null when it was released, when only
   * a rating can still change anything (see `rateReleased`).
   */
  private contactOf(id: string): Contact | null {
    let c = this.contacts.get(id);
    if (typeof c === 'number') return null;
    if (c === undefined) {
      c = this.contactTable.add(id);
      this.contacts.set(c.id, c);
    }
    return c;
  }

  /** A rating of a released contact counts where the contact was, if it comes first. */
  private rateReleased(e: EventOf<'contact.rated'>): boolean {
    const seq = this.contacts.get(e.contactId) as number;
    return this.released.rate(this.released.entryOf(seq), e, this.applyRating);
  }

  /** Brings a contact's contributions in line with what its events now settle (true: for `apply`). */
  private settle(c: Contact): true {
    const T = c.nums;
    const r = c.row;
    const leaveTs = T[r + C.leaveTs]!;
    const endedTs = T[r + C.endedTs]!;
    const acwEndedTs = T[r + C.acwEndedTs]!;
    const hasLeave = !Number.isNaN(leaveTs);
    const answered = hasLeave && c.leaveType === 'contact.answered';
    const ended = answered && !Number.isNaN(endedTs);
    const acwEnded = ended && c.endedAcw && !Number.isNaN(acwEndedTs);
    const rated = !Number.isNaN(T[r + C.ratedTs]!);
    const queueId = Number.isNaN(T[r + C.queuedTs]!) ? null : c.queuedQueue;
    const queuedAt = queueId === null ? 0 : T[r + C.queuedTs]!;
    const channel = c.queuedChannel;

    // offered and waiting
    if (c.queueId !== queueId || T[r + C.queuedAt] !== queuedAt || (queueId !== null && c.channel !== channel)) {
      if (c.queueId !== null) {
        const q = this.queue(c.queueId);
        const at = T[r + C.queuedAt]!;
        q.series.at(at).inc(Q.offered, -1);
        this.queueInterval(q, c.channel, at).inc(Q.offered, -1);
        q.offers--;
      }
      // The queue's own name, not the event's copy: released entries keep it, shared.
      let queue: string | null = null;
      if (queueId !== null) {
        const q = this.queue(queueId);
        q.series.at(queuedAt).inc(Q.offered, 1);
        this.queueInterval(q, channel, queuedAt).inc(Q.offered, 1);
        q.offers++;
        queue = q.id;
      }
      c.queueId = queue;
      T[r + C.queuedAt] = queuedAt;
      c.channel = channel;
    }
    const waitingIn = queueId !== null && !hasLeave ? queueId : null;
    if (c.waitingIn !== waitingIn) {
      if (c.waitingIn !== null) removeWaiting(this.queue(c.waitingIn), c);
      if (waitingIn !== null) addWaiting(this.queue(waitingIn), c);
      c.waitingIn = waitingIn;
    }

    // leaving the queue
    const leaveKind = queueId !== null && hasLeave ? c.leaveType : null;
    const leaveAt = hasLeave ? leaveTs : 0;
    const wait = hasLeave ? Math.max(0, leaveTs - queuedAt) : 0;
    if (
      c.leaveKind !== leaveKind ||
      (leaveKind !== null && (c.leaveQueue !== queueId || c.leaveChannel !== channel || T[r + C.leaveAt] !== leaveAt || T[r + C.leaveWait] !== wait))
    ) {
      if (c.leaveKind !== null) this.addLeave(c, T[r + C.leaveAt]!, T[r + C.leaveWait]!, -1);
      c.leaveKind = leaveKind;
      if (leaveKind !== null) {
        const s = this.queue(queueId!).settings;
        c.leaveQueue = queueId!;
        c.leaveChannel = channel;
        T[r + C.leaveAt] = leaveAt;
        T[r + C.leaveWait] = wait;
        c.leaveInSl = wait <= s.slThresholdSec * 1000;
        c.leaveShort = wait < s.shortAbandonSec * 1000;
        this.addLeave(c, leaveAt, wait, 1);
      }
    }

    // handled
    const handledAgent = ended && (!c.endedAcw || acwEnded) ? c.leaveAgent : null;
    const handledAt = acwEnded ? acwEndedTs : ended ? endedTs : 0;
    const hold = ended ? T[r + C.endedHold]! : 0;
    const talk = ended ? Math.max(0, endedTs - leaveTs - hold) : 0;
    const acw = acwEnded ? Math.max(0, acwEndedTs - endedTs) : 0;
    if (
      c.handledAgent !== handledAgent ||
      (handledAgent !== null &&
        (c.handledQueue !== queueId ||
          c.handledChannel !== channel ||
          T[r + C.handledAt] !== handledAt ||
          T[r + C.talk] !== talk ||
          T[r + C.hold] !== hold ||
          T[r + C.acw] !== acw))
    ) {
      if (c.handledAgent !== null) this.addHandled(c.handledQueue, c.handledChannel, c.handledAgent, T, r, -1);
      c.handledAgent = handledAgent;
      if (handledAgent !== null) {
        c.handledQueue = queueId;
        c.handledChannel = channel;
        T[r + C.handledAt] = handledAt;
        T[r + C.talk] = talk;
        T[r + C.hold] = hold;
        T[r + C.acw] = acw;
        this.addHandled(queueId, channel, handledAgent, T, r, 1);
      }
    }

    // rating
    const ratedAt = rated ? T[r + C.ratedTs]! : NaN;
    const ratedAgent = answered ? c.leaveAgent : null;
    const csat = rated ? T[r + C.ratedCsat]! : 0;
    if (
      !Object.is(T[r + C.ratedAt], ratedAt) ||
      (rated && (c.ratedQueue !== queueId || c.ratedChannel !== channel || c.ratedAgent !== ratedAgent || T[r + C.csat] !== csat))
    ) {
      if (!Number.isNaN(T[r + C.ratedAt]!)) this.addRating(c.ratedQueue, c.ratedChannel, c.ratedAgent, T, r + C.ratedAt, -1);
      T[r + C.ratedAt] = ratedAt;
      if (rated) {
        c.ratedQueue = queueId;
        c.ratedChannel = channel;
        c.ratedAgent = ratedAgent;
        T[r + C.csat] = csat;
        this.addRating(queueId, channel, ratedAgent, T, r + C.ratedAt, 1);
      }
    }

    this.settleActivity(c, T, r, answered, ended, acwEnded);

    if (c.isClosed() && !c.releaseQueued) {
      this.queueRelease(c, this.frame.now);
    }
    return true;
  }

  /** Places the contact's on-contact and acw intervals on its agent's timeline. */
  private settleActivity(c: Contact, T: Float64Array, r: number, answered: boolean, ended: boolean, acwEnded: boolean): void {
    const leaveTs = T[r + C.leaveTs]!;
    const agentId = answered ? c.leaveAgent : null;
    const onStart = answered ? leaveTs : NaN;
    const onEnd = ended ? Math.max(T[r + C.endedTs]!, leaveTs) : NaN;
    const acwOn = ended && c.endedAcw;
    const acwEnd = acwEnded ? Math.max(T[r + C.acwEndedTs]!, onEnd) : NaN;
    const hadStart = T[r + C.onStart]!;
    const hadEnd = T[r + C.onEnd]!;
    const hadAcwEnd = T[r + C.acwEnd]!;
    const same =
      c.activityAgent === agentId && Object.is(hadStart, onStart) && Object.is(hadEnd, onEnd) && c.acwOn === acwOn && Object.is(hadAcwEnd, acwEnd);
    if (!same) {
      const had = c.activityAgent === null ? 0 : activityMarks(T, r, c.acwOn, PLACED);
      T[r + C.onStart] = onStart;
      T[r + C.onEnd] = onEnd;
      T[r + C.acwEnd] = acwEnd;
      const want = agentId === null ? 0 : activityMarks(T, r, acwOn, WANTED);
      // Same agent: keep the marks that stay, so the timeline rebuilds only from the first change.
      const sameAgent = c.activityAgent === agentId;
      let k = 0;
      if (sameAgent) while (k < had && k < want && sameMark(PLACED, WANTED, k)) k++;
      if (c.activityAgent !== null) {
        const a = this.agent(c.activityAgent);
        a.timeline.removeMarks(PLACED, k, had);
        if (!sameAgent) {
          a.contacts--;
          this.forgetIfVacant(a);
        }
      }
      // The agent's own name, not the event's copy: released entries keep it, shared.
      let agent: string | null = null;
      if (agentId !== null) {
        const a = this.agent(agentId);
        a.timeline.addMarks(WANTED, k, want);
        if (!sameAgent) a.contacts++;
        agent = a.id;
      }
      c.activityAgent = agent;
      c.acwOn = acwOn;
    }

    const openWith = agentId !== null && (Number.isNaN(onEnd) || (acwOn && Number.isNaN(acwEnd))) ? agentId : null;
    if (c.openWith !== openWith || (openWith !== null && T[r + C.openSince] !== onStart)) {
      const was = c.openWith === null ? undefined : this.agents.get(c.openWith);
      if (was) {
        // Swap in the last one: open lists are in no order, and splice would allocate its result.
        const open = was.open;
        const last = open.pop()!;
        if (last !== c) open[open.indexOf(c)] = last;
        was.version++;
      }
      if (openWith !== null) this.agent(openWith).open.push(c);
      c.openWith = openWith;
      T[r + C.openSince] = onStart;
    }
  }

  private addLeave(c: Contact, t: number, wait: number, sign: 1 | -1): void {
    const q = this.queue(c.leaveQueue);
    const iv = this.queueInterval(q, c.leaveChannel, t);
    leaveCounters(q.series.at(t), c, wait, sign);
    leaveCounters(iv, c, wait, sign);
    q.series.addWait(t, wait, sign);
    iv.addWait(wait, sign);
    if (c.leaveKind === 'contact.answered') iv.answeredWait(wait, sign);
    else if (c.leaveKind === 'contact.abandoned') iv.abandonedWait(wait, sign);
  }

  /** Adds or retracts a contact's handled contribution, as its row `r` of `T` holds it (see `activityMarks` on why the row). */
  private addHandled(queueId: string | null, channel: Channel, agentId: string, T: Float64Array, r: number, sign: 1 | -1): void {
    const t = T[r + C.handledAt]!;
    const talk = T[r + C.talk]!;
    const hold = T[r + C.hold]!;
    const acw = T[r + C.acw]!;
    if (queueId !== null) {
      const q = this.queue(queueId);
      handledCounters(q.series.at(t), Q, talk, hold, acw, sign);
      handledCounters(this.queueInterval(q, channel, t), Q, talk, hold, acw, sign);
    }
    handledCounters(this.agent(agentId).series.at(t), A, talk, hold, acw, sign);
  }

  /** A late rating for a released contact is counted where the contact was (first rating wins). */
  private readonly applyRating = (h: RatingHolder, sign: 1 | -1): void => {
    RATING[0] = h.ratedAt;
    RATING[1] = h.csat;
    this.addRating(h.ratedQueue, h.ratedChannel, h.ratedAgent, RATING, 0, sign);
  };

  /** Adds or retracts a rating whose time and csat are `nums[at]` and `nums[at + 1]` (see `activityMarks` on why numbers in an array). */
  private addRating(queueId: string | null, channel: Channel, agentId: string | null, nums: Float64Array, at: number, sign: 1 | -1): void {
    const t = nums[at]!;
    const csat = nums[at + 1]!;
    if (queueId !== null) {
      const q = this.queue(queueId);
      ratingCounters(q.series.at(t), Q, csat, sign);
      ratingCounters(this.queueInterval(q, channel, t), Q, csat, sign);
    }
    if (agentId !== null) ratingCounters(this.agent(agentId).series.at(t), A, csat, sign);
  }

  // ---- rollups ------------------------------------------------------------------------------

  private queueInterval(q: QueueState, channel: Channel, t: number): QueueInterval {
    const start = intervalOf(t);
    let iv = q.lastInterval;
    if (iv === null || iv.intervalStart !== start || iv.channel !== channel) {
      const key = queueIntervalKey(start, channel);
      iv = q.intervals.get(key) ?? null;
      if (iv === null) {
        iv = new QueueInterval(q.id, channel, start);
        q.intervals.set(key, iv);
      }
      q.lastInterval = iv;
    }
    if (!iv.changed) {
      iv.changed = true;
      this.changedQueueIntervals.push(iv);
    }
    return iv;
  }

  /**
   * Every interval row changed since the previous call, with absolute values: queue rows whose
   * counters moved, and agent rows whose counters or time in state moved (time passing moves the
   * current interval; a late event moves past ones). Agents' rows of ended intervals are made
   * when the agents are folded (every 15 minutes of engine time, in the same visit: their state
   * is in cache once, not twice) and wait for this call. `closedOnly`: only ended intervals, and
   * for agents only the rows made at their last fold, so no visit to every agent; the current
   * interval is left for a later call (a replay hands each interval over once, when it has ended,
   * rather than once unfinished and again finished).
   */
  collectRollups(opts: CollectOptions = {}): RollupBatch {
    const now = this.frame.now;
    // Rows of intervals starting before this one are handed over.
    const before = opts.closedOnly === true ? intervalOf(now) : Infinity;
    const queues: QueueIntervalRow[] = [];
    const pending = this.changedQueueIntervals;
    let kept = 0;
    for (const iv of pending) {
      if (iv.intervalStart >= before) pending[kept++] = iv;
      else {
        queues.push(iv.row(this.tenant));
        iv.changed = false;
      }
    }
    pending.length = kept;
    // Ended intervals' rows were made as the agents were last folded; the rest are made now.
    if (before === Infinity) {
      for (const a of this.agents.values()) this.agentRows(a, now, before, this.endedAgentRows);
      this.lastCollectAt = now;
    }
    return { queues, agents: this.endedAgentRows.take(this.tenant) };
  }

  /**
   * Appends an agent's rows changed since the last collection, of intervals starting before
   * `before`. Time in state moved from the earliest changed mark, or since the last collection
   * (so from the start of an interval it left out); the counters from the earliest second
   * contributed to.
   */
  private agentRows(a: AgentRecord, now: number, before: number, out: PendingAgentRows): void {
    const floor = now - this.latenessMs - INTERVAL_MS;
    // An agent's counters per interval are summed from its series, whose buckets reach back to
    // the 60m window's start: whole intervals from there on can be recounted.
    const recountable = Math.ceil((this.frame.start60 * 1000) / INTERVAL_MS) * INTERVAL_MS;
    const timeFrom = Math.max(Math.min(a.timeline.takeChangedFrom(), this.lastCollectAt), floor);
    const from = intervalOf(Math.min(timeFrom, Math.max(a.series.takeChangedFrom(), recountable)));
    for (let start = from; start <= now && start < before; start += INTERVAL_MS) this.agentRow(a, start, now, out);
  }

  /** Appends an agent's row for one interval, unless it would hold only offline time and none was written before. */
  private agentRow(a: AgentRecord, start: number, now: number, out: PendingAgentRows): void {
    const time = a.timeline.timeByState(start, Math.min(start + INTERVAL_MS, now), ROW_TIME);
    const counted = a.series.sumRange(start / 1000, (start + INTERVAL_MS) / 1000, AGENT_COUNTS);
    const active = time.availableMs + time.onContactMs + time.acwTimeMs > 0 || time.auxMs !== NO_AUX;
    if (!counted && !active && !a.writtenIntervals.has(start)) return;
    a.writtenIntervals.add(start);
    out.push(a.id, start, counted ? AGENT_COUNTS : null, time);
  }

  // ---- entities -----------------------------------------------------------------------------

  private queue(id: string): QueueState {
    let q = this.lastQueue;
    if (q === null || q.id !== id) {
      q = this.queues.get(id) ?? null;
      if (q === null) {
        q = new QueueState(id, resolveQueueSettings(this.settings, id), new QueueSeries(this.frame));
        this.queues.set(id, q);
      }
      this.lastQueue = q;
    }
    return q;
  }

  /** The agent record, for a change: every mutation path comes through here and bumps its version. */
  private agent(id: string): AgentRecord {
    let a = this.lastAgent;
    if (a === null || a.id !== id) {
      a = this.agents.get(id) ?? null;
      if (a === null) {
        a = new AgentRecord(id, new CounterSeries(AGENT_WIDTH, this.frame, AGENT_SERIES_BUCKETS, false));
        this.agents.set(id, a);
      }
      this.lastAgent = a;
    }
    a.version++;
    return a;
  }

  /** An agent known only through a contact that turned out not to be its own is forgotten. */
  private forgetIfVacant(a: AgentRecord): void {
    if (a.contacts === 0 && !a.timeline.hasStatus()) {
      this.agents.delete(a.id);
      if (this.lastAgent === a) this.lastAgent = null;
    }
  }

  private queueRelease(c: Contact, at: number): void {
    c.releaseQueued = true;
    this.releaseQueue.push(c);
    this.releaseAt.push(at);
  }

  /**
   * Keeps what a late rating of the contact needs: its queue, and its answering agent (who it is
   * active with). Both are the engine's own names (see `settle`), shared, not one copy per contact.
   */
  private releaseContact(c: Contact, now: number): void {
    this.released.add(c.id, c.queueId, c.channel, c.activityAgent, now, { at: this.num(c, C.ratedAt), id: c.ratedId, csat: this.num(c, C.csat) });
  }

  /** Releases finished contacts and old agent history that can no longer change a figure. */
  private release(now: number, agentsToo: boolean): void {
    const q = this.releaseQueue;
    const horizon = now - this.retentionMs;
    while (this.releaseHead < q.length && this.releaseAt[this.releaseHead]! <= horizon) {
      const contact = q[this.releaseHead++]!;
      contact.releaseQueued = false;
      if (!contact.isClosed()) continue;
      if (this.num(contact, C.lastTs) > horizon) {
        this.queueRelease(contact, now);
        continue;
      }
      // Replaces the contact in `contacts` with its released entry.
      this.releaseContact(contact, now);
      this.contactTable.remove(contact);
    }
    if (this.releaseHead >= 64 && this.releaseHead * 2 > q.length) {
      q.splice(0, this.releaseHead);
      this.releaseAt.splice(0, this.releaseHead);
      this.releaseHead = 0;
    }
    this.released.forgetUntil(now - this.ratingWindowMs);
    const cutoff = now - WINDOW_60M_SEC * 1000 - this.latenessMs;
    // Intervals that ended before the lateness bound cannot change again once handed over.
    const settled = now - this.latenessMs - INTERVAL_MS;
    for (const q of this.queues.values()) {
      for (const iv of q.intervals.values()) {
        if (iv.intervalStart < settled && !iv.changed) q.intervals.delete(queueIntervalKey(iv.intervalStart, iv.channel));
      }
      q.lastInterval = null;
    }
    if (!agentsToo) return;
    // One pass over the agents: each agent's state is out of cache by the time a second pass came.
    // The ended intervals' rows are made in the same visit, unless the last ones still wait to
    // be collected (then the next collection, or fold, makes them from the last collection on).
    const ended = this.endedAgentRows.length === 0 ? intervalOf(now) : -Infinity;
    for (const a of this.agents.values()) {
      if (ended !== -Infinity) this.agentRows(a, now, ended, this.endedAgentRows);
      a.timeline.fold(cutoff, this.frame.todayStartMs);
      a.writtenIntervals.dropBelow(settled);
    }
    if (ended !== -Infinity) this.lastCollectAt = now;
  }

  // ---- views --------------------------------------------------------------------------------

  /** Queues with a reason to be shown: configured, offered a contact, or in a current skill set. */
  private visibleQueues(filter?: SnapshotFilter): QueueState[] {
    const listed = (q: QueueState | undefined): q is QueueState =>
      q !== undefined && (q.offers > 0 || q.skilled > 0 || this.settings.queues[q.id] !== undefined);
    const candidates = filter?.queues ? [...new Set(filter.queues)].map((id) => this.queues.get(id)) : [...this.queues.values()];
    return candidates.filter(listed).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Builds an agent's view as of now, keeping its busy/available time for the totals. */
  private agentView(a: AgentRecord, now: number): AgentView {
    const tl = a.timeline;
    const status = tl.status();
    const since = tl.since();
    let on: Contact | null = null;
    let onSince = 0;
    for (const c of a.open) {
      const since = this.num(c, C.openSince);
      if (!on || since > onSince || (since === onSince && c.id > on.id)) {
        on = c;
        onSince = since;
      }
    }
    const f = this.frame;
    tl.timeInState([f.start15 * 1000, f.start60 * 1000, f.todayStartMs], now, f.todayStartMs, a.viewBusy, a.viewAvail);
    const windows: AgentView['windows'] = {
      '15m': agentWindow(a.series.window('15m'), a.viewBusy[0]!, a.viewAvail[0]!),
      '60m': agentWindow(a.series.window('60m'), a.viewBusy[1]!, a.viewAvail[1]!),
      today: agentWindow(a.series.window('today'), a.viewBusy[2]!, a.viewAvail[2]!),
    };
    return {
      name: a.name,
      team: a.team,
      state: tl.state(),
      status,
      reason: status === 'aux' ? tl.reason() : null,
      since: since === null ? null : ISO(since),
      contactId: on ? on.id : null,
      queueId: on ? on.queueId : null,
      // Skills arrays are replaced, never changed in place, so views may share them.
      queues: a.skills,
      windows,
    };
  }

  /** A number of a contact's row (views and maintenance; the per-event path reads the row itself). */
  private num(c: Contact, field: number): number {
    return c.nums[c.row + field]!;
  }

  private oldestOf(contacts: readonly Contact[], start: Contact | null): Contact | null {
    let best = start;
    let bestAt = best === null ? 0 : this.num(best, C.queuedAt);
    for (const c of contacts) {
      const at = this.num(c, C.queuedAt);
      if (!best || at < bestAt || (at === bestAt && c.id < best.id)) {
        best = c;
        bestAt = at;
      }
    }
    return best;
  }

  private queueView(q: QueueState, agents: AgentCounts, now: number): QueueView {
    const oldest = this.oldestOf(q.waiting, null);
    const windows = {} as QueueView['windows'];
    for (const w of WINDOW_NAMES) windows[w] = queueWindow(q.series.window(w), q.series.maxWait(w), q.settings.slFormula);
    return {
      waiting: q.waiting.length,
      oldestWaitSec: oldest ? Math.max(0, now - this.num(oldest, C.queuedAt)) / 1000 : null,
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
      waiting += q.waiting.length;
      oldest = this.oldestOf(q.waiting, oldest);
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
      oldestWaitSec: oldest ? Math.max(0, now - this.num(oldest, C.queuedAt)) / 1000 : null,
      oldestContactId: oldest ? oldest.id : null,
      agents,
      windows,
    };
  }
}

/**
 * Waiting lists are arrays, not Maps: a Map reallocates its table as it shrinks and grows, which
 * a queue's list does with nearly every contact. Each contact keeps its index for removal.
 */
function addWaiting(q: QueueState, c: Contact): void {
  c.waitingSlot = q.waiting.length;
  q.waiting.push(c);
}

function removeWaiting(q: QueueState, c: Contact): void {
  const last = q.waiting.pop()!;
  if (last !== c) {
    q.waiting[c.waitingSlot] = last;
    last.waitingSlot = c.waitingSlot;
  }
  c.waitingSlot = -1;
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

/** Something counters can be added to: a window series pointed at a time, or a rollup interval. */
interface CounterTarget {
  inc(field: number, delta: number): unknown;
}

function leaveCounters(t: CounterTarget, c: Contact, wait: number, sign: 1 | -1): void {
  switch (c.leaveKind) {
    case 'contact.answered':
      t.inc(Q.answered, sign);
      t.inc(Q.waitAnsweredMs, sign * wait);
      if (c.leaveInSl) t.inc(Q.answeredInSl, sign);
      break;
    case 'contact.abandoned':
      t.inc(Q.abandoned, sign);
      t.inc(Q.waitAbandonedMs, sign * wait);
      if (c.leaveShort) t.inc(Q.shortAbandoned, sign);
      break;
    case 'contact.dequeued':
      t.inc(Q.flowedOut, sign);
      break;
  }
}

/** Field numbers of the counters queues and agents both have (Q or A). */
type SharedLayout = Record<'handled' | 'talkMs' | 'holdMs' | 'acwMs' | 'csatSum' | 'csatCount' | 'csatPositive', number>;

function handledCounters(t: CounterTarget, f: SharedLayout, talk: number, hold: number, acw: number, sign: 1 | -1): void {
  t.inc(f.handled, sign);
  t.inc(f.talkMs, sign * talk);
  t.inc(f.holdMs, sign * hold);
  t.inc(f.acwMs, sign * acw);
}

function ratingCounters(t: CounterTarget, f: SharedLayout, csat: number, sign: 1 | -1): void {
  t.inc(f.csatSum, sign * csat);
  t.inc(f.csatCount, sign);
  if (csat >= 4) t.inc(f.csatPositive, sign);
}
