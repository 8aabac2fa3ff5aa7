import type { AgentState, AgentStatus } from '../protocol/index.js';
import type { TimeByState } from './rollups.js';

/** One agent.status event placed in time. */
export interface StatusMark {
  ts: number;
  id: string;
  status: AgentStatus;
  reason: string | null;
}

/** A stretch of time in one state, from `start` to the next segment's start (checkpoint form). */
export interface SegmentState {
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

export interface AgentTimelineState {
  statuses: StatusMark[];
  /** Activity marks in time order: [t, onContact change, acw change]. */
  activity: [number, number, number][];
  segments: SegmentState[];
  foldedBefore: number;
  dayBase: { at: number; busy: number; avail: number } | null;
  staleFrom: number;
  changedFrom: number;
}

const STATES: readonly AgentState[] = ['available', 'on_contact', 'acw', 'aux', 'offline'];
const AVAILABLE = 0;
const ON_CONTACT = 1;
const ACW = 2;
const AUX = 3;
const OFFLINE = 4;
const STATE_CODE: Record<AgentState, number> = { available: AVAILABLE, on_contact: ON_CONTACT, acw: ACW, aux: AUX, offline: OFFLINE };

function displayed(onContact: number, acw: number, status: number): number {
  if (onContact > 0) return ON_CONTACT;
  if (acw > 0) return ACW;
  return status;
}

function isBusy(state: number): boolean {
  return state === ON_CONTACT || state === ACW;
}

function byTimeThenId(a: StatusMark, ts: number, id: string): number {
  return a.ts !== ts ? a.ts - ts : a.id < id ? -1 : a.id > id ? 1 : 0;
}

type Column = Float64Array | Int32Array | Uint8Array;

/** The column with room for `need` entries: itself, or a copy of twice the size. */
function room<T extends Column>(col: T, need: number, make: (n: number) => T): T {
  if (col.length >= need) return col;
  const next = make(Math.max(need, col.length * 2));
  next.set(col);
  return next;
}

const f64 = (n: number): Float64Array => new Float64Array(n);
const i32 = (n: number): Int32Array => new Int32Array(n);
const u8 = (n: number): Uint8Array => new Uint8Array(n);

/**
 * An agent's state over time: agent.status marks and contact activity marks, kept sorted by time
 * whatever order they arrive in, folded into segments that carry cumulative time in state. A mark
 * that arrives late rebuilds the segments from its time on (usually the last one or two), so
 * occupancy over any window is F(now) - F(start) with F read off the segments.
 *
 * Activity marks and segments live in typed-array columns: one arrives with nearly every contact
 * event, and objects for them made most of the engine's garbage. Marks are values: a contact
 * removes the marks it placed by value, and equal marks are interchangeable.
 */
export class AgentTimeline {
  private statuses: StatusMark[] = [];
  private actT = f64(8);
  private actOn = i32(8);
  private actAcw = i32(8);
  private nAct = 0;
  private segStart = f64(8);
  private segState = u8(8);
  private segStatus = u8(8);
  private segReason: (string | null)[] = [];
  private segOn = i32(8);
  private segAcw = i32(8);
  private segRun = f64(8);
  private segBusy = f64(8);
  private segAvail = f64(8);
  private nSeg = 0;
  /** Marks before this time were folded away; nothing earlier can be placed any more. */
  private foldedBefore = -Infinity;
  /** F(day start) kept when the segments around a day start are folded away (at: NaN when none). */
  private dayBaseAt = NaN;
  private dayBaseBusy = 0;
  private dayBaseAvail = 0;
  /** Segments from this time on are out of date; rebuilt on the next read, so bursts cost one rebuild. */
  private staleFrom = Infinity;
  /** Earliest time changed since the last `takeChangedFrom` (rollups recompute time in state from there). */
  private changedFrom = Infinity;

  /** The timeline's state, for a checkpoint (plain data; shares nothing with the timeline). */
  save(): AgentTimelineState {
    const activity: [number, number, number][] = [];
    for (let i = 0; i < this.nAct; i++) activity.push([this.actT[i]!, this.actOn[i]!, this.actAcw[i]!]);
    const segments: SegmentState[] = [];
    for (let i = 0; i < this.nSeg; i++) {
      segments.push({
        start: this.segStart[i]!,
        state: STATES[this.segState[i]!]!,
        status: STATES[this.segStatus[i]!] as AgentStatus,
        reason: this.segReason[i]!,
        onContact: this.segOn[i]!,
        acw: this.segAcw[i]!,
        runStart: this.segRun[i]!,
        busyBefore: this.segBusy[i]!,
        availBefore: this.segAvail[i]!,
      });
    }
    return {
      statuses: this.statuses.map((m) => ({ ...m })),
      activity,
      segments,
      foldedBefore: this.foldedBefore,
      dayBase: Number.isNaN(this.dayBaseAt) ? null : { at: this.dayBaseAt, busy: this.dayBaseBusy, avail: this.dayBaseAvail },
      staleFrom: this.staleFrom,
      changedFrom: this.changedFrom,
    };
  }

  static restore(st: AgentTimelineState): AgentTimeline {
    const t = new AgentTimeline();
    t.statuses = st.statuses.map((m) => ({ ...m }));
    for (const [at, onContact, acw] of st.activity) t.pushActivity(t.nAct, at, onContact, acw);
    for (const g of st.segments) {
      t.pushSegment(g.start, STATE_CODE[g.state], STATE_CODE[g.status], g.reason, g.onContact, g.acw, g.runStart, g.busyBefore, g.availBefore);
    }
    t.foldedBefore = st.foldedBefore;
    if (st.dayBase) {
      t.dayBaseAt = st.dayBase.at;
      t.dayBaseBusy = st.dayBase.busy;
      t.dayBaseAvail = st.dayBase.avail;
    }
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
    if (hi > 0 && byTimeThenId(ss[hi - 1]!, ts, id) < 0) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byTimeThenId(ss[mid]!, ts, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < ss.length && byTimeThenId(ss[lo]!, ts, id) === 0) return false;
    if (lo === ss.length) ss.push({ ts, id, status, reason });
    else ss.splice(lo, 0, { ts, id, status, reason });
    this.invalidate(ts);
    return true;
  }

  /** Places an activity mark: at time t, the agent's on-contact and acw counts change by these amounts. */
  addActivity(t: number, onContact: number, acw: number): void {
    if (t < this.foldedBefore) return;
    let i = this.nAct;
    while (i > 0 && this.actT[i - 1]! > t) i--;
    this.pushActivity(i, t, onContact, acw);
    this.invalidate(t);
  }

  /** Removes an activity mark previously added (by value: equal marks are interchangeable). */
  removeActivity(t: number, onContact: number, acw: number): void {
    if (t < this.foldedBefore) return;
    let i = this.nAct - 1;
    while (i >= 0 && !(this.actT[i] === t && this.actOn[i] === onContact && this.actAcw[i] === acw)) {
      if (this.actT[i]! < t) return;
      i--;
    }
    if (i < 0) return;
    this.actT.copyWithin(i, i + 1, this.nAct);
    this.actOn.copyWithin(i, i + 1, this.nAct);
    this.actAcw.copyWithin(i, i + 1, this.nAct);
    this.nAct--;
    this.invalidate(t);
  }

  private pushActivity(i: number, t: number, onContact: number, acw: number): void {
    const n = this.nAct;
    this.actT = room(this.actT, n + 1, f64);
    this.actOn = room(this.actOn, n + 1, i32);
    this.actAcw = room(this.actAcw, n + 1, i32);
    if (i < n) {
      this.actT.copyWithin(i + 1, i, n);
      this.actOn.copyWithin(i + 1, i, n);
      this.actAcw.copyWithin(i + 1, i, n);
    }
    this.actT[i] = t;
    this.actOn[i] = onContact;
    this.actAcw[i] = acw;
    this.nAct = n + 1;
  }

  private pushSegment(
    start: number,
    state: number,
    status: number,
    reason: string | null,
    onContact: number,
    acw: number,
    runStart: number,
    busyBefore: number,
    availBefore: number,
  ): void {
    const k = this.nSeg;
    if (this.segStart.length <= k) {
      this.segStart = room(this.segStart, k + 1, f64);
      this.segState = room(this.segState, k + 1, u8);
      this.segStatus = room(this.segStatus, k + 1, u8);
      this.segOn = room(this.segOn, k + 1, i32);
      this.segAcw = room(this.segAcw, k + 1, i32);
      this.segRun = room(this.segRun, k + 1, f64);
      this.segBusy = room(this.segBusy, k + 1, f64);
      this.segAvail = room(this.segAvail, k + 1, f64);
    }
    this.segStart[k] = start;
    this.segState[k] = state;
    this.segStatus[k] = status;
    this.segReason[k] = reason;
    this.segOn[k] = onContact;
    this.segAcw[k] = acw;
    this.segRun[k] = runStart;
    this.segBusy[k] = busyBefore;
    this.segAvail[k] = availBefore;
    this.nSeg = k + 1;
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
    const n = this.nSeg;
    for (let i = 0; i < n; i++) {
      const start = this.segStart[i]!;
      if (start >= to) break;
      const end = i + 1 < n ? this.segStart[i + 1]! : Infinity;
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b <= a) continue;
      const ms = b - a;
      switch (this.segState[i]) {
        case AVAILABLE:
          out.availableMs += ms;
          break;
        case ON_CONTACT:
          out.onContactMs += ms;
          break;
        case ACW:
          out.acwTimeMs += ms;
          break;
        case OFFLINE:
          out.offlineMs += ms;
          break;
        case AUX: {
          const r = this.segReason[i] ?? 'unspecified';
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
    return this.nSeg > 0 ? STATES[this.segState[this.nSeg - 1]!]! : 'offline';
  }

  /** When the current displayed state began (null when the agent has no marks). */
  since(): number | null {
    this.refresh();
    return this.nSeg > 0 ? this.segRun[this.nSeg - 1]! : null;
  }

  isEmpty(): boolean {
    return this.statuses.length === 0 && this.nAct === 0;
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
    let k = 0;
    while (k + 1 < this.nSeg && this.segStart[k + 1]! <= cutoff) k++;
    if (k > 0) {
      if (dayStart < this.segStart[k]! && this.dayBaseAt !== dayStart) {
        this.dayBaseBusy = this.cumulative(dayStart, true, dayStart);
        this.dayBaseAvail = this.cumulative(dayStart, false, dayStart);
        this.dayBaseAt = dayStart;
      }
      const n = this.nSeg;
      for (const col of [this.segStart, this.segState, this.segStatus, this.segOn, this.segAcw, this.segRun, this.segBusy, this.segAvail]) {
        col.copyWithin(0, k, n);
      }
      for (let i = k; i < n; i++) this.segReason[i - k] = this.segReason[i]!;
      this.segReason.length = n - k;
      this.nSeg = n - k;
    }
    const keepFrom = this.nSeg > 0 ? Math.min(this.segStart[0]!, cutoff) : cutoff;
    let s = 0;
    // Keep the last status mark: it is the agent's current status.
    while (s + 1 < this.statuses.length && this.statuses[s]!.ts < keepFrom) s++;
    if (s > 0) this.statuses.splice(0, s);
    let a = 0;
    while (a < this.nAct && this.actT[a]! < keepFrom) a++;
    if (a > 0) {
      this.actT.copyWithin(0, a, this.nAct);
      this.actOn.copyWithin(0, a, this.nAct);
      this.actAcw.copyWithin(0, a, this.nAct);
      this.nAct -= a;
    }
    if (keepFrom > this.foldedBefore) this.foldedBefore = keepFrom;
  }

  /** F(x): busy (or available) time accumulated up to x. */
  private cumulative(x: number, busy: boolean, dayStart: number): number {
    const n = this.nSeg;
    if (n === 0 || x < this.segStart[0]!) {
      if (this.dayBaseAt === x && x === dayStart) return busy ? this.dayBaseBusy : this.dayBaseAvail;
      return n === 0 ? 0 : busy ? this.segBusy[0]! : this.segAvail[0]!;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segStart[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    const state = this.segState[lo]!;
    const start = this.segStart[lo]!;
    if (busy) return this.segBusy[lo]! + (isBusy(state) ? x - start : 0);
    return this.segAvail[lo]! + (state === AVAILABLE ? x - start : 0);
  }

  /** Recomputes the segments from time t0 on, from the state just before t0 and the marks at or after it. */
  private rebuildFrom(t0: number): void {
    let k = this.nSeg;
    while (k > 0 && this.segStart[k - 1]! >= t0) k--;
    this.nSeg = k;
    this.segReason.length = k;
    if (t0 <= this.dayBaseAt) this.dayBaseAt = NaN;

    const base = k - 1;
    let status = base >= 0 ? this.segStatus[base]! : OFFLINE;
    let reason: string | null = base >= 0 ? this.segReason[base]! : null;
    let onContact = base >= 0 ? this.segOn[base]! : 0;
    let acw = base >= 0 ? this.segAcw[base]! : 0;
    let prev = base;

    const ss = this.statuses;
    const at = this.actT;
    const nAct = this.nAct;
    // Changes land near the end: find the first mark at or after t0 from there.
    let i = ss.length;
    while (i > 0 && ss[i - 1]!.ts >= t0) i--;
    let j = nAct;
    while (j > 0 && at[j - 1]! >= t0) j--;
    while (i < ss.length || j < nAct) {
      const t = Math.min(i < ss.length ? ss[i]!.ts : Infinity, j < nAct ? at[j]! : Infinity);
      while (i < ss.length && ss[i]!.ts === t) {
        status = STATE_CODE[ss[i]!.status];
        reason = ss[i]!.reason;
        i++;
      }
      while (j < nAct && at[j] === t) {
        onContact += this.actOn[j]!;
        acw += this.actAcw[j]!;
        j++;
      }
      if (
        prev >= 0 &&
        this.segStatus[prev] === status &&
        this.segReason[prev] === reason &&
        this.segOn[prev] === onContact &&
        this.segAcw[prev] === acw
      ) {
        continue;
      }
      const state = displayed(onContact, acw, status);
      if (prev < 0) {
        this.pushSegment(t, state, status, reason, onContact, acw, t, 0, 0);
      } else {
        const prevState = this.segState[prev]!;
        const elapsed = t - this.segStart[prev]!;
        this.pushSegment(
          t,
          state,
          status,
          reason,
          onContact,
          acw,
          prevState === state ? this.segRun[prev]! : t,
          this.segBusy[prev]! + (isBusy(prevState) ? elapsed : 0),
          this.segAvail[prev]! + (prevState === AVAILABLE ? elapsed : 0),
        );
      }
      prev = this.nSeg - 1;
    }
  }
}
