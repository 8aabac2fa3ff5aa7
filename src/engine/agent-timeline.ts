import type { AgentState, AgentStatus } from '../protocol/index.js';
import type { TimeByState } from './rollups.js';
import { room } from './rows.js';

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

/**
 * An activity mark as one number: its time (integer epoch ms, SPEC §2) times 9 plus its changes
 * of the on-contact and acw counts (each -1, 0 or 1) as one digit in base 3. Exact below 2^53
 * (times before the year 2200 stay under 2^46), ordered by time, and equal marks are equal
 * numbers: a third of the memory of a row of three, for a table every agent keeps.
 */
function activityMark(t: number, onContact: number, acw: number): number {
  return t * 9 + (onContact + 1) * 3 + (acw + 1);
}
function markTime(m: number): number {
  return Math.floor(m / 9);
}
/** The first mark value at time t (marks at t are [firstMarkAt(t), firstMarkAt(t + 1))). */
function firstMarkAt(t: number): number {
  return t * 9;
}
function markOnContact(m: number): number {
  return Math.floor((m - markTime(m) * 9) / 3) - 1;
}
function markAcw(m: number): number {
  return mod(m - markTime(m) * 9, 3) - 1;
}
/**
 * x mod n for a non-negative integer x below 2^53 and a small n. `%` on a number that is no small
 * integer (a code, a mark) compiles to a floating-point remainder (x87 `fprem`), ~9 ns against
 * ~1.3 ns for this; exact, since x / n is off by less than the 1/n that separates its fraction
 * from the next integer.
 */
function mod(x: number, n: number): number {
  return x - Math.floor(x / n) * n;
}
/**
 * Segment row (see SegmentState): start, its state code (see segmentCode), run start, busy and
 * available time before it. The reason is kept apart, in `segReason`.
 */
const SEG = 5;
const S_START = 0;
const S_CODE = 1;
const S_RUN = 2;
const S_BUSY = 3;
const S_AVAIL = 4;
/** A segment's open-contact and acw counts are kept offset by COUNT_BIAS in fields of COUNT_SPAN. */
const COUNT_BIAS = 2 ** 20;
const COUNT_SPAN = 2 ** 21;

/**
 * A segment's displayed state, status (each one of five) and on-contact and acw counts as one
 * integer, exact below 2^53 (counts within ±2^20 of zero, far beyond any agent's contacts): one
 * number instead of four in a row every agent keeps dozens of.
 */
function segmentCode(state: number, status: number, onContact: number, acw: number): number {
  return state + 5 * status + 25 * (onContact + COUNT_BIAS) + 25 * COUNT_SPAN * (acw + COUNT_BIAS);
}
function codeState(code: number): number {
  return mod(code, 5);
}
function codeStatus(code: number): number {
  return mod(Math.floor(code / 5), 5);
}
function codeOnContact(code: number): number {
  return mod(Math.floor(code / 25), COUNT_SPAN) - COUNT_BIAS;
}
function codeAcw(code: number): number {
  return Math.floor(code / (25 * COUNT_SPAN)) - COUNT_BIAS;
}
/**
 * Initial rows: what a busy agent holds in steady state (70 to 85 minutes of marks and segments,
 * as folds come every 15 minutes), so most agents never grow: each growth allocates and copies a
 * new array. In the engine benchmark about 1,800 of 10,000 timelines grow each table (~10 µs a
 * growth); larger initial tables would cost every agent more memory than that saves.
 */
const INITIAL_ACT_ROWS = 64;
const INITIAL_SEG_ROWS = 48;
/** Aux time by reason of a span with none: one frozen object shared by every such span (and rollup row). */
export const NO_AUX: Readonly<Record<string, number>> = Object.freeze({});

/**
 * An agent's state over time: agent.status marks and contact activity marks, kept sorted by time
 * whatever order they arrive in, folded into segments that carry cumulative time in state. A mark
 * that arrives late rebuilds the segments from its time on (usually the last one or two), so
 * occupancy over any window is F(now) - F(start) with F read off the segments.
 *
 * Activity marks are numbers of one Float64Array (see activityMark) and segments rows of five
 * numbers of another (see segmentCode): one arrives with nearly every contact event, and objects
 * for them made most of the engine's garbage. Marks are values: a contact removes the marks it
 * placed by value, and equal marks are interchangeable.
 */
export class AgentTimeline {
  private statuses: StatusMark[] = [];
  /** Activity marks (see activityMark) in order, [0, nAct). */
  private act = new Float64Array(INITIAL_ACT_ROWS);
  private nAct = 0;
  private seg = new Float64Array(INITIAL_SEG_ROWS * SEG);
  private segReason: (string | null)[] = [];
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
    const { act, seg } = this;
    const activity: [number, number, number][] = [];
    for (let i = 0; i < this.nAct; i++) activity.push([markTime(act[i]!), markOnContact(act[i]!), markAcw(act[i]!)]);
    const segments: SegmentState[] = [];
    for (let i = 0; i < this.nSeg; i++) {
      const r = i * SEG;
      const code = seg[r + S_CODE]!;
      segments.push({
        start: seg[r + S_START]!,
        state: STATES[codeState(code)]!,
        status: STATES[codeStatus(code)] as AgentStatus,
        reason: this.segReason[i]!,
        onContact: codeOnContact(code),
        acw: codeAcw(code),
        runStart: seg[r + S_RUN]!,
        busyBefore: seg[r + S_BUSY]!,
        availBefore: seg[r + S_AVAIL]!,
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
    for (const [at, onContact, acw] of st.activity) t.insertActivity(t.nAct, activityMark(at, onContact, acw));
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
    const m = activityMark(t, onContact, acw);
    let i = this.nAct;
    while (i > 0 && this.act[i - 1]! > m) i--;
    this.insertActivity(i, m);
    this.invalidate(t);
  }

  /** Removes an activity mark previously added (by value: equal marks are interchangeable). */
  removeActivity(t: number, onContact: number, acw: number): void {
    if (t < this.foldedBefore) return;
    const act = this.act;
    const m = activityMark(t, onContact, acw);
    let i = this.nAct - 1;
    for (; i >= 0; i--) {
      if (act[i] === m) break;
      if (act[i]! < m) return;
    }
    if (i < 0) return;
    act.copyWithin(i, i + 1, this.nAct);
    this.nAct--;
    this.invalidate(t);
  }

  /**
   * Places marks k in [from, to) of `marks`, triples (t, on-contact change, acw change) as
   * `addActivity` takes them: read from the array, not passed, so no epoch-ms argument is boxed.
   */
  addMarks(marks: Float64Array, from: number, to: number): void {
    for (let k = from; k < to; k++) this.addActivity(marks[3 * k]!, marks[3 * k + 1]!, marks[3 * k + 2]!);
  }

  /** Removes marks k in [from, to) of `marks` (see `addMarks`), each as `removeActivity` does. */
  removeMarks(marks: Float64Array, from: number, to: number): void {
    for (let k = from; k < to; k++) this.removeActivity(marks[3 * k]!, marks[3 * k + 1]!, marks[3 * k + 2]!);
  }

  private insertActivity(i: number, m: number): void {
    const n = this.nAct;
    const act = (this.act = room(this.act, n + 1, 1));
    if (i < n) act.copyWithin(i + 1, i, n);
    act[i] = m;
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
    const seg = (this.seg = room(this.seg, k + 1, SEG));
    const r = k * SEG;
    seg[r + S_START] = start;
    seg[r + S_CODE] = segmentCode(state, status, onContact, acw);
    seg[r + S_RUN] = runStart;
    seg[r + S_BUSY] = busyBefore;
    seg[r + S_AVAIL] = availBefore;
    this.segReason[k] = reason;
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

  /**
   * Time in each displayed state over [from, to), aux by reason; time before the first mark is not
   * counted. Written into `out` (rollups pass one scratch object for every row they make); its
   * `auxMs` is a new object only when there is aux time, else the shared empty NO_AUX.
   */
  timeByState(from: number, to: number, out: TimeByState = { availableMs: 0, onContactMs: 0, acwTimeMs: 0, offlineMs: 0, auxMs: NO_AUX }): TimeByState {
    this.refresh();
    out.availableMs = 0;
    out.onContactMs = 0;
    out.acwTimeMs = 0;
    out.offlineMs = 0;
    out.auxMs = NO_AUX;
    const { seg, nSeg: n } = this;
    // Rollups ask for the last interval or two of a timeline that holds over an hour.
    for (let i = Math.max(0, this.segmentAt(from)); i < n; i++) {
      const start = seg[i * SEG + S_START]!;
      if (start >= to) break;
      const end = i + 1 < n ? seg[(i + 1) * SEG + S_START]! : Infinity;
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b <= a) continue;
      const ms = b - a;
      switch (codeState(seg[i * SEG + S_CODE]!)) {
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
          if (out.auxMs === NO_AUX) out.auxMs = {};
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
    return this.nSeg > 0 ? STATES[codeState(this.seg[(this.nSeg - 1) * SEG + S_CODE]!)]! : 'offline';
  }

  /** When the current displayed state began (null when the agent has no marks). */
  since(): number | null {
    this.refresh();
    return this.nSeg > 0 ? this.seg[(this.nSeg - 1) * SEG + S_RUN]! : null;
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
    const seg = this.seg;
    let k = 0;
    while (k + 1 < this.nSeg && seg[(k + 1) * SEG + S_START]! <= cutoff) k++;
    if (k > 0) {
      if (dayStart < seg[k * SEG + S_START]! && this.dayBaseAt !== dayStart) {
        this.dayBaseBusy = this.cumulative(dayStart, true, dayStart);
        this.dayBaseAvail = this.cumulative(dayStart, false, dayStart);
        this.dayBaseAt = dayStart;
      }
      const n = this.nSeg;
      seg.copyWithin(0, k * SEG, n * SEG);
      for (let i = k; i < n; i++) this.segReason[i - k] = this.segReason[i]!;
      this.segReason.length = n - k;
      this.nSeg = n - k;
    }
    const keepFrom = this.nSeg > 0 ? Math.min(seg[S_START]!, cutoff) : cutoff;
    let s = 0;
    // Keep the last status mark: it is the agent's current status.
    while (s + 1 < this.statuses.length && this.statuses[s]!.ts < keepFrom) s++;
    if (s > 0) this.statuses.splice(0, s);
    let a = 0;
    while (a < this.nAct && this.act[a]! < firstMarkAt(keepFrom)) a++;
    if (a > 0) {
      this.act.copyWithin(0, a, this.nAct);
      this.nAct -= a;
    }
    if (keepFrom > this.foldedBefore) this.foldedBefore = keepFrom;
  }

  /** F(x): busy (or available) time accumulated up to x. */
  private cumulative(x: number, busy: boolean, dayStart: number): number {
    const { seg, nSeg: n } = this;
    if (n === 0 || x < seg[S_START]!) {
      if (this.dayBaseAt === x && x === dayStart) return busy ? this.dayBaseBusy : this.dayBaseAvail;
      return n === 0 ? 0 : busy ? seg[S_BUSY]! : seg[S_AVAIL]!;
    }
    const r = this.segmentAt(x) * SEG;
    const state = codeState(seg[r + S_CODE]!);
    if (busy) return seg[r + S_BUSY]! + (isBusy(state) ? x - seg[r + S_START]! : 0);
    return seg[r + S_AVAIL]! + (state === AVAILABLE ? x - seg[r + S_START]! : 0);
  }

  /** Index of the last segment that starts at or before x (-1: none does). */
  private segmentAt(x: number): number {
    const seg = this.seg;
    let lo = -1;
    let hi = this.nSeg - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (seg[mid * SEG + S_START]! <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Recomputes the segments from time t0 on, from the state just before t0 and the marks at or after it. */
  private rebuildFrom(t0: number): void {
    let k = this.nSeg;
    while (k > 0 && this.seg[(k - 1) * SEG + S_START]! >= t0) k--;
    this.nSeg = k;
    this.segReason.length = k;
    if (t0 <= this.dayBaseAt) this.dayBaseAt = NaN;

    let prev = k - 1;
    let p = prev * SEG;
    const prevCode = prev >= 0 ? this.seg[p + S_CODE]! : 0;
    let status = prev >= 0 ? codeStatus(prevCode) : OFFLINE;
    let reason: string | null = prev >= 0 ? this.segReason[prev]! : null;
    let onContact = prev >= 0 ? codeOnContact(prevCode) : 0;
    let acw = prev >= 0 ? codeAcw(prevCode) : 0;

    const ss = this.statuses;
    const act = this.act;
    const nAct = this.nAct;
    // Changes land near the end: find the first mark at or after t0 from there.
    let i = ss.length;
    while (i > 0 && ss[i - 1]!.ts >= t0) i--;
    let j = nAct;
    while (j > 0 && act[j - 1]! >= firstMarkAt(t0)) j--;
    while (i < ss.length || j < nAct) {
      const t = Math.min(i < ss.length ? ss[i]!.ts : Infinity, j < nAct ? markTime(act[j]!) : Infinity);
      while (i < ss.length && ss[i]!.ts === t) {
        status = STATE_CODE[ss[i]!.status];
        reason = ss[i]!.reason;
        i++;
      }
      while (j < nAct && act[j]! < firstMarkAt(t + 1)) {
        onContact += markOnContact(act[j]!);
        acw += markAcw(act[j]!);
        j++;
      }
      const seg = this.seg;
      const state = displayed(onContact, acw, status);
      // The same status, reason and counts as the segment before (so the same state): no new segment.
      if (prev >= 0 && seg[p + S_CODE] === segmentCode(state, status, onContact, acw) && this.segReason[prev] === reason) {
        continue;
      }
      if (prev < 0) {
        this.pushSegment(t, state, status, reason, onContact, acw, t, 0, 0);
      } else {
        const prevState = codeState(seg[p + S_CODE]!);
        const elapsed = t - seg[p + S_START]!;
        this.pushSegment(
          t,
          state,
          status,
          reason,
          onContact,
          acw,
          prevState === state ? seg[p + S_RUN]! : t,
          seg[p + S_BUSY]! + (isBusy(prevState) ? elapsed : 0),
          seg[p + S_AVAIL]! + (prevState === AVAILABLE ? elapsed : 0),
        );
      }
      prev = this.nSeg - 1;
      p = prev * SEG;
    }
  }
}
