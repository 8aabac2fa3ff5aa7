/**
 * Each queue's service-level settings, for the colour states: from GET /v1/config/queues/:id when
 * the hub has it and the token may read it, else the SPEC defaults (threshold 20 s, target 80 %).
 */
import type { PulseClient } from '../../sdk/src/index.js';
import { DEFAULT_SETTINGS, type QueueSettings } from '../../shared/levels.js';

function numberIn(value: unknown, min: number, max: number): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : undefined;
}

export async function loadQueueSettings(client: PulseClient, queueId: string): Promise<QueueSettings> {
  try {
    const body = await client.http.getJson<Record<string, unknown>>(`/v1/config/queues/${encodeURIComponent(queueId)}`);
    const s = typeof body.settings === 'object' && body.settings !== null ? (body.settings as Record<string, unknown>) : body;
    return {
      slThresholdSec: numberIn(s.slThresholdSec, 1, 3600) ?? DEFAULT_SETTINGS.slThresholdSec,
      slTargetPct: numberIn(s.slTargetPct, 0, 100) ?? DEFAULT_SETTINGS.slTargetPct,
    };
  } catch {
    return DEFAULT_SETTINGS;
  }
}
