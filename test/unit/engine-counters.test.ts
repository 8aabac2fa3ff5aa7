/**
 * Every counter and derived figure of a queue window (docs/metrics.md §3 and §5), through the
 * engine's public API, against values computed by hand. Unless a test says otherwise: queue
 * settings are the defaults (SL 20 s, short abandon 5 s, excludeShortAbandons), timezone UTC,
 * now = 2026-11-22 10:00:00 UTC, and every event lies after 09:45:01 (the 15m window start), so
 * 15m, 60m and today hold the same contributions.
 */
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import type { QueueWindow, WindowName } from '../../src/protocol/index.js';
import {
  abandoned,
  acwEnded,
  answered,
  dequeued,
  ended,
  engineAt,
  expectFinite,
  queued,
  rated,
  settingsOf,
  utcDay,
} from '../support/engine-events.js';

const t = utcDay('2026-11-22');
const NOW = t('10:00:00');
const WINDOWS: readonly WindowName[] = ['15m', '60m', 'today'];

/** A window with nothing in it: every counter 0, every ratio null, maxWaitSec 0. */
const EMPTY_WINDOW: QueueWindow = {
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
  serviceLevel: null,
  abandonRate: null,
  asaSec: null,
  maxWaitSec: 0,
  ahtSec: null,
  avgTalkSec: null,
  avgHoldSec: null,
  avgAcwSec: null,
  csatAvg: null,
  csatPct: null,
};

/** A contact queued at `q` that leaves at `leave` (answered by `agent`, or abandoned). */
function answeredAfter(id: string, queue: string, q: string, leave: string, agent = 'ann'): HubEvent[] {
  return [queued(t(q), id, queue), answered(t(leave), id, agent)];
}
function abandonedAfter(id: string, queue: string, q: string, leave: string): HubEvent[] {
  return [queued(t(q), id, queue), abandoned(t(leave), id)];
}

/** The queue's 15m window, after checking that 60m and today hold the same (every event is inside all three). */
function queueWindow(events: readonly HubEvent[], queue: string, settings = settingsOf()): QueueWindow {
  const s = engineAt(events, NOW, settings).snapshot();
  expectFinite(s);
  const q = s.queues[queue];
  if (!q) throw new Error(`queue ${queue} is not in the snapshot`);
  for (const w of WINDOWS) expect(q.windows[w], `window ${w}`).toEqual(q.windows['15m']);
  return q.windows['15m'];
}

describe('offered', () => {
  it('counts each queued contact once, in its own queue, waiting or not', () => {
    const w = queueWindow(
      [
        queued(t('09:50:00'), 'c1', 'sales'),
        queued(t('09:51:00'), 'c2', 'sales'),
        queued(t('09:52:00'), 'c3', 'support'),
        abandoned(t('09:52:30'), 'c1'),
      ],
      'sales',
    );
    // c1 (left) and c2 (still waiting); c3 belongs to support.
    expect(w).toMatchObject({ offered: 2, answered: 0, abandoned: 1, flowedOut: 0 });
  });
});

describe('answered and answeredInSl', () => {
  it('counts a wait of exactly slThresholdSec as in SL (wait <= threshold)', () => {
    const w = queueWindow(
      [
        ...answeredAfter('c1', 'sales', '09:50:00', '09:50:19.999'), // wait 19,999 ms: in SL
        ...answeredAfter('c2', 'sales', '09:51:00', '09:51:20.000'), // wait 20,000 ms: in SL (<=)
        ...answeredAfter('c3', 'sales', '09:52:00', '09:52:20.001'), // wait 20,001 ms: out
      ],
      'sales',
    );
    expect(w).toMatchObject({
      offered: 3,
      answered: 3,
      answeredInSl: 2,
      waitAnsweredMs: 19_999 + 20_000 + 20_001, // 60,000
      maxWaitMs: 20_001,
      maxWaitSec: 20.001,
      asaSec: 60_000 / 3 / 1000, // 20
      abandonRate: 0, // 100 × (0 − 0) / (3 + 0 − 0)
    });
    expect(w.serviceLevel).toBeCloseTo((100 * 2) / 3, 12); // 66.67
  });

  it("uses the contact's own queue threshold", () => {
    const settings = settingsOf({ vip: { slThresholdSec: 10 } });
    const w = queueWindow(
      [
        ...answeredAfter('c1', 'vip', '09:50:00', '09:50:10.000'), // 10,000 ms <= 10 s: in SL
        ...answeredAfter('c2', 'vip', '09:51:00', '09:51:10.001'), // 10,001 ms: out
        ...answeredAfter('c3', 'sales', '09:52:00', '09:52:15'), // another queue: 15 s <= 20 s
      ],
      'vip',
      settings,
    );
    expect(w).toMatchObject({ answered: 2, answeredInSl: 1, serviceLevel: 50 }); // 100 × 1 / 2
  });

  it('takes a leave stamped before its queued time as a wait of 0', () => {
    const w = queueWindow([queued(t('09:50:02'), 'c1', 'sales'), answered(t('09:50:00'), 'c1', 'ann')], 'sales');
    expect(w).toMatchObject({ answered: 1, answeredInSl: 1, waitAnsweredMs: 0, maxWaitMs: 0, asaSec: 0 }); // max(0, −2 s)
  });

  it('takes the first leave of a contact: a later abandon changes nothing, whatever the arrival order', () => {
    const events = [
      queued(t('09:50:00'), 'c1', 'sales'),
      abandoned(t('09:50:30'), 'c1'), // arrives first but is later in time
      answered(t('09:50:10'), 'c1', 'ann'),
    ];
    const engine = engineAt([], NOW);
    for (const e of events) engine.apply(e);
    const w = engine.snapshot().queues['sales']?.windows['15m'];
    expect(w).toMatchObject({ answered: 1, answeredInSl: 1, waitAnsweredMs: 10_000, abandoned: 0, waitAbandonedMs: 0 });
  });
});

describe('abandoned and shortAbandoned', () => {
  it('counts a wait strictly below shortAbandonSec as short; exactly at it is not', () => {
    const w = queueWindow(
      [
        ...abandonedAfter('c1', 'sales', '09:50:00', '09:50:04.999'), // 4,999 ms < 5 s: short
        ...abandonedAfter('c2', 'sales', '09:51:00', '09:51:05.000'), // 5,000 ms: not short
        ...abandonedAfter('c3', 'sales', '09:52:00', '09:52:00'), // 0 ms: short
        ...abandonedAfter('c4', 'sales', '09:53:00', '09:54:00'), // 60,000 ms
      ],
      'sales',
    );
    expect(w).toMatchObject({
      offered: 4,
      abandoned: 4,
      shortAbandoned: 2,
      waitAbandonedMs: 4_999 + 5_000 + 0 + 60_000, // 69,999
      maxWaitMs: 60_000,
      answered: 0,
      waitAnsweredMs: 0,
      asaSec: null,
      serviceLevel: 0, // 100 × 0 / (0 + 4 − 2)
      abandonRate: 100, // 100 × (4 − 2) / (0 + 4 − 2)
    });
  });

  it("uses the contact's own queue limit (0 s: no abandon is short)", () => {
    const settings = settingsOf({ ivr: { shortAbandonSec: 0 } });
    const w = queueWindow(abandonedAfter('c1', 'ivr', '09:50:00', '09:50:00'), 'ivr', settings);
    expect(w).toMatchObject({ abandoned: 1, shortAbandoned: 0, abandonRate: 100 }); // 0 ms is not < 0 ms
  });
});

describe('flowedOut', () => {
  const reasons = ['transfer', 'callback', 'voicemail', 'timeout', 'other'] as const;

  it('counts a dequeue of every reason, and keeps flow-outs out of SL and abandon rate', () => {
    const events = reasons.flatMap((reason, i) => [
      queued(t(`09:5${i}:00`), `c-${reason}`, 'sales'),
      dequeued(t(`09:5${i}:${10 * (i + 1)}`), `c-${reason}`, reason), // waits 10, 20, 30, 40, 50 s
    ]);
    const w = queueWindow(events, 'sales');
    expect(w).toMatchObject({
      offered: 5,
      flowedOut: 5,
      answered: 0,
      abandoned: 0,
      waitAnsweredMs: 0,
      waitAbandonedMs: 0,
      maxWaitMs: 50_000,
      serviceLevel: null, // D = 0 + 0 − 0
      abandonRate: null,
    });
    // One answer in SL next to them: 100 × 1 / (1 + 0 − 0), the flow-outs do not dilute it.
    const withAnswer = queueWindow([...events, ...answeredAfter('c6', 'sales', '09:56:00', '09:56:05')], 'sales');
    expect(withAnswer).toMatchObject({ flowedOut: 5, serviceLevel: 100, abandonRate: 0 });
  });
});

describe('handled, talk, hold and acw', () => {
  it('acw: false handles the contact at ended: talk = ended − answered − hold, acw 0', () => {
    const events = [
      ...answeredAfter('c1', 'sales', '09:50:00', '09:50:10'),
      ended(t('09:54:10'), 'c1', 30_000, false), // 240 s after the answer, 30 s on hold
      acwEnded(t('09:55:00'), 'c1'), // ignored: there was no after-contact work
    ];
    const s = engineAt(events, NOW).snapshot();
    const expected = {
      handled: 1,
      talkMs: 240_000 - 30_000, // 210,000
      holdMs: 30_000,
      acwMs: 0,
      ahtSec: (210_000 + 30_000 + 0) / 1 / 1000, // 240
      avgTalkSec: 210,
      avgHoldSec: 30,
      avgAcwSec: 0,
    };
    expect(s.queues['sales']?.windows['15m']).toMatchObject(expected);
    expect(s.agents['ann']?.windows['15m']).toMatchObject(expected);
  });

  it('acw: true handles the contact only at acw_ended, with acw = acw_ended − ended', () => {
    const before = [...answeredAfter('c1', 'sales', '09:50:00', '09:50:10'), ended(t('09:54:10'), 'c1', 0, true)];
    expect(queueWindow(before, 'sales')).toMatchObject({
      answered: 1,
      handled: 0,
      talkMs: 0,
      holdMs: 0,
      acwMs: 0,
      ahtSec: null,
      avgTalkSec: null,
      avgHoldSec: null,
      avgAcwSec: null,
    });
    const after = queueWindow([...before, acwEnded(t('09:55:00'), 'c1')], 'sales');
    expect(after).toMatchObject({
      handled: 1,
      talkMs: 240_000, // 09:54:10 − 09:50:10
      holdMs: 0,
      acwMs: 50_000, // 09:55:00 − 09:54:10
      ahtSec: 290, // (240,000 + 0 + 50,000) / 1 / 1000
      avgAcwSec: 50,
    });
  });

  it('places handled at the settling time: ended (acw: false) or acw_ended', () => {
    // 15m starts at 09:45:01: both contacts ended at 09:45:00, outside it.
    const events = [
      ...answeredAfter('c1', 'sales', '09:40:00', '09:40:10'),
      ended(t('09:45:00'), 'c1', 0, false), // handled at 09:45:00: 60m only
      ...answeredAfter('c2', 'sales', '09:41:00', '09:41:10'),
      ended(t('09:45:00'), 'c2', 0, true),
      acwEnded(t('09:46:00'), 'c2'), // handled at 09:46:00: 15m too
    ];
    const q = engineAt(events, NOW).snapshot().queues['sales'];
    // c2 alone: talk 09:41:10 → 09:45:00 = 230 s, acw 60 s.
    expect(q?.windows['15m']).toMatchObject({ handled: 1, talkMs: 230_000, acwMs: 60_000, offered: 0, answered: 0 });
    // c1 adds talk 09:40:10 → 09:45:00 = 290 s.
    expect(q?.windows['60m']).toMatchObject({ handled: 2, talkMs: 290_000 + 230_000, acwMs: 60_000, offered: 2 });
  });

  it('sums talk, hold and acw over the handled contacts and averages them per handled contact', () => {
    const events = [
      ...answeredAfter('c1', 'sales', '09:49:50', '09:50:00', 'ann'),
      ended(t('09:53:00'), 'c1', 20_000, false), // talk 180 − 20 = 160 s, hold 20 s
      ...answeredAfter('c2', 'sales', '09:50:50', '09:51:00', 'bob'),
      ended(t('09:55:00'), 'c2', 0, true), // talk 240 s
      acwEnded(t('09:55:30'), 'c2'), // acw 30 s
      ...answeredAfter('c3', 'sales', '09:51:50', '09:52:00', 'ann'),
      ended(t('09:54:00'), 'c3', 10_000, true), // talk 120 − 10 = 110 s, hold 10 s
      acwEnded(t('09:56:00'), 'c3'), // acw 120 s
    ];
    const s = engineAt(events, NOW).snapshot();
    expect(s.queues['sales']?.windows['15m']).toMatchObject({
      handled: 3,
      talkMs: 160_000 + 240_000 + 110_000, // 510,000
      holdMs: 20_000 + 0 + 10_000, // 30,000
      acwMs: 0 + 30_000 + 120_000, // 150,000
      ahtSec: (510_000 + 30_000 + 150_000) / 3 / 1000, // 230
      avgTalkSec: 510_000 / 3 / 1000, // 170
      avgHoldSec: 30_000 / 3 / 1000, // 10
      avgAcwSec: 150_000 / 3 / 1000, // 50
    });
    // ann: c1 and c3.
    expect(s.agents['ann']?.windows['15m']).toMatchObject({
      handled: 2,
      talkMs: 270_000,
      holdMs: 30_000,
      acwMs: 120_000,
      ahtSec: 420_000 / 2 / 1000, // 210
      avgTalkSec: 135,
      avgHoldSec: 15,
      avgAcwSec: 60,
    });
    expect(s.agents['bob']?.windows['15m']).toMatchObject({ handled: 1, talkMs: 240_000, acwMs: 30_000, ahtSec: 270 });
  });

  it('never lets talk go below 0 when hold exceeds the time on contact', () => {
    const w = queueWindow(
      [...answeredAfter('c1', 'sales', '09:50:00', '09:50:00'), ended(t('09:50:10'), 'c1', 60_000, false)],
      'sales',
    );
    // max(0, 10,000 − 60,000) = 0; the hold counts as given.
    expect(w).toMatchObject({ handled: 1, talkMs: 0, holdMs: 60_000, ahtSec: 60 });
  });

  it('does not handle a contact that was not answered', () => {
    const w = queueWindow(
      [...abandonedAfter('c1', 'sales', '09:50:00', '09:50:30'), ended(t('09:51:00'), 'c1', 0, false)],
      'sales',
    );
    expect(w).toMatchObject({ abandoned: 1, handled: 0, talkMs: 0, ahtSec: null });
  });
});

describe('maxWaitMs', () => {
  const kinds = [
    ['answered', (ts: number, id: string) => answered(ts, id, 'ann')],
    ['abandoned', (ts: number, id: string) => abandoned(ts, id)],
    ['dequeued', (ts: number, id: string) => dequeued(ts, id, 'voicemail')],
  ] as const;

  it.each(kinds)('is the longest wait of the contacts that left, here %s', (_kind, leave) => {
    const others: HubEvent[] = [
      ...answeredAfter('c1', 'sales', '09:50:00', '09:50:30'), // 30 s
      ...abandonedAfter('c2', 'sales', '09:51:00', '09:51:45'), // 45 s
      queued(t('09:52:00'), 'c3', 'sales'),
      dequeued(t('09:52:20'), 'c3', 'transfer'), // 20 s
      queued(t('09:45:30'), 'c9', 'sales'), // still waiting (14.5 min): not a leave
    ];
    const longest = [queued(t('09:53:00'), 'c4', 'sales'), leave(t('09:54:30'), 'c4')]; // 90 s
    const w = queueWindow([...others, ...longest], 'sales');
    expect(w).toMatchObject({ maxWaitMs: 90_000, maxWaitSec: 90 });
    expect(queueWindow(others, 'sales')).toMatchObject({ maxWaitMs: 45_000, maxWaitSec: 45 });
  });

  it('is 0 (not null) when nobody left', () => {
    expect(queueWindow([queued(t('09:50:00'), 'c1', 'sales')], 'sales')).toMatchObject({ maxWaitMs: 0, maxWaitSec: 0 });
  });
});

describe('ratings', () => {
  it('sums csat, counts ratings and counts 4 and 5 as positive, for the queue and the answering agent', () => {
    const scores = [1, 2, 3, 4, 5] as const;
    const events = scores.flatMap((csat, i) => [
      ...answeredAfter(`c${csat}`, 'sales', `09:5${i}:00`, `09:5${i}:05`),
      ended(t(`09:5${i}:30`), `c${csat}`, 0, false),
      rated(t(`09:5${i}:40`), `c${csat}`, csat),
    ]);
    const agentFigures = {
      csatSum: 1 + 2 + 3 + 4 + 5, // 15
      csatCount: 5,
      csatPositive: 2, // the 4 and the 5
      csatAvg: 15 / 5, // 3
      csatPct: (100 * 2) / 5, // 40
    };
    expect(queueWindow(events, 'sales')).toMatchObject(agentFigures);

    // A rated abandoned contact belongs to its queue, and to no agent.
    const more = [...events, ...abandonedAfter('c6', 'sales', '09:56:00', '09:56:30'), rated(t('09:57:00'), 'c6', 4)];
    const s = engineAt(more, NOW).snapshot();
    expect(s.queues['sales']?.windows['15m']).toMatchObject({
      csatSum: 19, // 15 + 4
      csatCount: 6,
      csatPositive: 3,
      csatAvg: 19 / 6,
      csatPct: 50, // 100 × 3 / 6
    });
    expect(s.agents['ann']?.windows['15m']).toMatchObject(agentFigures);
  });

  it('counts a rating that comes long after its contact was handled, for its queue and agent', () => {
    // c1 handled at 08:05:00; the customer rates it at 09:55:00, an event on time like any other.
    const events = [
      ...answeredAfter('c1', 'sales', '08:00:00', '08:00:10'),
      ended(t('08:05:00'), 'c1', 0, false),
      rated(t('09:55:00'), 'c1', 5),
    ];
    const s = engineAt(events, NOW).snapshot();
    const rating = { csatSum: 5, csatCount: 1, csatPositive: 1, csatAvg: 5, csatPct: 100 };
    expect(s.queues['sales']?.windows['15m']).toMatchObject(rating);
    expect(s.agents['ann']?.windows['15m']).toMatchObject(rating);
  });

  it('rates a released contact where it counted, while its row and object serve a new contact that starts empty', () => {
    // c1 is handled at 08:05 and released 20 minutes later; c2, queued at 08:41, takes its row.
    // A later `ended` of c1 (another hold) is not its first of the kind and changes nothing.
    const events = [
      ...answeredAfter('c1', 'sales', '08:00:00', '08:00:10'),
      ended(t('08:05:00'), 'c1', 0, false),
      ...answeredAfter('c2', 'support', '08:41:00', '08:41:05', 'bob'),
      rated(t('09:55:00'), 'c1', 4),
      ended(t('09:55:00'), 'c1', 60_000, false),
    ];
    const s = engineAt(events, NOW).snapshot();
    expect(s.queues['sales']?.windows.today).toMatchObject({ offered: 1, answered: 1, handled: 1, talkMs: 290_000, holdMs: 0, csatSum: 4, csatCount: 1 });
    expect(s.queues['support']?.windows.today).toMatchObject({ offered: 1, answered: 1, handled: 0, talkMs: 0, csatCount: 0, waitAnsweredMs: 5_000 });
    expect(s.agents['ann']?.windows.today).toMatchObject({ handled: 1, csatSum: 4, csatCount: 1 });
    expect(s.agents['bob']).toMatchObject({ state: 'on_contact', contactId: 'c2', queueId: 'support' });
    expect(s.agents['bob']?.windows.today).toMatchObject({ handled: 0, csatCount: 0 });
  });

  it('takes the first rating of a contact, whatever the arrival order', () => {
    const engine = engineAt(answeredAfter('c1', 'sales', '09:50:00', '09:50:05'), NOW);
    engine.apply(rated(t('09:59:00'), 'c1', 5)); // arrives first, but is the later rating
    engine.apply(rated(t('09:58:00'), 'c1', 1));
    const w = engine.snapshot().queues['sales']?.windows['15m'];
    expect(w).toMatchObject({ csatSum: 1, csatCount: 1, csatPositive: 0, csatAvg: 1, csatPct: 0 });
  });
});

describe('slFormula', () => {
  /**
   * One trace per queue: 4 answered (waits 5, 10, 20 s in SL; 40 s out), 3 abandoned (2 s short;
   * 30 s, 60 s), 1 dequeued. answeredInSl 3, shortAbandoned 1.
   */
  function trace(queue: string): HubEvent[] {
    return [
      ...answeredAfter(`${queue}-a1`, queue, '09:50:00', '09:50:05'),
      ...answeredAfter(`${queue}-a2`, queue, '09:50:00', '09:50:10'),
      ...answeredAfter(`${queue}-a3`, queue, '09:50:00', '09:50:20'),
      ...answeredAfter(`${queue}-a4`, queue, '09:50:00', '09:50:40'),
      ...abandonedAfter(`${queue}-b1`, queue, '09:51:00', '09:51:02'),
      ...abandonedAfter(`${queue}-b2`, queue, '09:51:00', '09:51:30'),
      ...abandonedAfter(`${queue}-b3`, queue, '09:51:00', '09:52:00'),
      queued(t('09:53:00'), `${queue}-d1`, queue),
      dequeued(t('09:53:10'), `${queue}-d1`, 'callback'),
    ];
  }
  const settings = settingsOf({
    qx: { slFormula: 'excludeShortAbandons' },
    qa: { slFormula: 'allAbandons' },
    qo: { slFormula: 'answeredOnly' },
    qa2: { slFormula: 'allAbandons' },
  });
  const events = [...trace('qx'), ...trace('qa'), ...trace('qo'), ...trace('qa2')];
  const engine = engineAt(events, NOW, settings);

  it('excludeShortAbandons: D = answered + abandoned − shortAbandoned, every figure of the window', () => {
    const w = engine.snapshot().queues['qx']?.windows['15m'];
    expect(w).toEqual({
      ...EMPTY_WINDOW, // nothing handled or rated
      offered: 8,
      answered: 4,
      answeredInSl: 3,
      abandoned: 3,
      shortAbandoned: 1,
      flowedOut: 1,
      waitAnsweredMs: 5_000 + 10_000 + 20_000 + 40_000, // 75,000
      waitAbandonedMs: 2_000 + 30_000 + 60_000, // 92,000
      maxWaitMs: 60_000,
      serviceLevel: 50, // 100 × 3 / (4 + 3 − 1)
      abandonRate: expect.closeTo((100 * 2) / 6, 12), // 100 × (3 − 1) / (4 + 3 − 1) = 33.33
      asaSec: 75_000 / 4 / 1000, // 18.75
      maxWaitSec: 60,
    });
  });

  it('allAbandons: D = answered + abandoned', () => {
    const w = engine.snapshot().queues['qa']?.windows['15m'];
    expect(w?.serviceLevel).toBeCloseTo((100 * 3) / 7, 12); // 42.86
    expect(w?.abandonRate).toBeCloseTo((100 * 2) / 6, 12); // the abandon rate does not depend on the formula
  });

  it('answeredOnly: D = answered', () => {
    const w = engine.snapshot().queues['qo']?.windows['15m'];
    expect(w?.serviceLevel).toBe(75); // 100 × 3 / 4
    expect(w?.abandonRate).toBeCloseTo((100 * 2) / 6, 12);
  });

  it('totals use the formula the visible queues share, else excludeShortAbandons', () => {
    const tw = (queues: string[] | null) => engine.snapshot({ queues }).totals.windows['15m'];
    // All four queues: 16 answered, 12 in SL, 12 abandoned, 4 short; formulas differ.
    expect(tw(null)).toMatchObject({ answered: 16, answeredInSl: 12, abandoned: 12, shortAbandoned: 4, flowedOut: 4 });
    expect(tw(null).serviceLevel).toBe(50); // 100 × 12 / (16 + 12 − 4)
    // qa and qa2 share allAbandons: 100 × 6 / (8 + 6).
    expect(tw(['qa', 'qa2']).serviceLevel).toBeCloseTo((100 * 6) / 14, 12);
    expect(tw(['qo']).serviceLevel).toBe(75);
    // qo and qa differ: excludeShortAbandons, 100 × 6 / (8 + 6 − 2).
    expect(tw(['qo', 'qa']).serviceLevel).toBe(50);
    expect(tw(['qo', 'qa']).maxWaitMs).toBe(60_000);
    // Unknown names are ignored; an empty list shows nothing.
    expect(tw(['qo', 'nope']).serviceLevel).toBe(75);
    const none = engine.snapshot({ queues: [] });
    expect([none.queues, none.agents, none.totals.windows['15m'].offered, none.totals.windows['15m'].serviceLevel]).toEqual([
      {},
      {},
      0,
      null,
    ]);
  });
});

describe('zero denominators', () => {
  it('give null for every ratio of an empty window, never 0 or NaN', () => {
    const engine = engineAt([], NOW, settingsOf({ idle: {} }));
    const s = engine.snapshot();
    expectFinite(s);
    for (const w of WINDOWS) {
      expect(s.queues['idle']?.windows[w]).toEqual(EMPTY_WINDOW);
      expect(s.totals.windows[w]).toEqual({ ...EMPTY_WINDOW, occupancy: null });
    }
  });

  it('only short abandons: D = 0 for excludeShortAbandons (null), 1 for allAbandons (0)', () => {
    const settings = settingsOf({ qa: { slFormula: 'allAbandons' } });
    const events = [...abandonedAfter('c1', 'qx', '09:50:00', '09:50:01'), ...abandonedAfter('c2', 'qa', '09:50:00', '09:50:01')];
    // abandonRate: 100 × (1 − 1) / (0 + 1 − 1): null for both.
    expect(queueWindow(events, 'qx', settings)).toMatchObject({ serviceLevel: null, abandonRate: null, asaSec: null });
    expect(queueWindow(events, 'qa', settings)).toMatchObject({ serviceLevel: 0, abandonRate: null });
  });

  it('answeredOnly with no answer: serviceLevel null while abandonRate is defined', () => {
    const settings = settingsOf({ qo: { slFormula: 'answeredOnly' } });
    const w = queueWindow(abandonedAfter('c1', 'qo', '09:50:00', '09:50:30'), 'qo', settings);
    expect(w).toMatchObject({ serviceLevel: null, abandonRate: 100 }); // 100 × (1 − 0) / (0 + 1 − 0)
  });
});
