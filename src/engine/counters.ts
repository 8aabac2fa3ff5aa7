import type { AgentWindow, QueueWindow, SlFormula } from '../protocol/index.js';

/**
 * Counter layouts. Counters live in Float64Arrays indexed by these constants so the per-event
 * path adds numbers without allocating. Every counter is an integer, so sums are exact whatever
 * the order of additions and retractions.
 */
export const Q = {
  offered: 0,
  answered: 1,
  answeredInSl: 2,
  abandoned: 3,
  shortAbandoned: 4,
  flowedOut: 5,
  handled: 6,
  waitAnsweredMs: 7,
  waitAbandonedMs: 8,
  talkMs: 9,
  holdMs: 10,
  acwMs: 11,
  csatSum: 12,
  csatCount: 13,
  csatPositive: 14,
} as const;
export const QUEUE_WIDTH = 15;

export const A = {
  handled: 0,
  talkMs: 1,
  holdMs: 2,
  acwMs: 3,
  csatSum: 4,
  csatCount: 5,
  csatPositive: 6,
} as const;
export const AGENT_WIDTH = 7;

/**
 * A counter as an object field. Counters are integers (events carry integer times and durations),
 * and `Math.floor` returns one that fits as a small integer, where a Float64Array read is a heap
 * number in V8's interpreter: an object built from such reads gets fields that box every value,
 * so a view's window was one object and a dozen heap numbers, for every agent at every refresh.
 */
export function whole(x: number): number {
  return Math.floor(x);
}

/** The divisor of service level for a formula (SPEC §4). */
function slDenominator(f: SlFormula, answered: number, abandoned: number, shortAbandoned: number): number {
  switch (f) {
    case 'excludeShortAbandons':
      return answered + abandoned - shortAbandoned;
    case 'allAbandons':
      return answered + abandoned;
    case 'answeredOnly':
      return answered;
  }
}

function ratio(num: number, den: number, scale: number): number | null {
  return den === 0 ? null : (scale * num) / den;
}

function perHandledSec(ms: number, handled: number): number | null {
  return handled === 0 ? null : ms / handled / 1000;
}

/** Occupancy from busy (on contact + acw) and available time, in percent. */
export function occupancy(busyMs: number, availMs: number): number | null {
  return ratio(busyMs, busyMs + availMs, 100);
}

/** Builds a queue/totals window object from counters (exact expressions of SPEC §4). */
export function queueWindow(v: ArrayLike<number>, maxWaitMs: number, formula: SlFormula): QueueWindow {
  const answered = whole(v[Q.answered]!);
  const abandoned = whole(v[Q.abandoned]!);
  const shortAbandoned = whole(v[Q.shortAbandoned]!);
  const handled = whole(v[Q.handled]!);
  const talkMs = whole(v[Q.talkMs]!);
  const holdMs = whole(v[Q.holdMs]!);
  const acwMs = whole(v[Q.acwMs]!);
  const csatCount = whole(v[Q.csatCount]!);
  return {
    offered: whole(v[Q.offered]!),
    answered,
    answeredInSl: whole(v[Q.answeredInSl]!),
    abandoned,
    shortAbandoned,
    flowedOut: whole(v[Q.flowedOut]!),
    handled,
    waitAnsweredMs: whole(v[Q.waitAnsweredMs]!),
    waitAbandonedMs: whole(v[Q.waitAbandonedMs]!),
    maxWaitMs,
    talkMs,
    holdMs,
    acwMs,
    csatSum: whole(v[Q.csatSum]!),
    csatCount,
    csatPositive: whole(v[Q.csatPositive]!),
    serviceLevel: ratio(v[Q.answeredInSl]!, slDenominator(formula, answered, abandoned, shortAbandoned), 100),
    abandonRate: ratio(abandoned - shortAbandoned, answered + abandoned - shortAbandoned, 100),
    asaSec: answered === 0 ? null : v[Q.waitAnsweredMs]! / answered / 1000,
    maxWaitSec: maxWaitMs / 1000,
    ahtSec: perHandledSec(talkMs + holdMs + acwMs, handled),
    avgTalkSec: perHandledSec(talkMs, handled),
    avgHoldSec: perHandledSec(holdMs, handled),
    avgAcwSec: perHandledSec(acwMs, handled),
    csatAvg: csatCount === 0 ? null : v[Q.csatSum]! / csatCount,
    csatPct: ratio(v[Q.csatPositive]!, csatCount, 100),
  };
}

/** Builds an agent window object from agent counters and time in state. */
export function agentWindow(v: ArrayLike<number>, busyMs: number, availMs: number): AgentWindow {
  const handled = whole(v[A.handled]!);
  const talkMs = whole(v[A.talkMs]!);
  const holdMs = whole(v[A.holdMs]!);
  const acwMs = whole(v[A.acwMs]!);
  const csatCount = whole(v[A.csatCount]!);
  return {
    handled,
    talkMs,
    holdMs,
    acwMs,
    ahtSec: perHandledSec(talkMs + holdMs + acwMs, handled),
    avgTalkSec: perHandledSec(talkMs, handled),
    avgHoldSec: perHandledSec(holdMs, handled),
    avgAcwSec: perHandledSec(acwMs, handled),
    csatSum: whole(v[A.csatSum]!),
    csatCount,
    csatPositive: whole(v[A.csatPositive]!),
    csatAvg: csatCount === 0 ? null : v[A.csatSum]! / csatCount,
    csatPct: ratio(v[A.csatPositive]!, csatCount, 100),
    occupancy: occupancy(busyMs, availMs),
  };
}
