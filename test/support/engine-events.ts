/**
 * Event builders and engine helpers for the metric engine's unit tests: events read as
 * `answered(t('09:50:10'), 'c1', 'ann')`, so a test's trace can be checked against its
 * hand-computed figures line by line.
 */
import { expect } from 'vitest';
import { TenantEngine, type TenantSettings } from '../../src/engine/index.js';
import type { DequeueReason, HubEvent } from '../../src/events/index.js';

/** `t('hh:mm:ss(.mmm)')`: epoch ms of that UTC time on `day` ('YYYY-MM-DD'). */
export function utcDay(day: string): (time: string) => number {
  const base = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isNaN(base)) throw new RangeError(`utcDay: not a date: ${day}`);
  return (time) => {
    const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?$/.exec(time);
    if (!m) throw new RangeError(`utcDay: not hh:mm:ss(.mmm): ${time}`);
    const [, h, mi, s, ms] = m;
    return base + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + Number(ms ?? 0);
  };
}

let seq = 0;
/** Ids in increasing order of creation, so ties at one ts follow the order a test wrote them in. */
const nextId = (): string => `ev${String(++seq).padStart(6, '0')}`;

type StatusExtra = { reason?: string; queues?: string[]; name?: string; team?: string };

export function status(ts: number, agentId: string, s: 'available' | 'aux' | 'offline', extra: StatusExtra = {}): HubEvent {
  return { id: nextId(), type: 'agent.status', ts, agentId, status: s, ...extra };
}
export function queued(ts: number, contactId: string, queueId: string): HubEvent {
  return { id: nextId(), type: 'contact.queued', ts, contactId, queueId, channel: 'voice' };
}
export function answered(ts: number, contactId: string, agentId: string): HubEvent {
  return { id: nextId(), type: 'contact.answered', ts, contactId, agentId };
}
export function abandoned(ts: number, contactId: string): HubEvent {
  return { id: nextId(), type: 'contact.abandoned', ts, contactId };
}
export function dequeued(ts: number, contactId: string, reason: DequeueReason): HubEvent {
  return { id: nextId(), type: 'contact.dequeued', ts, contactId, reason };
}
export function ended(ts: number, contactId: string, holdMs: number, acw: boolean): HubEvent {
  return { id: nextId(), type: 'contact.ended', ts, contactId, holdMs, acw };
}
export function acwEnded(ts: number, contactId: string): HubEvent {
  return { id: nextId(), type: 'contact.acw_ended', ts, contactId };
}
export function rated(ts: number, contactId: string, csat: 1 | 2 | 3 | 4 | 5): HubEvent {
  return { id: nextId(), type: 'contact.rated', ts, contactId, csat };
}

/** Tenant settings in the shape the engine takes: a timezone and per-queue overrides. */
export function settingsOf(queues: TenantSettings['queues'] = {}, timezone = 'UTC'): TenantSettings {
  return { timezone, queues };
}

/**
 * An engine fed as in production: created at the first event, each event applied when its time
 * comes (the clock advanced to its ts first), then time moved on to `now`.
 */
export function engineAt(events: readonly HubEvent[], now: number, settings?: TenantSettings): TenantEngine {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const start = Math.min(now, sorted[0]?.ts ?? now);
  const engine = new TenantEngine({ tenant: 't1', now: start, ...(settings ? { settings } : {}) });
  for (const e of sorted) {
    engine.advance(e.ts);
    engine.apply(e);
  }
  engine.advance(now);
  return engine;
}

/** Fails naming the path of the first NaN or infinite number found in a snapshot-like value. */
export function expectFinite(value: unknown, path = 'snapshot'): void {
  if (typeof value === 'number') {
    expect(Number.isFinite(value), `${path} is ${value}`).toBe(true);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) expectFinite(v, `${path}.${k}`);
  }
}
