import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, REFUSAL_REASONS } from '../../src/metrics/index.js';

describe('createMetrics', () => {
  it('exposes every hub metric in the Prometheus text format', async () => {
    const metrics = createMetrics();
    metrics.connections.set(3);
    metrics.eventsAccepted.inc(42);
    metrics.eventsRefused.inc({ reason: 'rate_limited' }, 7);
    metrics.logLagEvents.set(12);
    metrics.updateLatencySeconds.observe(0.004);
    metrics.engineEventsApplied.inc(40);

    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE ph_connections gauge');
    expect(text).toMatch(/^ph_connections 3$/m);
    expect(text).toMatch(/^ph_events_accepted_total 42$/m);
    expect(text).toMatch(/^ph_events_refused_total\{reason="rate_limited"\} 7$/m);
    expect(text).toMatch(/^ph_log_lag_events 12$/m);
    expect(text).toContain('# TYPE ph_update_latency_seconds histogram');
    expect(text).toMatch(/^ph_update_latency_seconds_bucket\{le="0.001"\} 0$/m);
    expect(text).toMatch(/^ph_update_latency_seconds_bucket\{le="0.005"\} 1$/m);
    expect(text).toMatch(/^ph_update_latency_seconds_bucket\{le="1"\} 1$/m);
    expect(text).toMatch(/^ph_engine_events_applied_total 40$/m);
    expect(text).toMatch(/^ph_process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^ph_nodejs_eventloop_lag_seconds /m);
  });

  it('exposes every refusal reason from the start', async () => {
    const text = await createMetrics().registry.metrics();
    for (const reason of REFUSAL_REASONS) {
      expect(text).toMatch(new RegExp(`^ph_events_refused_total\\{reason="${reason}"\\} 0$`, 'm'));
    }
  });

  it('labels every metric with the node when given', async () => {
    const text = await createMetrics({ nodeId: 'node-a' }).registry.metrics();
    expect(text).toMatch(/^ph_connections\{node="node-a"\} 0$/m);
    expect(text).toMatch(/^ph_events_refused_total\{reason="invalid",node="node-a"\} 0$/m);
  });

  it('keeps instances apart and off the global registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.eventsAccepted.inc(5);
    expect(await b.registry.metrics()).toMatch(/^ph_events_accepted_total 0$/m);
    expect(await globalRegistry.metrics()).not.toContain('ph_');
  });
});
