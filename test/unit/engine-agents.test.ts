/**
 * Agent figures (docs/metrics.md §6-§7): displayed state and its precedence, `since`, reasons,
 * skills and the queue agent counts they drive, name/team, the current contact, occupancy, and
 * statuses that arrive late. Timezone UTC; times are on 2026-11-22.
 */
import { describe, expect, it } from 'vitest';
import { TenantEngine } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import type { AgentView } from '../../src/protocol/index.js';
import { acwEnded, answered, ended, engineAt, queued, status, utcDay } from '../support/engine-events.js';

const t = utcDay('2026-11-22');
const iso = (time: string): string => new Date(t(time)).toISOString();
const NOW = t('10:00:00');

/** Agent `id` at `now`, given the events of the trace sent by then. */
function agentAt(events: readonly HubEvent[], now: string, id: string): AgentView {
  const a = engineAt(
    events.filter((e) => e.ts <= t(now)),
    t(now),
  ).snapshot().agents[id];
  if (!a) throw new Error(`agent ${id} is not in the snapshot at ${now}`);
  return a;
}

/** An engine at NOW fed `events` in the order given (each within the lateness bound). */
function fedInOrder(events: readonly HubEvent[]): TenantEngine {
  const engine = new TenantEngine({ tenant: 't1', now: NOW });
  for (const e of events) engine.apply(e);
  return engine;
}

describe('displayed state: on_contact > acw > aux > available > offline', () => {
  // ann is on aux break, takes c1 (sales) and c2 (chat) at once, wraps both up, then goes
  // available and offline.
  const trace = [
    status(t('09:40:00'), 'ann', 'aux', { reason: 'break', queues: ['sales', 'chat'] }),
    queued(t('09:49:50'), 'c1', 'sales'),
    answered(t('09:50:00'), 'c1', 'ann'),
    queued(t('09:50:50'), 'c2', 'chat'),
    answered(t('09:51:00'), 'c2', 'ann'),
    ended(t('09:52:00'), 'c1', 0, true),
    ended(t('09:53:00'), 'c2', 0, true),
    acwEnded(t('09:54:00'), 'c1'),
    acwEnded(t('09:55:00'), 'c2'),
    status(t('09:56:00'), 'ann', 'available'),
    status(t('09:57:00'), 'ann', 'offline'),
  ];
  const steps = [
    ['09:45:00', 'aux', '09:40:00', null, null, 'aux status only'],
    ['09:50:30', 'on_contact', '09:50:00', 'c1', 'sales', 'on_contact beats aux'],
    ['09:51:30', 'on_contact', '09:50:00', 'c2', 'chat', 'a second contact: the one answered last shows'],
    ['09:52:30', 'on_contact', '09:50:00', 'c2', 'chat', 'c1 in acw, c2 on contact: on_contact beats acw'],
    ['09:53:30', 'acw', '09:53:00', 'c2', 'chat', 'both in acw'],
    ['09:54:30', 'acw', '09:53:00', 'c2', 'chat', 'c2 still in acw: acw beats aux'],
    ['09:55:30', 'aux', '09:55:00', null, null, 'all wrapped up: back to the aux status'],
    ['09:56:30', 'available', '09:56:00', null, null, 'available'],
    ['09:57:30', 'offline', '09:57:00', null, null, 'offline'],
  ] as const;

  it.each(steps)('at %s: %s since %s, contact %s in %s (%s)', (now, state, since, contactId, queueId) => {
    expect(agentAt(trace, now, 'ann')).toMatchObject({ state, since: iso(since), contactId, queueId });
  });

  it('keeps the aux status and reason visible while the agent is busy on a contact', () => {
    const a = agentAt(trace, '09:52:30', 'ann');
    expect(a).toMatchObject({ state: 'on_contact', status: 'aux', reason: 'break' });
    const later = agentAt(trace, '09:56:30', 'ann');
    expect(later).toMatchObject({ state: 'available', status: 'available', reason: null });
  });

  it('shows an agent known only by an answer as offline once the contact is handled', () => {
    const events = [queued(t('09:49:00'), 'c1', 'sales'), answered(t('09:50:00'), 'c1', 'dan')];
    expect(agentAt(events, '09:51:00', 'dan')).toMatchObject({
      state: 'on_contact',
      status: 'offline',
      since: iso('09:50:00'),
      name: null,
      team: null,
      queues: [],
    });
    const done = agentAt([...events, ended(t('09:52:00'), 'c1', 0, false)], '09:53:00', 'dan');
    expect(done).toMatchObject({ state: 'offline', since: iso('09:52:00'), contactId: null, queueId: null });
  });
});

describe('since', () => {
  it('does not move when the status changes but the state stays (aux lunch → aux break)', () => {
    const events = [
      status(t('09:50:00'), 'ann', 'aux', { reason: 'lunch' }),
      status(t('09:55:00'), 'ann', 'aux', { reason: 'break' }),
    ];
    expect(agentAt(events, '09:56:00', 'ann')).toMatchObject({ state: 'aux', reason: 'break', since: iso('09:50:00') });
  });

  it('does not move when the status changes under a contact, nor between back-to-back contacts', () => {
    const events = [
      status(t('09:40:00'), 'ann', 'available'),
      queued(t('09:49:00'), 'c1', 'sales'),
      answered(t('09:50:00'), 'c1', 'ann'),
      status(t('09:51:00'), 'ann', 'aux', { reason: 'lunch' }), // under the contact
      ended(t('09:52:00'), 'c1', 0, false),
      queued(t('09:51:30'), 'c2', 'sales'),
      answered(t('09:52:00'), 'c2', 'ann'), // the next contact at the very same ms
    ];
    expect(agentAt(events, '09:53:00', 'ann')).toMatchObject({ state: 'on_contact', since: iso('09:50:00'), contactId: 'c2' });
  });

  it('moves to the start of each new state', () => {
    const events = [status(t('09:50:00'), 'ann', 'available'), status(t('09:55:00'), 'ann', 'aux')];
    expect(agentAt(events, '09:56:00', 'ann')).toMatchObject({ state: 'aux', since: iso('09:55:00'), reason: null });
  });
});

describe('the current contact', () => {
  it('is the open contact answered last; tie on the answer time: the greater contactId', () => {
    const events = [
      queued(t('09:49:00'), 'c1', 'sales'),
      answered(t('09:50:00'), 'c1', 'ann'),
      queued(t('09:50:30'), 'c2', 'chat'),
      answered(t('09:51:00'), 'c2', 'ann'),
      ended(t('09:52:00'), 'c2', 0, false), // c2 handled: c1 shows again
    ];
    expect(agentAt(events, '09:52:30', 'ann')).toMatchObject({ contactId: 'c1', queueId: 'sales', state: 'on_contact' });
    const tie = [
      ...events,
      queued(t('09:52:40'), 'c4', 'chat'),
      queued(t('09:52:40'), 'c3', 'sales'),
      answered(t('09:53:00'), 'c4', 'ann'),
      answered(t('09:53:00'), 'c3', 'ann'),
    ];
    expect(agentAt(tie, '09:53:30', 'ann')).toMatchObject({ contactId: 'c4', queueId: 'chat' });
  });
});

describe('aux reasons', () => {
  it("counts aux agents by reason ('unspecified' without one); busy agents count by their activity", () => {
    const skills = { queues: ['sales'] };
    const events = [
      status(t('09:40:00'), 'a1', 'aux', { reason: 'lunch', ...skills }),
      status(t('09:40:00'), 'a2', 'aux', { reason: 'lunch', ...skills }),
      status(t('09:40:00'), 'a3', 'aux', { reason: 'break', ...skills }),
      status(t('09:40:00'), 'a4', 'aux', skills),
      status(t('09:40:00'), 'a5', 'available', skills),
      status(t('09:40:00'), 'a6', 'offline', skills),
      status(t('09:40:00'), 'a7', 'aux', { reason: 'lunch', ...skills }),
      queued(t('09:49:00'), 'c7', 'sales'),
      answered(t('09:50:00'), 'c7', 'a7'), // on contact: counts as onContact, not aux
      status(t('09:40:00'), 'a8', 'aux', { reason: 'coaching', ...skills }),
      queued(t('09:48:00'), 'c8', 'sales'),
      answered(t('09:49:00'), 'c8', 'a8'),
      ended(t('09:50:00'), 'c8', 0, true), // in acw
      status(t('09:40:00'), 'a9', 'aux', { reason: 'lunch', queues: ['other'] }),
    ];
    const s = engineAt(events, NOW).snapshot();
    expect(s.queues['sales']?.agents).toEqual({
      staffed: 7, // all but a6: 1 available + 1 onContact + 1 acw + 4 aux
      available: 1,
      onContact: 1,
      acw: 1,
      aux: 4,
      offline: 1,
      auxByReason: { lunch: 2, break: 1, unspecified: 1 },
    });
    expect(s.queues['other']?.agents).toEqual({
      staffed: 1,
      available: 0,
      onContact: 0,
      acw: 0,
      aux: 1,
      offline: 0,
      auxByReason: { lunch: 1 },
    });
    // Totals count every agent once: the nine above.
    expect(s.totals.agents).toEqual({
      staffed: 8,
      available: 1,
      onContact: 1,
      acw: 1,
      aux: 5,
      offline: 1,
      auxByReason: { lunch: 3, break: 1, unspecified: 1 },
    });
  });
});

describe('skills', () => {
  const events = [
    status(t('09:51:00'), 'bob', 'available', { queues: ['sales'] }),
    status(t('09:53:00'), 'bob', 'aux'), // no queues: the skills stay
    status(t('09:55:00'), 'bob', 'available', { queues: ['support', 'chat'] }),
  ];

  it('follow the latest status that carries queues, whatever the arrival order', () => {
    for (const order of [events, [...events].reverse(), [events[2]!, events[0]!, events[1]!]]) {
      const s = fedInOrder(order).snapshot();
      expect(s.agents['bob']?.queues).toEqual(['support', 'chat']);
      // sales is nobody's skill any more, was offered nothing and is not configured: not listed.
      expect(Object.keys(s.queues)).toEqual(['chat', 'support']);
      expect(s.queues['support']?.agents).toMatchObject({ staffed: 1, available: 1 });
      expect(s.queues['chat']?.agents).toMatchObject({ staffed: 1, available: 1 });
    }
  });

  it('keep the set of the latest status with queues when a later status has none', () => {
    const s = fedInOrder(events.slice(0, 2)).snapshot();
    expect(s.agents['bob']).toMatchObject({ queues: ['sales'], state: 'aux' });
    expect(s.queues['sales']?.agents).toMatchObject({ staffed: 1, aux: 1, auxByReason: { unspecified: 1 } });
  });

  it('move the agent out of a queue that stays listed for its contacts', () => {
    const s = fedInOrder([...events, queued(t('09:58:00'), 'c1', 'sales')]).snapshot();
    expect(s.queues['sales']).toMatchObject({ waiting: 1 });
    expect(s.queues['sales']?.agents).toMatchObject({ staffed: 0, offline: 0, available: 0 });
    // An agent skilled in two queues counts once in the totals.
    expect(s.totals.agents).toMatchObject({ staffed: 1, available: 1 });
  });
});

describe('name and team', () => {
  it('come from the latest status that carries each, whatever the arrival order', () => {
    const events = [
      status(t('09:51:00'), 'ann', 'available', { name: 'Ann', team: 'red' }),
      status(t('09:53:00'), 'ann', 'available', { name: 'Annie' }),
      status(t('09:55:00'), 'ann', 'aux'),
    ];
    for (const order of [events, [...events].reverse()]) {
      expect(fedInOrder(order).snapshot().agents['ann']).toMatchObject({ name: 'Annie', team: 'red' });
    }
  });
});

describe('occupancy', () => {
  // ann: available from 09:30:00; c1 on contact 09:52:00-09:55:00, acw to 09:56:00; available
  // again to 09:58:00, then aux. bob: available 09:30:00-09:50:00, then offline. carol: aux only.
  const events = [
    status(t('09:30:00'), 'ann', 'available', { queues: ['sales'] }),
    status(t('09:30:00'), 'bob', 'available', { queues: ['sales'] }),
    status(t('09:30:00'), 'carol', 'aux', { queues: ['sales'] }),
    queued(t('09:51:50'), 'c1', 'sales'),
    answered(t('09:52:00'), 'c1', 'ann'),
    ended(t('09:55:00'), 'c1', 0, true),
    acwEnded(t('09:56:00'), 'c1'),
    status(t('09:58:00'), 'ann', 'aux', { reason: 'break' }),
    status(t('09:50:00'), 'bob', 'offline'),
  ];
  const s = engineAt(events, NOW).snapshot();

  it('15m (09:45:01 to 10:00:00): busy / (busy + available), aux and offline time left out', () => {
    // ann: busy 180 (on c1) + 60 (acw) = 240 s; available 09:45:01-09:52:00 = 419 s and
    // 09:56:00-09:58:00 = 120 s: 539 s; aux 120 s left out.
    expect(s.agents['ann']?.windows['15m'].occupancy).toBeCloseTo((100 * 240) / (240 + 539), 12);
    // bob: available 09:45:01-09:50:00 = 299 s, never busy.
    expect(s.agents['bob']?.windows['15m'].occupancy).toBe(0);
    expect(s.agents['carol']?.windows['15m'].occupancy).toBeNull();
    // Totals sum the time: 240 / (240 + 539 + 299).
    expect(s.totals.windows['15m'].occupancy).toBeCloseTo((100 * 240) / 1078, 12);
  });

  it('60m (09:00:01 on) and today (00:00 UTC on): offline before the first status does not count', () => {
    // ann: available 09:30:00-09:52:00 = 1,320 s plus 120 s = 1,440 s; busy 240 s.
    for (const w of ['60m', 'today'] as const) {
      expect(s.agents['ann']?.windows[w].occupancy).toBeCloseTo((100 * 240) / 1680, 12);
      // bob: 09:30:00-09:50:00 = 1,200 s available.
      expect(s.totals.windows[w].occupancy).toBeCloseTo((100 * 240) / (1680 + 1200), 12);
    }
  });

  it('carries the handled figures of the window next to it', () => {
    expect(s.agents['ann']?.windows['15m']).toMatchObject({
      handled: 1,
      talkMs: 180_000,
      acwMs: 60_000,
      ahtSec: 240,
      csatAvg: null,
    });
    expect(s.agents['bob']?.windows['15m']).toMatchObject({ handled: 0, ahtSec: null, avgTalkSec: null, csatPct: null });
  });
});

describe('occupancy with overlapping contacts', () => {
  it('counts busy time once while the agent handles two contacts at the same time', () => {
    const events = [
      status(t('09:50:00'), 'ann', 'available'),
      queued(t('09:50:30'), 'c1', 'chat'),
      answered(t('09:51:00'), 'c1', 'ann'),
      ended(t('09:55:00'), 'c1', 0, false),
      queued(t('09:51:30'), 'c2', 'chat'),
      answered(t('09:52:00'), 'c2', 'ann'),
      ended(t('09:53:00'), 'c2', 0, false),
    ];
    // busy 09:51-09:55 = 240 s (c2 lies inside c1); available 09:50-09:51 and 09:55-10:00 = 360 s.
    const a = engineAt(events, NOW).snapshot().agents['ann'];
    expect(a?.windows['15m'].occupancy).toBe(40); // 100 × 240 / 600
    expect(a?.windows['15m']).toMatchObject({ handled: 2, talkMs: 240_000 + 60_000 });
  });
});

describe('occupancy today over a whole local day', () => {
  it('Europe/Paris, 25 October 2026 (25 hours): from 22:00 UTC, through the release of old history', () => {
    const u = (isoTime: string): number => Date.parse(isoTime);
    const engine = new TenantEngine({ tenant: 't1', now: u('2026-10-24T21:00:00Z'), settings: { timezone: 'Europe/Paris', queues: {} } });
    engine.apply(status(u('2026-10-24T21:00:00Z'), 'ann', 'available')); // an hour before the day
    const later = [answered(u('2026-10-25T10:00:00Z'), 'c1', 'ann'), ended(u('2026-10-25T10:30:00Z'), 'c1', 0, false)];
    // Time moves a minute at a time, as the tick would move it, so old history is released on the way.
    for (let now = engine.now; now <= u('2026-10-25T22:30:00Z'); now += 60_000) {
      engine.advance(now);
      for (const e of later) if (e.ts === now) engine.apply(e);
    }
    // Day start 2026-10-24T22:00Z to now 2026-10-25T22:30Z: 24.5 h = 88,200 s, 1,800 s of it on c1.
    expect(engine.snapshot().agents['ann']?.windows.today).toMatchObject({ handled: 1, talkMs: 1_800_000 });
    expect(engine.snapshot().agents['ann']?.windows.today.occupancy).toBeCloseTo((100 * 1800) / 88_200, 12);
    // The next day starts at 23:00Z (CET): 30 min available, nothing busy.
    engine.advance(u('2026-10-25T23:30:00Z'));
    expect(engine.snapshot().agents['ann']?.windows.today).toMatchObject({ handled: 0, occupancy: 0 });
  });
});

describe('a status older than the latest', () => {
  it('is placed in the past: the current status stays, occupancy counts its time', () => {
    const engine = fedInOrder([
      queued(t('09:52:30'), 'c1', 'sales'),
      answered(t('09:53:00'), 'c1', 'ann'),
      ended(t('09:54:00'), 'c1', 0, false),
      status(t('09:55:00'), 'ann', 'aux', { reason: 'lunch' }),
    ]);
    // Before the late status, ann was offline but for c1: busy 60 s, available 0.
    expect(engine.snapshot().agents['ann']?.windows['15m'].occupancy).toBe(100);
    engine.apply(status(t('09:52:00'), 'ann', 'available', { queues: ['sales'] }));
    const a = engine.snapshot().agents['ann'];
    expect(a).toMatchObject({ status: 'aux', reason: 'lunch', state: 'aux', since: iso('09:55:00'), queues: ['sales'] });
    // available 09:52-09:53 and 09:54-09:55 (120 s), busy 09:53-09:54 (60 s): 100 × 60 / 180.
    expect(a?.windows['15m'].occupancy).toBeCloseTo((100 * 60) / 180, 12);
  });
});

describe('an answer with no queued event', () => {
  it('counts for the agent and for no queue', () => {
    const s = engineAt([answered(t('09:50:00'), 'c1', 'dan'), ended(t('09:52:00'), 'c1', 0, false)], NOW).snapshot();
    expect(s.queues).toEqual({});
    expect(s.agents['dan']?.windows['15m']).toMatchObject({ handled: 1, talkMs: 120_000, ahtSec: 120 });
    expect(s.totals.windows['15m']).toMatchObject({ handled: 0, answered: 0 });
    // Totals count every agent, skilled or not.
    expect(s.totals.agents).toMatchObject({ offline: 1, staffed: 0 });
  });
});
