import type { AgentState, AgentStatus } from '../protocol/index.js';
import type { TimeByState } from './rollups.js';

/** One agent.status event placed in time. */
export interface StatusMark {
  ts: number;
  id: string;
  status: AgentStatus;
  reason: string | null;
}

/** A change of the agent's activity counts at time t (from the contacts it answered). */
export interface ActivityMark {
  t: number;
  onContact: number;
  acw: number;
}

/** A stretch of time in one state, from `start` to the next segment's start. */
export interface Segment {
  start: number;
  state: AgentState;
  status: AgentStatus;
  reason: string | null;
  onContact: number;
  acw: number;
  /** Start of the run of segments with this displayed state (the agent's `since`). */
  runStart: number;
  /** Busy (on contact + acw) and available time accumulated before `start`. */
  busyBefore: number;
  availBefore: number;
}

function displayed(onContact: number, acw: number, status: AgentStatus): AgentState {
  if (onContact > 0) return 'on_contact';
  if (acw > 0) return 'acw';
  return status;
}

function isBusy(s: AgentState): boolean {
  return s === 'on_contact' || s === 'acw';
}

function byTimeThenId(a: StatusMark, ts: number, id: string): number {
  return a.ts !== ts ? a.ts - ts : a.id < id ? -1 : a.id > id ? 1 : 0;
}

export interface AgentTimelineState {
  statuses: StatusMark[];
  activity: [number, number, number][];
  segments: Segment[];
  foldedBefore: number;
  dayBase: { at: number; busy: number; avail: number } | null;
  staleFrom: number;
  changedFrom: number;
}

/**
 * An agent's state over time: agent.status marks and contact activity marks, kept sorted by time
 * whatever order they arrive in, folded into segments that carry cumulative time in state. A mark
 * that arrives late rebuilds the segments from its time on (usually the last one or two), so
 * occupancy over any window is F(now) - F(start) with F read off the segments.
 */
export class AgentTimeline {
  private statuses: StatusMark[] = [];
  private activity: ActivityMark[] = [];
  private segments: Segment[] = [];
  /** Marks before this time were folded away; nothing earlier can be placed any more. */
  private foldedBefore = -Infinity;
  /** F(day start) kept when the segments around a day start are folded away. */
  private dayBase: { at: number; busy: number; avail: number } | null = null;
  /** Segments from this time on are out of date; rebuilt on the next read, so bursts cost one rebuild. */
  private staleFrom = Infinity;
  /** Earliest time changed since the last `takeChangedFrom` (rollups recompute time in state from there). */
  private changedFrom = Infinity;

  /** The timeline's state, for a checkpoint; activity marks are saved in order (see `activityIndex`). */
  save(): AgentTimelineState {
    return {
      statuses: this.statuses.map((m) => ({ ...m })),
      activity: this.activity.map((m) => [m.t, m.onContact, m.acw]),
      segments: this.segments.map((g) => ({ ...g })),
      foldedBefore: this.foldedBefore,
      dayBase: this.dayBase ? { ...this.dayBase } : null,
      staleFrom: this.staleFrom,
      changedFrom: this.changedFrom,
    };
  }

  /** Position of an activity mark in the saved order (contacts refer to their marks by it). */
  activityIndex(m: ActivityMark): number {
    return this.activity.indexOf(m);
  }

  /** The activity mark at a saved position. */
  activityAt(i: number): ActivityMark | undefined {
    return this.activity[i];
  }

  static restore(st: AgentTimelineState): AgentTimeline {
    const t = new AgentTimeline();
    t.statuses = st.statuses.map((m) => ({ ...m }));
    t.activity = st.activity.map(([at, onContact, acw]) => ({ t: at, onContact, acw }));
    t.segments = st.segments.map((g) => ({ ...g }));
    t.foldedBefore = st.foldedBefore;
    t.dayBase = st.dayBase ? { ...st.dayBase } : null;
    t.staleFrom = st.staleFrom;
    t.changedFrom = st.changedFrom;
    return t;
  }

  /** Places a status event; false when it is a duplicate or older than what is retained. */
  addStatus(ts: number, id: string, status: AgentStatus, reason: string | null): boolean {
    if (ts < this.foldedBefore) return false;
    const ss = this.statuses;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byTimeThenId(ss[mid]!, ts, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ss.length && byTimeThenId(ss[lo]!, ts, id) === 0) return false;
    ss.splice(lo, 0, { ts, id, status, reason });
    this.invalidate(ts);
    return true;
  }

  /** Places activity marks (from one contact). */
  addActivity(marks: readonly ActivityMark[]): void {
    for (const m of marks) {
      if (m.t < this.foldedBefore) continue;
      const as = this.activity;
      let i = as.length;
      while (i > 0 && as[i - 1]!.t > m.t) i--;
      as.splice(i, 0, m);
      this.invalidate(m.t);
    }
  }

  /** Removes activity marks previously added (same objects). */
  removeActivity(marks: readonly ActivityMark[]): void {
    for (const m of marks) {
      const i = this.activity.lastIndexOf(m);
      if (i < 0) continue;
      this.activity.splice(i, 1);
      this.invalidate(m.t);
    }
  }

  private invalidate(t: number): void {
    if (t < this.staleFrom) this.staleFrom = t;
    if (t < this.changedFrom) this.changedFrom = t;
  }

  /** The earliest time changed since the previous call (Infinity when nothing changed). */
  takeChangedFrom(): number {
    const t = this.changedFrom;
    this.changedFrom = Infinity;
    return t;
  }

  /** Time in each displayed state over [from, to), aux by reason; time before the first mark is not counted. */
  timeByState(from: number, to: number): TimeByState {
    this.refresh();
    const out: TimeByState = { availableMs: 0, onContactMs: 0, acwTimeMs: 0, offlineMs: 0, auxMs: {} };
    const segs = this.segments;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const end = i + 1 < segs.length ? segs[i + 1]!.start : Infinity;
      const a = Math.max(seg.start, from);
      const b = Math.min(end, to);
      if (b <= a) {
        if (seg.start >= to) break;
        continue;
      }
      const ms = b - a;
      switch (seg.state) {
        case 'available':
          out.availableMs += ms;
          break;
        case 'on_contact':
          out.onContactMs += ms;
          break;
        case 'acw':
          out.acwTimeMs += ms;
          break;
        case 'offline':
          out.offlineMs += ms;
          break;
        case 'aux': {
          const r = seg.reason ?? 'unspecified';
          out.auxMs[r] = (out.auxMs[r] ?? 0) + ms;
          break;
        }
      }
    }
    return out;
  }

  /** Brings the segments up to date with the marks. */
  private refresh(): void {
    if (this.staleFrom === Infinity) return;
    const from = this.staleFrom;
    this.staleFrom = Infinity;
    this.rebuildFrom(from);
  }

  /** Whether the agent has any status event. */
  hasStatus(): boolean {
    return this.statuses.length > 0;
  }

  /** Status of the latest status event (by time, then id); offline when none. */
  status(): AgentStatus {
    const s = this.statuses[this.statuses.length - 1];
    return s ? s.status : 'offline';
  }

  /** Reason of the latest status event, if any. */
  reason(): string | null {
    const s = this.statuses[this.statuses.length - 1];
    return s ? s.reason : null;
  }

  /** Displayed state after all marks. */
  state(): AgentState {
    this.refresh();
    const last = this.segments[this.segments.length - 1];
    return last ? last.state : 'offline';
  }

  /** When the current displayed state began (null when the agent has no marks). */
  since(): number | null {
    this.refresh();
    const last = this.segments[this.segments.length - 1];
    return last ? last.runStart : null;
  }

  isEmpty(): boolean {
    return this.statuses.length === 0 && this.activity.length === 0;
  }

  /**
   * Busy and available time from each start to `to`, written into `busy` and `avail` (one slot
   * per start); F(to) is read once for all windows.
   */
  timeInState(starts: readonly number[], to: number, dayStart: number, busy: number[], avail: number[]): void {
    this.refresh();
    const busyTo = this.cumulative(to, true, dayStart);
    const availTo = this.cumulative(to, false, dayStart);
    for (let i = 0; i < starts.length; i++) {
      const from = starts[i]!;
      busy[i] = from >= to ? 0 : busyTo - this.cumulative(from, true, dayStart);
      avail[i] = from >= to ? 0 : availTo - this.cumulative(from, false, dayStart);
    }
  }

  /**
   * Forgets marks and segments that ended before `cutoff` (no figure can change there any more:
   * it lies before the longest window and the lateness bound). Keeps F(dayStart) when folded.
   */
  fold(cutoff: number, dayStart: number): void {
    this.refresh();
    const segs = this.segments;
    let k = 0;
    while (k + 1 < segs.length && segs[k + 1]!.start <= cutoff) k++;
    if (k > 0) {
      if (dayStart < segs[k]!.start && (this.dayBase === null || this.dayBase.at !== dayStart)) {
        this.dayBase = { at: dayStart, busy: this.cumulative(dayStart, true, dayStart), avail: this.cumulative(dayStart, false, dayStart) };
      }
      segs.splice(0, k);
    }
    const keepFrom = segs[0] ? Math.min(segs[0].start, cutoff) : cutoff;
    let s = 0;
    // Keep the last status mark: it is the agent's current status.
    while (s + 1 < this.statuses.length && this.statuses[s]!.ts < keepFrom) s++;
    if (s > 0) this.statuses.splice(0, s);
    let a = 0;
    while (a < this.activity.length && this.activity[a]!.t < keepFrom) a++;
    if (a > 0) this.activity.splice(0, a);
    if (keepFrom > this.foldedBefore) this.foldedBefore = keepFrom;
  }

  /** F(x): busy (or available) time accumulated up to x. */
  private cumulative(x: number, busy: boolean, dayStart: number): number {
    const segs = this.segments;
    if (segs.length === 0 || x < segs[0]!.start) {
      if (this.dayBase && this.dayBase.at === x && x === dayStart) return busy ? this.dayBase.busy : this.dayBase.avail;
      return segs.length === 0 ? 0 : busy ? segs[0]!.busyBefore : segs[0]!.availBefore;
    }
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.start <= x) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo]!;
    if (busy) return seg.busyBefore + (isBusy(seg.state) ? x - seg.start : 0);
    return seg.availBefore + (seg.state === 'available' ? x - seg.start : 0);
  }

  /** Recomputes the segments from time t0 on, from the state just before t0 and the marks at or after it. */
  private rebuildFrom(t0: number): void {
    const segs = this.segments;
    let k = segs.length;
    while (k > 0 && segs[k - 1]!.start >= t0) k--;
    const base = k > 0 ? segs[k - 1]! : null;
    segs.length = k;
    if (this.dayBase && t0 <= this.dayBase.at) this.dayBase = null;

    let status: AgentStatus = base ? base.status : 'offline';
    let reason: string | null = base ? base.reason : null;
    let onContact = base ? base.onContact : 0;
    let acw = base ? base.acw : 0;
    let prev: Segment | null = base;

    const ss = this.statuses;
    const as = this.activity;
    // Changes land near the end: find the first mark at or after t0 from there.
    let i = ss.length;
    while (i > 0 && ss[i - 1]!.ts >= t0) i--;
    let j = as.length;
    while (j > 0 && as[j - 1]!.t >= t0) j--;
    while (i < ss.length || j < as.length) {
      const t = Math.min(i < ss.length ? ss[i]!.ts : Infinity, j < as.length ? as[j]!.t : Infinity);
      while (i < ss.length && ss[i]!.ts === t) {
        status = ss[i]!.status;
        reason = ss[i]!.reason;
        i++;
      }
      while (j < as.length && as[j]!.t === t) {
        onContact += as[j]!.onContact;
        acw += as[j]!.acw;
        j++;
      }
      if (prev && prev.status === status && prev.reason === reason && prev.onContact === onContact && prev.acw === acw) continue;
      const state = displayed(onContact, acw, status);
      const elapsed = prev ? t - prev.start : 0;
      const seg: Segment = {
        start: t,
        state,
        status,
        reason,
        onContact,
        acw,
        runStart: prev && prev.state === state ? prev.runStart : t,
        busyBefore: prev ? prev.busyBefore + (isBusy(prev.state) ? elapsed : 0) : 0,
        availBefore: prev ? prev.availBefore + (prev.state === 'available' ? elapsed : 0) : 0,
      };
      segs.push(seg);
      prev = seg;
    }
  }
}
