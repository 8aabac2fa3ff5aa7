/**
 * What an idle entity costs: counter series allocate their buckets with their first contribution,
 * so configured queues that see no traffic (a night shift's, say) hold only their running sums.
 */
import { describe, expect, it } from 'vitest';
import { TenantEngine } from '../../src/engine/index.js';
import { queued, settingsOf, utcDay } from '../support/engine-events.js';

const t = utcDay('2026-11-22');

/** Typed-array storage in use (where the engine keeps its counters). */
function arrayBytes(): number {
  return process.memoryUsage().arrayBuffers;
}

describe('an idle queue', () => {
  it('costs its running sums, not a series of buckets, until it is offered a contact', () => {
    const queues = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`q${i}`, {}]));
    const before = arrayBytes();
    const engine = new TenantEngine({ tenant: 't1', now: t('10:00:00'), settings: settingsOf(queues) });
    const idle = arrayBytes() - before;
    // Four series of running sums per queue are ~0.9 KB; a series of buckets would be tens of KB.
    expect(idle / 2000).toBeLessThan(4096);
    engine.apply(queued(t('10:00:01'), 'c1', 'q7'));
    expect(engine.snapshot().queues['q7']?.windows['15m'].offered).toBe(1);
    expect(engine.snapshot().queues['q8']?.windows['15m'].offered).toBe(0);
  });
});
