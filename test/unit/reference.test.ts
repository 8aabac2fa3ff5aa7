/**
 * Hand-computed examples proving the reference model (test/support/reference.ts) right, so that
 * the property tests compare the engine against something trustworthy. The first suite is the
 * worked example of docs/metrics.md: its figures are asserted here.
 */
import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import { localDayStart, referenceSnapshot, type ReferenceSettings } from '../support/reference.js';

const DAY = Date.UTC(2026, 10, 22);
/** Epoch ms of 2026-11-22 at hh:mm:ss(.mmm) UTC. */
function at(time: string): number {
  const [h, m, s] = time.split(':').map(Number) as [number, number, number];
  return DAY + Math.round(((h * 60 + m) * 60 + s) * 1000);
}

let seq = 0;
const nextId = () => `x${String(++seq).padStart(4, '0')}`;

function status(time: string, agentId: string, s: 'available' | 'aux' | 'offline', extra: { reason?: string; queues?: string[]; name?: string; team?: string } = {}): HubEvent {
  return { id: nextId(), type: 'agent.status', ts: at(time), agentId, status: s, ...extra };
}
function queued(time: string, contactId: string, queueId = 'sales'): HubEvent {
  return { id: nextId(), type: 'contact.queued', ts: at(time), contactId, queueId, channel: 'voice' };
}
function answered(time: string, contactId: string, agentId: string): HubEvent {
  return { id: nextId(), type: 'contact.answered', ts: at(time), contactId, agentId };
}
function abandoned(time: string, contactId: string): HubEvent {
  return { id: nextId(), type: 'contact.abandoned', ts: at(time), contactId };
}
function dequeued(time: string, contactId: string): HubEvent {
  return { id: nextId(), type: 'contact.dequeued', ts: at(time), contactId, reason: 'callback' };
}
function ended(time: string, contactId: string, holdMs: number, acw: boolean): HubEvent {
  return { id: nextId(), type: 'contact.ended', ts: at(time), contactId, holdMs, acw };
}
function acwEnded(time: string, contactId: string): HubEvent {
  return { id: nextId(), type: 'contact.acw_ended', ts: at(time), contactId };
}
function rated(time: string, contactId: string, csat: 1 | 2 | 3 | 4 | 5): HubEvent {
  return { id: nextId(), type: 'contact.rated', ts: at(time), contactId, csat };
}

const UTC_DEFAULTS: ReferenceSettings = { timezone: 'UTC', queues: {} };
const snap = (events: HubEvent[], now: string, settings = UTC_DEFAULTS, queues?: string[] | null) =>
  referenceSnapshot(events, at(now), settings, 't1', { queues });

/** The worked example of docs/metrics.md: queue `sales` (defaults), agents ann and bob. */
const EXAMPLE: HubEvent[] = [
  status('09:40:00', 'ann', 'available', { queues: ['sales'], name: 'Ann', team: 'red' }),
  status('09:40:00', 'bob', 'available', { queues: ['sales'], name: 'Bob', team: 'red' }),
  queued('09:42:00', 'c0'),
  answered('09:42:05', 'c0', 'bob'),
  ended('09:44:00', 'c0', 0, false),
  queued('09:46:00', 'c1'),
  answered('09:46:10', 'c1', 'ann'),
  ended('09:50:10', 'c1', 30_000, true),
  acwEnded('09:51:00', 'c1'),
  rated('09:51:30', 'c1', 5),
  queued('09:47:00', 'c2'),
  answered('09:47:30', 'c2', 'bob'),
  ended('09:50:30', 'c2', 0, false),
  rated('09:52:00', 'c2', 3),
  queued('09:48:00', 'c3'),
  abandoned('09:48:03', 'c3'),
  status('09:52:00', 'bob', 'aux', { reason: 'lunch' }),
  queued('09:53:00', 'c4'),
  abandoned('09:53:40', 'c4'),
  queued('09:55:00', 'c5'),
  answered('09:55:15', 'c5', 'ann'),
  queued('09:56:00', 'c6'),
  dequeued('09:57:00', 'c6'),
  queued('09:58:00', 'c7'),
];

describe('reference: the worked example of docs/metrics.md (now 10:00:00)', () => {
  const s = snap(EXAMPLE, '10:00:00');
  const sales = s.queues['sales'];

  it('has the queue instant figures', () => {
    expect(Object.keys(s.queues)).toEqual(['sales']);
    expect(sales?.waiting).toBe(1);
    expect(sales?.oldestContactId).toBe('c7');
    expect(sales?.oldestWaitSec).toBe(120);
    expect(sales?.agents).toEqual({ staffed: 2, available: 0, onContact: 1, acw: 0, aux: 1, offline: 0, auxByReason: { lunch: 1 } });
  });

  it('has the 15m queue window (09:45:01 to now; c0 falls before it)', () => {
    expect(sales?.windows['15m']).toEqual({
      offered: 7,
      answered: 3,
      answeredInSl: 2,
      abandoned: 2,
      shortAbandoned: 1,
      flowedOut: 1,
      handled: 2,
      waitAnsweredMs: 55_000,
      waitAbandonedMs: 43_000,
      maxWaitMs: 60_000,
      talkMs: 390_000,
      holdMs: 30_000,
      acwMs: 50_000,
      csatSum: 8,
      csatCount: 2,
      csatPositive: 1,
      serviceLevel: 50,
      abandonRate: 25,
      asaSec: 55_000 / 3 / 1000,
      maxWaitSec: 60,
      ahtSec: 235,
      avgTalkSec: 195,
      avgHoldSec: 15,
      avgAcwSec: 25,
      csatAvg: 4,
      csatPct: 50,
    });
  });

  it('has c0 in the 60m window', () => {
    const w = sales?.windows['60m'];
    expect([w?.offered, w?.answered, w?.answeredInSl, w?.handled, w?.talkMs]).toEqual([8, 4, 3, 3, 505_000]);
    expect(w?.serviceLevel).toBe(60);
    expect(w?.ahtSec).toBe(585 / 3);
    expect(s.queues['sales']?.windows.today).toEqual(w);
  });

  it('has the agents', () => {
    const ann = s.agents['ann'];
    const bob = s.agents['bob'];
    expect(ann).toMatchObject({
      name: 'Ann', team: 'red', state: 'on_contact', status: 'available', reason: null,
      since: '2026-11-22T09:55:15.000Z', contactId: 'c5', queueId: 'sales', queues: ['sales'],
    });
    expect(bob).toMatchObject({
      state: 'aux', status: 'aux', reason: 'lunch', since: '2026-11-22T09:52:00.000Z', contactId: null, queueId: null,
    });
    // ann: busy 240 + 50 + 285 s, available the rest of the 899 s window.
    expect(ann?.windows['15m']).toEqual({
      handled: 1, talkMs: 210_000, holdMs: 30_000, acwMs: 50_000, ahtSec: 290, avgTalkSec: 210, avgHoldSec: 30,
      avgAcwSec: 50, csatSum: 5, csatCount: 1, csatPositive: 1, csatAvg: 5, csatPct: 100, occupancy: (100 * 575) / 899,
    });
    // bob: busy 180 s (c2), available 149 + 90 s, then aux.
    expect(bob?.windows['15m'].occupancy).toBe((100 * 180) / 419);
    expect([bob?.windows['15m'].handled, bob?.windows['15m'].ahtSec]).toEqual([1, 180]);
    // 60m: ann also available 09:40:00-09:45:01; bob also on c0 for 115 s and available 186 s.
    expect(ann?.windows['60m'].occupancy).toBe((100 * 575) / (575 + 324 + 301));
    expect(bob?.windows['60m'].occupancy).toBe((100 * 295) / (295 + 239 + 186));
  });

  it('has the totals', () => {
    expect(s.totals.waiting).toBe(1);
    expect(s.totals.oldestContactId).toBe('c7');
    expect(s.totals.windows['15m']).toEqual({ ...sales?.windows['15m'], occupancy: (100 * 755) / 1318 });
    expect(s.asOf).toBe('2026-11-22T10:00:00.000Z');
    expect(s.position).toBe('');
  });
});

describe('reference: contacts', () => {
  it('ignores duplicate ids and second queued events (their queue does not appear)', () => {
    const q = queued('10:00:00', 'c1');
    const again = { ...queued('10:00:05', 'c1', 'other') };
    const s = snap([q, q, again, { ...q }], '10:01:00');
    expect(Object.keys(s.queues)).toEqual(['sales']);
    expect(s.queues['sales']?.windows['15m'].offered).toBe(1);
    expect(s.queues['sales']?.oldestWaitSec).toBe(60);
  });

  it('takes the first leave in the canonical order (same ts: smaller id)', () => {
    const a = { ...abandoned('10:00:10', 'c1'), id: 'b' };
    const b = { ...answered('10:00:10', 'c1', 'ann'), id: 'a' };
    const s = snap([queued('10:00:00', 'c1'), a, b], '10:01:00');
    expect(s.queues['sales']?.windows['15m']).toMatchObject({ answered: 1, abandoned: 0, waitAnsweredMs: 10_000 });
    expect(s.agents['ann']?.state).toBe('on_contact');
  });

  it('creates an agent only through the first leave', () => {
    const s = snap([queued('10:00:00', 'c1'), abandoned('10:00:01', 'c1'), answered('10:00:02', 'c1', 'zed')], '10:01:00');
    expect(s.agents).toEqual({});
    expect(s.queues['sales']?.windows['15m']).toMatchObject({ abandoned: 1, shortAbandoned: 1, answered: 0 });
  });

  it('handles at acw_ended, or at ended without acw; talk never negative', () => {
    const events = [
      queued('10:00:00', 'c1'),
      answered('10:00:20', 'c1', 'ann'),
      ended('10:00:30', 'c1', 15_000, true),
      queued('10:00:00', 'c2'),
      answered('10:00:21', 'c2', 'ann'),
      ended('10:00:31', 'c2', 4_000, false),
    ];
    const before = snap(events, '10:02:00').queues['sales']?.windows['15m'];
    expect(before).toMatchObject({ handled: 1, talkMs: 6_000, holdMs: 4_000, acwMs: 0, answeredInSl: 1 });
    const after = snap([...events, acwEnded('10:01:30', 'c1')], '10:02:00').queues['sales']?.windows['15m'];
    expect(after).toMatchObject({ handled: 2, talkMs: 6_000, holdMs: 19_000, acwMs: 60_000 });
  });

  it('counts SL and short abandons at their exact limits', () => {
    const settings: ReferenceSettings = { timezone: 'UTC', queues: { sales: { slThresholdSec: 10, shortAbandonSec: 3 } } };
    const events = [
      queued('10:00:00', 'c1'), answered('10:00:10', 'c1', 'ann'),
      queued('10:00:00', 'c2'), answered('10:00:10.001', 'c2', 'ann'),
      queued('10:00:00', 'c3'), abandoned('10:00:02.999', 'c3'),
      queued('10:00:00', 'c4'), abandoned('10:00:03', 'c4'),
    ];
    const w = snap(events, '10:01:00', settings).queues['sales']?.windows['15m'];
    expect(w).toMatchObject({ answered: 2, answeredInSl: 1, abandoned: 2, shortAbandoned: 1, maxWaitMs: 10_001 });
    expect(w?.serviceLevel).toBe(100 / 3);
    expect(w?.abandonRate).toBe(100 / 3);
  });

  it('applies each slFormula', () => {
    const events = [
      queued('10:00:00', 'c1'), answered('10:00:01', 'c1', 'ann'),
      queued('10:00:00', 'c2'), abandoned('10:00:01', 'c2'),
      queued('10:00:00', 'c3'), abandoned('10:00:30', 'c3'),
    ];
    const sl = (slFormula: 'excludeShortAbandons' | 'allAbandons' | 'answeredOnly') =>
      snap(events, '10:01:00', { timezone: 'UTC', queues: { sales: { slFormula } } }).queues['sales']?.windows['15m'].serviceLevel;
    expect([sl('excludeShortAbandons'), sl('allAbandons'), sl('answeredOnly')]).toEqual([50, 100 / 3, 100]);
  });

  it('gives ratings to the queue and to the answering agent only', () => {
    const events = [
      queued('10:00:00', 'c1'), answered('10:00:01', 'c1', 'ann'), rated('10:00:05', 'c1', 4),
      queued('10:00:00', 'c2'), abandoned('10:00:09', 'c2'), rated('10:00:10', 'c2', 1),
    ];
    const s = snap(events, '10:01:00');
    expect(s.queues['sales']?.windows['15m']).toMatchObject({ csatSum: 5, csatCount: 2, csatPositive: 1, csatAvg: 2.5, csatPct: 50 });
    expect(s.agents['ann']?.windows['15m']).toMatchObject({ csatSum: 4, csatCount: 1, csatPct: 100, handled: 0, ahtSec: null });
  });

  it('gives agent figures without a queued event, and no queue figures', () => {
    const events = [answered('10:00:00', 'c1', 'ann'), ended('10:00:40', 'c1', 0, false), answered('10:00:50', 'c2', 'ann')];
    const s = snap(events, '10:01:00');
    expect(s.queues).toEqual({});
    expect(s.agents['ann']).toMatchObject({ state: 'on_contact', contactId: 'c2', queueId: null, queues: [] });
    expect(s.agents['ann']?.windows['15m']).toMatchObject({ handled: 1, talkMs: 40_000, occupancy: 100 });
    expect(s.totals.windows['15m']).toMatchObject({ handled: 0, occupancy: 100 });
  });

  it('orders waiting contacts by queued time, then contactId; future waits count 0', () => {
    const s = snap([queued('10:00:00', 'c2'), queued('10:00:00', 'c10'), queued('10:00:00', 'c3', 'b')], '10:01:00');
    expect(s.queues['sales']).toMatchObject({ waiting: 2, oldestContactId: 'c10', oldestWaitSec: 60 });
    expect(s.totals).toMatchObject({ waiting: 3, oldestContactId: 'c10' });
    const future = snap([queued('10:01:02', 'c1')], '10:01:00');
    expect(future.queues['sales']?.oldestWaitSec).toBe(0);
    expect(future.queues['sales']?.windows['15m'].offered).toBe(1);
  });
});

describe('reference: windows', () => {
  it('cuts the rolling windows at whole seconds', () => {
    // now 10:00:00.500: second 36000; 15m holds seconds >= 36000 - 899, i.e. from 09:45:01.000.
    const events = [queued('09:45:00.999', 'c1'), queued('09:45:01', 'c2'), queued('09:00:00.999', 'c3'), queued('09:00:01', 'c4')];
    const w = snap(events, '10:00:00.5').queues['sales']?.windows;
    expect([w?.['15m'].offered, w?.['60m'].offered, w?.today.offered]).toEqual([1, 3, 4]);
    const later = snap(events, '10:00:01').queues['sales']?.windows;
    expect([later?.['15m'].offered, later?.['60m'].offered]).toEqual([0, 2]);
  });

  it('integrates occupancy from the window start to now only', () => {
    const events = [status('09:30:00', 'ann', 'available'), answered('09:50:00.5', 'c1', 'ann'), ended('09:55:00.5', 'c1', 0, false), status('09:57:00.5', 'ann', 'aux')];
    const w = snap(events, '10:00:00.5').agents['ann']?.windows;
    // 15m from 09:45:01.000 to 10:00:00.500: available 299.5 s + 120 s, busy 300 s.
    expect(w?.['15m'].occupancy).toBe((100 * 300_000) / (300_000 + 419_500));
    expect(snap(events, '10:30:00').agents['ann']?.windows['15m'].occupancy).toBe(null);
  });

  it('starts today at local midnight, DST-correct, or at the first instant of a day without midnight', () => {
    const h = 3_600_000;
    expect(localDayStart(Date.UTC(2026, 10, 22, 23, 59), 'UTC')).toBe(Date.UTC(2026, 10, 22));
    expect(localDayStart(Date.UTC(2026, 9, 25, 11, 0), 'Europe/Paris')).toBe(Date.UTC(2026, 9, 24, 22, 0));
    expect(localDayStart(Date.UTC(2026, 9, 25, 22, 59, 59, 999), 'Europe/Paris')).toBe(Date.UTC(2026, 9, 24, 22, 0));
    expect(localDayStart(Date.UTC(2026, 9, 25, 23, 0), 'Europe/Paris')).toBe(Date.UTC(2026, 9, 25, 23, 0));
    expect(localDayStart(Date.UTC(2026, 2, 8, 7, 30), 'America/New_York')).toBe(Date.UTC(2026, 2, 8, 5, 0));
    expect(localDayStart(Date.UTC(2026, 2, 9, 4, 0) + h, 'America/New_York')).toBe(Date.UTC(2026, 2, 9, 4, 0));
    expect(localDayStart(Date.UTC(2026, 8, 6, 12, 0), 'America/Santiago')).toBe(Date.UTC(2026, 8, 6, 4, 0));
  });

  it('uses the local day for the today window', () => {
    const settings: ReferenceSettings = { timezone: 'America/New_York', queues: {} };
    const before = referenceSnapshot([queued('04:59:59.999', 'c1')], at('05:00:00'), settings, 't1');
    expect(before.queues['sales']?.windows.today.offered).toBe(0);
    const inside = referenceSnapshot([queued('05:00:00', 'c1')], at('05:00:00'), settings, 't1');
    expect(inside.queues['sales']?.windows.today.offered).toBe(1);
  });
});

describe('reference: agents', () => {
  it('keeps since when the displayed state does not change, and moves it when it does', () => {
    const events = [
      status('09:00:00', 'ann', 'available', { queues: ['sales'], name: 'Ann' }),
      status('09:10:00', 'ann', 'available', { team: 'blue' }),
      answered('09:20:00', 'c1', 'ann'),
      ended('09:20:00', 'c1', 0, false),
    ];
    const a = snap(events, '10:00:00').agents['ann'];
    expect(a).toMatchObject({ state: 'available', since: '2026-11-22T09:00:00.000Z', name: 'Ann', team: 'blue', queues: ['sales'] });
    const b = snap([...events, answered('09:30:00', 'c2', 'ann'), ended('09:40:00', 'c2', 0, false)], '10:00:00').agents['ann'];
    expect(b).toMatchObject({ state: 'available', since: '2026-11-22T09:40:00.000Z', contactId: null });
  });

  it('keeps since across a change of aux reason, and reports the status reason while busy', () => {
    const events = [
      status('09:00:00', 'ann', 'aux', { reason: 'lunch', queues: ['sales'] }),
      status('09:10:00', 'ann', 'aux', { reason: 'break' }),
      answered('09:20:00', 'c1', 'ann'),
    ];
    const s = snap(events, '10:00:00');
    expect(snap(events.slice(0, 2), '10:00:00').agents['ann']).toMatchObject({ state: 'aux', reason: 'break', since: '2026-11-22T09:00:00.000Z' });
    expect(s.agents['ann']).toMatchObject({ state: 'on_contact', status: 'aux', reason: 'break', since: '2026-11-22T09:20:00.000Z', queues: ['sales'] });
    expect(s.queues['sales']?.agents).toMatchObject({ onContact: 1, aux: 0, auxByReason: {} });
  });

  it('names the open contact with the latest leave, acw included, ties to the greater id', () => {
    const events = [
      queued('09:00:00', 'c1', 'q1'), answered('09:01:00', 'c1', 'ann'), ended('09:02:00', 'c1', 0, true),
      queued('09:00:00', 'c2', 'q2'), answered('09:00:30', 'c2', 'ann'),
    ];
    expect(snap(events, '10:00:00').agents['ann']).toMatchObject({ state: 'on_contact', contactId: 'c1', queueId: 'q1' });
    const tie = [...events, queued('09:00:00', 'c0', 'q3'), answered('09:01:00', 'c0', 'ann')];
    expect(snap(tie, '10:00:00').agents['ann']).toMatchObject({ contactId: 'c1' });
    const a = snap([...events.slice(0, 3), acwEnded('09:03:00', 'c1')], '10:00:00').agents['ann'];
    expect(a).toMatchObject({ state: 'offline', contactId: null, since: '2026-11-22T09:03:00.000Z' });
  });

  it('counts agents in the queues of their current skills', () => {
    const events = [
      status('09:00:00', 'ann', 'available', { queues: ['a', 'b'] }),
      status('09:05:00', 'ann', 'aux', { queues: ['b'] }),
      status('09:00:00', 'bob', 'offline', { queues: ['b'] }),
    ];
    const s = snap(events, '10:00:00');
    expect(Object.keys(s.queues).sort()).toEqual(['b']);
    expect(s.queues['b']?.agents).toEqual({ staffed: 1, available: 0, onContact: 0, acw: 0, aux: 1, offline: 1, auxByReason: { unspecified: 1 } });
  });
});

describe('reference: queue filter', () => {
  const settings: ReferenceSettings = {
    timezone: 'UTC',
    queues: { a: { slFormula: 'answeredOnly' }, b: { slFormula: 'answeredOnly' }, c: {} },
  };
  const events = [
    status('09:00:00', 'ann', 'available', { queues: ['a'] }),
    status('09:00:00', 'bob', 'available', { queues: ['c'] }),
    status('09:00:00', 'cy', 'available'),
    queued('09:59:00', 'c1', 'a'), abandoned('09:59:30', 'c1'),
    queued('09:59:00', 'c2', 'b'), answered('09:59:10', 'c2', 'cy'),
  ];

  it('restricts queues, agents and totals; unknown names are ignored', () => {
    const s = snap(events, '10:00:00', settings, ['a', 'b', 'nope']);
    expect(Object.keys(s.queues).sort()).toEqual(['a', 'b']);
    expect(Object.keys(s.agents)).toEqual(['ann']);
    expect(s.totals.windows['15m']).toMatchObject({ offered: 2, answered: 1, abandoned: 1, serviceLevel: 100, occupancy: 0 });
    expect(s.totals.agents.staffed).toBe(1);
  });

  it('falls back to excludeShortAbandons when the formulas differ, and counts every agent without a filter', () => {
    const s = snap(events, '10:00:00', settings, null);
    expect(s.totals.windows['15m'].serviceLevel).toBe(50);
    expect(Object.keys(s.agents).sort()).toEqual(['ann', 'bob', 'cy']);
    expect(s.totals.agents).toMatchObject({ staffed: 3, onContact: 1, available: 2 });
  });

  it('shows nothing for an empty filter', () => {
    const s = snap(events, '10:00:00', settings, []);
    expect([s.queues, s.agents, s.totals.waiting, s.totals.windows['15m'].occupancy]).toEqual([{}, {}, 0, null]);
  });
});
