import type { SlFormula } from '../protocol/index.js';

/** Per-queue settings of SPEC §3 (admin-configurable). */
export interface QueueSettings {
  slThresholdSec: number;
  slTargetPct: number;
  shortAbandonSec: number;
  slFormula: SlFormula;
  displayName?: string;
}

export interface TenantSettings {
  timezone: string;
  queues: Record<string, Partial<QueueSettings>>;
}

export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  slThresholdSec: 20,
  slTargetPct: 80,
  shortAbandonSec: 5,
  slFormula: 'excludeShortAbandons',
});

export const DEFAULT_TENANT_SETTINGS: Readonly<TenantSettings> = Object.freeze({
  timezone: 'UTC',
  queues: {},
});

export function resolveQueueSettings(settings: TenantSettings, queueId: string): QueueSettings {
  const own = settings.queues[queueId];
  return own ? { ...DEFAULT_QUEUE_SETTINGS, ...own } : { ...DEFAULT_QUEUE_SETTINGS };
}
