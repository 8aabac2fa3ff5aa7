/**
 * Windows and time (docs/metrics.md §1, §4, §7): the rolling 15m/60m windows at their exact
 * one-second edges, `today` at local midnight (DST days included), a timezone change, time-driven
 * figures with no event, late and repeated events, and queue settings changing.
 */
import { describe, expect, it } from 'vitest';
import { TenantEngine, startOfLocalDay, startOfNextLocalDay, type TenantSettings } from '../../src/engine/index.js';
import type { HubEvent } from '../../src/events/index.js';
import type { WindowName } from '../../src/protocol/index.js';
import {
  abandoned,
  acwEnded,
  answered,
  dequeued,
  ended,
  queued,
  rated,
  settingsOf,
  status,
  utcDay,
} from '../support/engine-events.js';

const t = utcDay('2026-11-22');
const utc = (isoTime: string): number => Date.parse(isoTime);

function engineFrom(now: number, settings?: TenantSettings): TenantEngine {
  return new TenantEngine({ tenant: 't1', now, ...(settings ? { settings } : {}) });
}

function offered(engine: TenantEngine, w: WindowName, queue = 'sales'): number | undefined {
  return engine.snapshot().queues[queue]?.windows[w].offered;
}

/** Offered in 15m, 60m and today. */
function offeredAll(engine: TenantEngine, queue = 'sales'): [number?, number?, number?] {
  const q = engine.snapshot().queues[queue];
  return [q?.windows['15m'].offered, q?.windows['60m'].offered, q?.windows.today.offered];
}

describe('rolling windows: one-second resolution, S = floor(now / 1000)', () => {
  it('15m holds the seconds >= S − 899: a contribution leaves when its second falls out, with no event', () => {
    const engine = engineFrom(t('10:00:00'));
    engine.apply(queued(t('10:00:00.000'), 'c1', 'sales')); // second 10:00:00
    engine.apply(queued(t('10:00:00.999'), 'c2', 'sales')); // second 10:00:00
    engine.apply(queued(t('10:00:01.000'), 'c3', 'sales')); // second 10:00:01
    // now 10:14:59.999: S − 899 = 10:14:59 − 899 s = 10:00:00, all three in.
    engine.advance(t('10:14:59.999'));
    expect(offered(engine, '15m')).toBe(3);
    // now 10:15:00.000: S − 899 = 10:00:01, the second 10:00:00 is out.
    engine.advance(t('10:15:00.000'));
    expect(offered(engine, '15m')).toBe(1);
    engine.advance(t('10:15:01.000'));
    expect(offeredAll(engine)).toEqual([0, 3, 3]);
  });

  it('60m holds the seconds >= S − 3599', () => {
    const engine = engineFrom(t('10:00:00'));
    engine.apply(queued(t('10:00:00.500'), 'c1', 'sales'));
    // now 10:59:59.999: S − 3599 = 10:00:00, in.
    engine.advance(t('10:59:59.999'));
    expect(offeredAll(engine)).toEqual([0, 1, 1]);
    engine.advance(t('11:00:00.000'));
    expect(offeredAll(engine)).toEqual([0, 0, 1]);
  });

  it('maxWaitMs falls back to the longest remaining wait when the longest leaves the window', () => {
    const engine = engineFrom(t('09:58:30'));
    engine.apply(queued(t('09:58:30'), 'c1', 'sales'));
    engine.apply(abandoned(t('10:00:00'), 'c1')); // wait 90 s, at 10:00:00
    engine.apply(queued(t('10:04:30'), 'c2', 'sales'));
    engine.apply(answered(t('10:05:00'), 'c2', 'ann')); // wait 30 s, at 10:05:00
    const maxWait = (w: WindowName) => engine.snapshot().queues['sales']?.windows[w].maxWaitMs;
    engine.advance(t('10:14:59.999'));
    expect(maxWait('15m')).toBe(90_000);
    engine.advance(t('10:15:00'));
    expect([maxWait('15m'), maxWait('60m')]).toEqual([30_000, 90_000]);
    engine.advance(t('10:20:00'));
    expect([maxWait('15m'), maxWait('60m'), maxWait('today')]).toEqual([0, 90_000, 90_000]);
  });

  it('counts a contribution stamped a few seconds ahead (clock skew) at once', () => {
    const engine = engineFrom(t('10:00:00'));
    engine.apply(queued(t('10:00:30'), 'c1', 'sales'));
    expect(offeredAll(engine)).toEqual([1, 1, 1]);
    expect(engine.snapshot().queues['sales']?.oldestWaitSec).toBe(0); // max(0, now − queued)
  });

  it('places every counter of a contact at its own settling time as the windows slide', () => {
    const engine = engineFrom(t('10:00:00'));
    for (const e of [
      queued(t('10:00:00'), 'c1', 'sales'),
      answered(t('10:00:10'), 'c1', 'ann'),
      ended(t('10:02:00'), 'c1', 0, true),
      acwEnded(t('10:03:00'), 'c1'),
      rated(t('10:04:00'), 'c1', 5),
    ]) {
      engine.apply(e);
    }
    const w15 = () => engine.snapshot().queues['sales']?.windows['15m'];
    engine.advance(t('10:15:00')); // 15m from 10:00:01: the offer has left
    expect(w15()).toMatchObject({ offered: 0, answered: 1, handled: 1, csatCount: 1 });
    engine.advance(t('10:15:11')); // from 10:00:12: the answer has left
    expect(w15()).toMatchObject({ offered: 0, answered: 0, waitAnsweredMs: 0, maxWaitMs: 0, handled: 1 });
    engine.advance(t('10:18:01')); // from 10:03:02: handled (at acw_ended 10:03:00) has left
    expect(w15()).toMatchObject({ handled: 0, talkMs: 0, acwMs: 0, csatCount: 1, csatSum: 5 });
    engine.advance(t('10:19:01')); // from 10:04:02: the rating has left
    expect(w15()).toMatchObject({ csatCount: 0, csatSum: 0, csatAvg: null });
  });
});

describe('local days', () => {
  it.each([
    // zone, an instant of the day, its start, the next day's start (hours long)
    ['UTC', '2026-11-22T12:00:00Z', '2026-11-22T00:00:00Z', '2026-11-23T00:00:00Z'], // 24 h
    ['Europe/Paris', '2026-11-22T12:00:00Z', '2026-11-21T23:00:00Z', '2026-11-22T23:00:00Z'], // CET, UTC+1: 24 h
    ['America/New_York', '2026-03-08T12:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'], // EST → EDT: 23 h
    ['Europe/Paris', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z'], // CEST → CET: 25 h
    ['America/Santiago', '2026-09-06T12:00:00Z', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z'], // no midnight: 01:00 −03
  ])('%s: the day of %s starts at %s, the next at %s', (zone, instant, start, next) => {
    expect(startOfLocalDay(utc(instant), zone)).toBe(utc(start));
    expect(startOfLocalDay(utc(start), zone)).toBe(utc(start));
    expect(startOfLocalDay(utc(start) - 1, zone)).toBeLessThan(utc(start));
    expect(startOfNextLocalDay(utc(start), zone)).toBe(utc(next));
  });
});

describe('today', () => {
  /**
   * A queue of a tenant in `zone` with contributions just before and at the day start, and one
   * late in the day; today read at the last ms of the day and at the next day's start, with no
   * event between.
   */
  function dayEdges(zone: string, dayStart: string, lateInDay: string, nextStart: string): void {
    const start = utc(dayStart);
    const engine = engineFrom(start - 60_000, settingsOf({}, zone));
    engine.apply(queued(start - 1, 'c0', 'sales')); // the day before
    engine.advance(start);
    engine.apply(queued(start, 'c1', 'sales')); // the first ms of the day
    expect(offered(engine, 'today')).toBe(1);
    expect(offered(engine, '60m')).toBe(2);
    engine.advance(utc(lateInDay));
    engine.apply(queued(utc(lateInDay), 'c2', 'sales'));
    engine.advance(utc(nextStart) - 1); // the day's last ms
    expect(offered(engine, 'today')).toBe(2);
    engine.advance(utc(nextStart));
    expect(offered(engine, 'today')).toBe(0);
  }

  // zone, why; the day start, a time late in the day, the next day's start (UTC)
  it.each([
    ['Europe/Paris', 'local midnight is 23:00 UTC in winter', '2026-11-21T23:00', '2026-11-22T22:30', '2026-11-22T23:00'],
    ['America/New_York', '8 March 2026, DST starts: 23 hours', '2026-03-08T05:00', '2026-03-09T03:30', '2026-03-09T04:00'],
    // 22:30Z on the 25th is 23:30 CET, still the 25th: a 24-hour day would have ended at 22:00Z.
    ['Europe/Paris', '25 October 2026, DST ends: 25 hours', '2026-10-24T22:00', '2026-10-25T22:30', '2026-10-25T23:00'],
    ['America/Santiago', '6 September 2026, no midnight: from 01:00 local', '2026-09-06T04:00', '2026-09-07T02:30', '2026-09-07T03:00'],
  ])('%s, %s', (zone, _why, dayStart, lateInDay, nextStart) => {
    const z = (hhmm: string) => `${hhmm}:00Z`;
    dayEdges(zone, z(dayStart), z(lateInDay), z(nextStart));
  });

  it('keeps its counters and maximum wait after the morning leaves the rolling windows', () => {
    const engine = engineFrom(t('00:58:30'));
    engine.apply(queued(t('00:58:30'), 'big', 'sales'));
    engine.advance(t('01:00:00'));
    engine.apply(abandoned(t('01:00:00'), 'big')); // wait 90 s
    // Then one contact every 30 s for 5 hours, each abandoned after 1 s.
    let now = t('01:00:00');
    for (let i = 0; i < 600; i++) {
      now += 30_000;
      engine.advance(now - 1000);
      engine.apply(queued(now - 1000, `c${i}`, 'sales'));
      engine.advance(now);
      engine.apply(abandoned(now, `c${i}`));
    }
    engine.advance(t('10:00:00'));
    const w = engine.snapshot().queues['sales']?.windows;
    expect(w?.today).toMatchObject({ offered: 601, abandoned: 601, shortAbandoned: 600, maxWaitMs: 90_000 });
    expect(w?.['60m']).toMatchObject({ offered: 0, maxWaitMs: 0 }); // the last one left at 06:00:00
  });

  it('applies a new tenant timezone from the next midnight of the new zone', () => {
    // now 2026-11-21T23:30Z: 23:30 on the 21st in UTC, 00:30 on the 22nd in Paris.
    const engine = engineFrom(utc('2026-11-21T22:50:00Z'));
    engine.apply(queued(utc('2026-11-21T22:50:00Z'), 'c1', 'sales'));
    engine.advance(utc('2026-11-21T23:10:00Z'));
    engine.apply(queued(utc('2026-11-21T23:10:00Z'), 'c2', 'sales'));
    engine.advance(utc('2026-11-21T23:30:00Z'));
    expect(offered(engine, 'today')).toBe(2); // UTC day from 2026-11-21T00:00Z
    engine.setSettings(settingsOf({}, 'Europe/Paris'));
    // Today keeps counting from the UTC midnight it started at...
    expect(offered(engine, 'today')).toBe(2);
    // ...past the old zone's midnight (2026-11-22T00:00Z)...
    engine.advance(utc('2026-11-22T00:20:00Z'));
    engine.apply(queued(utc('2026-11-22T00:20:00Z'), 'c3', 'sales'));
    expect(offered(engine, 'today')).toBe(3);
    // ...until Paris's next midnight, 2026-11-22T23:00Z, where it starts afresh in the new zone.
    engine.advance(utc('2026-11-22T22:59:59Z'));
    expect(offered(engine, 'today')).toBe(3);
    engine.advance(utc('2026-11-22T23:00:00Z'));
    engine.apply(queued(utc('2026-11-22T23:00:00Z'), 'c4', 'sales'));
    expect(offered(engine, 'today')).toBe(1);
    expect(offered(engine, '60m')).toBe(1); // the rolling windows do not depend on the zone
  });
});

describe('oldestWaitSec', () => {
  it('moves with time, with no event, and passes to the next oldest when the oldest leaves', () => {
    const engine = engineFrom(t('10:00:00'));
    engine.apply(queued(t('10:00:05'), 'c2', 'sales'));
    engine.apply(queued(t('10:00:00'), 'c1', 'sales'));
    engine.apply(queued(t('10:00:05'), 'c3', 'support'));
    engine.advance(t('10:00:30.500'));
    let s = engine.snapshot();
    expect(s.queues['sales']).toMatchObject({ waiting: 2, oldestContactId: 'c1', oldestWaitSec: 30.5 });
    expect(s.totals).toMatchObject({ waiting: 3, oldestContactId: 'c1', oldestWaitSec: 30.5 });
    engine.apply(answered(t('10:00:40'), 'c1', 'ann'));
    engine.advance(t('10:01:00'));
    s = engine.snapshot();
    // c2 and c3 were queued at the same ms: the smaller contactId is the oldest.
    expect(s.queues['sales']).toMatchObject({ waiting: 1, oldestContactId: 'c2', oldestWaitSec: 55 });
    expect(s.totals).toMatchObject({ waiting: 2, oldestContactId: 'c2', oldestWaitSec: 55 });
    engine.apply(dequeued(t('10:01:00'), 'c2', 'timeout'));
    engine.apply(abandoned(t('10:01:00'), 'c3'));
    s = engine.snapshot();
    expect(s.queues['sales']).toMatchObject({ waiting: 0, oldestContactId: null, oldestWaitSec: null });
    expect(s.totals).toMatchObject({ waiting: 0, oldestContactId: null, oldestWaitSec: null });
  });
});

describe('late events', () => {
  it('an answer that arrives before its queued event is placed where it belongs', () => {
    const engine = engineFrom(t('10:01:00'));
    engine.apply(answered(t('10:00:20'), 'c1', 'ann'));
    expect(engine.snapshot().queues).toEqual({});
    engine.apply(queued(t('10:00:00'), 'c1', 'sales'));
    const s = engine.snapshot();
    // wait 10:00:20 − 10:00:00 = 20 s: in SL (<= 20 s).
    expect(s.queues['sales']?.windows['15m']).toMatchObject({ offered: 1, answered: 1, answeredInSl: 1, waitAnsweredMs: 20_000 });
    expect(s.queues['sales']?.waiting).toBe(0);
    expect(s.agents['ann']).toMatchObject({ state: 'on_contact', since: '2026-11-22T10:00:20.000Z', contactId: 'c1', queueId: 'sales' });
  });

  it('a late queued event counts at its ts, not at its arrival', () => {
    const engine = engineFrom(t('10:09:30'));
    engine.apply(queued(t('10:00:00'), 'c1', 'sales')); // 9.5 minutes late
    expect(engine.snapshot().queues['sales']?.oldestWaitSec).toBe(570); // 9.5 × 60
    engine.advance(t('10:15:00')); // 15m from 10:00:01
    expect(offeredAll(engine)).toEqual([0, 1, 1]);
  });
});

describe('repeated events', () => {
  it('a second contact.queued for a known contact changes nothing, its queue does not even appear', () => {
    const first = queued(t('10:00:00'), 'c1', 'sales');
    const second = queued(t('10:00:10'), 'c1', 'support');
    for (const order of [
      [first, second],
      [second, first],
    ]) {
      const engine = engineFrom(t('10:01:00'));
      for (const e of order) engine.apply(e);
      const s = engine.snapshot();
      expect(Object.keys(s.queues)).toEqual(['sales']);
      expect(s.queues['sales']).toMatchObject({ waiting: 1, oldestWaitSec: 60 });
      expect(s.queues['sales']?.windows['15m'].offered).toBe(1);
    }
  });

  it('duplicates of every event type change nothing', () => {
    const trace: HubEvent[] = [
      status(t('10:00:00'), 'ann', 'available', { queues: ['sales'], name: 'Ann' }),
      queued(t('10:01:00'), 'c1', 'sales'),
      answered(t('10:01:10'), 'c1', 'ann'),
      ended(t('10:03:00'), 'c1', 5_000, true),
      acwEnded(t('10:03:30'), 'c1'),
      rated(t('10:04:00'), 'c1', 4),
      queued(t('10:02:00'), 'c2', 'sales'),
      abandoned(t('10:02:03'), 'c2'),
      queued(t('10:02:00'), 'c3', 'sales'),
      dequeued(t('10:02:30'), 'c3', 'voicemail'),
    ];
    const once = engineFrom(t('10:05:00'));
    for (const e of trace) expect(once.apply(e), e.type).toBe(true);
    const twice = engineFrom(t('10:05:00'));
    for (const e of trace) twice.apply(e);
    for (const e of [...trace].reverse()) {
      expect(twice.apply(e), `${e.type} again`).toBe(false);
      expect(twice.apply({ ...e }), `a copy of ${e.type}`).toBe(false);
    }
    expect(twice.snapshot()).toEqual(once.snapshot());
  });
});

describe('queue settings changing', () => {
  it('apply to contributions from then on; the formula applies to the derived figures at once', () => {
    const engine = engineFrom(t('10:00:00'));
    engine.apply(queued(t('10:00:00'), 'c1', 'sales'));
    engine.advance(t('10:00:15'));
    engine.apply(answered(t('10:00:15'), 'c1', 'ann')); // wait 15 s <= 20 s: in SL
    engine.apply(queued(t('10:00:20'), 'c2', 'sales'));
    engine.advance(t('10:00:24'));
    engine.apply(abandoned(t('10:00:24'), 'c2')); // wait 4 s < 5 s: short
    engine.advance(t('10:01:00'));
    engine.setSettings(settingsOf({ sales: { slThresholdSec: 10, shortAbandonSec: 3, slFormula: 'allAbandons' } }));
    engine.apply(queued(t('10:01:00'), 'c3', 'sales'));
    engine.advance(t('10:01:15'));
    engine.apply(answered(t('10:01:15'), 'c3', 'bob')); // wait 15 s > 10 s: out of SL
    engine.apply(queued(t('10:01:20'), 'c4', 'sales'));
    engine.advance(t('10:01:24'));
    engine.apply(abandoned(t('10:01:24'), 'c4')); // wait 4 s >= 3 s: not short
    const w = engine.snapshot().queues['sales']?.windows['15m'];
    expect(w).toMatchObject({ answered: 2, answeredInSl: 1, abandoned: 2, shortAbandoned: 1 });
    // allAbandons: D = 2 + 2, 100 × 1 / 4.
    expect(w?.serviceLevel).toBe(25);
    // 100 × (2 − 1) / (2 + 2 − 1)
    expect(w?.abandonRate).toBeCloseTo(100 / 3, 12);
  });
});
