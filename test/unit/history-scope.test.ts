import { describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_SETTINGS } from '../../src/engine/index.js';
import { atSettings, emptyQueueCounters, scopedQuery, type HistoryRange } from '../../src/store/history.js';

const range: HistoryRange = { tenant: 't', from: 0, to: 900_000, granularity: '15m', timezone: 'UTC', settings: { timezone: 'UTC', queues: {} } };
const agentSkills = new Map([
  ['a1', ['sales']],
  ['a2', ['support']],
  ['a3', ['sales', 'vip']],
]);

describe('history scope', () => {
  it('reads every queue and agent of the tenant for an unlimited caller', () => {
    const q = scopedQuery(range, { queues: null, agents: 'all', channel: null }, { queues: null, agentSkills });
    expect(q.queues).toBeNull();
    expect(q.occupancyAgents).toBeNull();
    expect(q.canSeeAgent).toBeUndefined();
  });

  it('intersects the asked queues with the claim, and counts occupancy over the agents skilled in them', () => {
    const q = scopedQuery(range, { queues: ['sales', 'support'], agents: ['a1', 'a2', 'a3'], channel: 'voice' }, { queues: ['sales', 'vip'], agentSkills });
    expect(q.queues).toEqual(['sales']);
    expect(q.occupancyAgents).toEqual(['a1', 'a3']);
    expect(['a1', 'a2', 'a3'].filter(q.canSeeAgent!)).toEqual(['a1', 'a3']);
    const asked = scopedQuery(range, { queues: ['support'], agents: 'all', channel: null }, { queues: null, agentSkills });
    expect(['a1', 'a2', 'a3'].filter(asked.canSeeAgent!)).toEqual(['a2']);
    expect(q.channel).toBe('voice');
  });

  it('takes the claim as the queues when none are asked', () => {
    const q = scopedQuery(range, { queues: null, agents: null, channel: null }, { queues: ['support'], agentSkills });
    expect(q.queues).toEqual(['support']);
    expect(q.occupancyAgents).toEqual(['a2']);
  });
});

describe('settings applied on read', () => {
  const c = { ...emptyQueueCounters(), answered: 10, answeredInSl: 7, abandoned: 4, shortAbandoned: 2 };
  c.answeredWithin = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  c.abandonedWithin = [1, 2, 3, 3, 3, 4, 4];

  it('counts service level and short abandons from the buckets at a bucket threshold', () => {
    const s = atSettings(c, { ...DEFAULT_QUEUE_SETTINGS, slThresholdSec: 45, shortAbandonSec: 10 });
    expect(s.answeredInSl).toBe(5);
    expect(s.shortAbandoned).toBe(3);
  });

  it('keeps the stored counts at other thresholds, and counts no short abandon at 0 s', () => {
    const s = atSettings(c, { ...DEFAULT_QUEUE_SETTINGS, slThresholdSec: 25, shortAbandonSec: 0 });
    expect(s.answeredInSl).toBe(7);
    expect(s.shortAbandoned).toBe(0);
    expect(atSettings(c, { ...DEFAULT_QUEUE_SETTINGS, shortAbandonSec: 7 }).shortAbandoned).toBe(2);
  });
});
