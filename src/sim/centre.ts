import type { Channel, HubEvent } from '../events/index.js';

/** A small seeded PRNG (mulberry32), so simulated days are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CentreOptions {
  tenant: string;
  agents: number;
  queues: number;
  from: number;
  to: number;
  seed?: number;
  /** Share of offered contacts that abandon (default 0.1) and that flow out (default 0.05). */
  abandonShare?: number;
  flowOutShare?: number;
}

export interface CentrePlan {
  queueIds: string[];
  agentIds: string[];
  events: HubEvent[];
}

const NAMES = ['Ann', 'Bob', 'Chen', 'Dara', 'Eve', 'Femi', 'Gus', 'Hana', 'Ivo', 'Jas', 'Kai', 'Lea', 'Mo', 'Nia', 'Oli', 'Pia'];
const QUEUE_NAMES = ['sales', 'support', 'billing', 'retention', 'tech', 'claims', 'orders', 'vip'];
const AUX_REASONS = ['break', 'lunch', 'training', 'meeting'];
const CHANNELS: Channel[] = ['voice', 'voice', 'voice', 'chat', 'email', 'messaging'];

/**
 * Plays a busy contact centre: agents log in with skills, answer contacts after a realistic wait,
 * talk (sometimes with hold), wrap up, take breaks; some callers abandon (a few within seconds),
 * some contacts flow out, some are rated. Events are returned in time order.
 */
export function simulateCentre(o: CentreOptions): CentrePlan {
  const rnd = prng(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const between = (lo: number, hi: number): number => Math.round(lo + rnd() * (hi - lo));
  const expo = (mean: number): number => Math.round(-Math.log(1 - rnd()) * mean);
  const queueIds = Array.from({ length: o.queues }, (_, i) => (i < QUEUE_NAMES.length ? QUEUE_NAMES[i]! : `q${i + 1}`));
  const agentIds = Array.from({ length: o.agents }, (_, i) => `${o.tenant}-a${i + 1}`);
  const events: HubEvent[] = [];
  let seq = 0;
  const id = (): string => `${o.tenant}-e${++seq}`;
  let contactSeq = 0;
  const contactId = (): string => `${o.tenant}-c${++contactSeq}`;

  for (const [i, agentId] of agentIds.entries()) {
    const skills = [queueIds[i % queueIds.length]!];
    if (queueIds.length > 1 && rnd() < 0.5) skills.push(queueIds[(i + 1) % queueIds.length]!);
    let t = o.from + between(0, 120_000);
    events.push({
      id: id(), type: 'agent.status', ts: t, agentId, status: 'available', queues: skills,
      name: `${pick(NAMES)} ${String.fromCharCode(65 + (i % 26))}.`, team: `team-${(i % 4) + 1}`,
    });
    while (t < o.to) {
      if (rnd() < 0.04) {
        events.push({ id: id(), type: 'agent.status', ts: t, agentId, status: 'aux', reason: pick(AUX_REASONS) });
        t += between(5 * 60_000, 15 * 60_000);
        events.push({ id: id(), type: 'agent.status', ts: t, agentId, status: 'available' });
        continue;
      }
      t += expo(20_000);
      const queueId = pick(skills);
      const cid = contactId();
      const wait = expo(18_000);
      events.push({ id: id(), type: 'contact.queued', ts: t - wait, contactId: cid, queueId, channel: pick(CHANNELS) });
      events.push({ id: id(), type: 'contact.answered', ts: t, contactId: cid, agentId });
      const hold = rnd() < 0.2 ? between(10_000, 60_000) : 0;
      t += between(90_000, 420_000) + hold;
      const acw = rnd() < 0.85;
      events.push({ id: id(), type: 'contact.ended', ts: t, contactId: cid, holdMs: hold, acw });
      if (acw) {
        t += between(15_000, 90_000);
        events.push({ id: id(), type: 'contact.acw_ended', ts: t, contactId: cid });
      }
      if (rnd() < 0.2) {
        events.push({ id: id(), type: 'contact.rated', ts: t + between(20_000, 120_000), contactId: cid, csat: between(1, 5) as 1 | 2 | 3 | 4 | 5 });
      }
    }
    events.push({ id: id(), type: 'agent.status', ts: t, agentId, status: 'offline' });
  }

  // Contacts that never reach an agent, in proportion to those answered.
  const answered = contactSeq;
  const lost = Math.round((answered * ((o.abandonShare ?? 0.1) + (o.flowOutShare ?? 0.05))) / 0.85);
  const flowShare = (o.flowOutShare ?? 0.05) / ((o.abandonShare ?? 0.1) + (o.flowOutShare ?? 0.05));
  for (let k = 0; k < lost; k++) {
    const cid = contactId();
    const queued = between(o.from, o.to);
    events.push({ id: id(), type: 'contact.queued', ts: queued, contactId: cid, queueId: pick(queueIds), channel: pick(CHANNELS) });
    if (rnd() < flowShare) {
      events.push({ id: id(), type: 'contact.dequeued', ts: queued + between(30_000, 240_000), contactId: cid, reason: pick(['transfer', 'callback', 'voicemail', 'timeout'] as const) });
    } else {
      const wait = rnd() < 0.25 ? between(500, 4_900) : expo(60_000);
      events.push({ id: id(), type: 'contact.abandoned', ts: queued + wait, contactId: cid });
    }
  }
  events.sort((a, b) => a.ts - b.ts);
  return { queueIds, agentIds, events };
}
