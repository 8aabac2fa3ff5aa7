/** Closing the hub, and the update latency it observes for the node's metrics. */
import { map } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, disconnection, next, startHub, type HubFixture } from '../support/live-hub.js';

let f: HubFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('close', () => {
  it('tells every socket the reason, disconnects them, refuses newcomers and leaves the HTTP server open', async () => {
    f = await startHub();
    const a = await f.connect(f.token());
    const b = await f.connect(f.token({ tenant: 'beta', role: 'wallboard' }));
    expect(await a.emitWithAck('subscribe', { topic: 'tenant' })).toMatchObject({ ok: true });
    const notices = [collect(a, 'pulse:disconnect'), collect(b, 'pulse:disconnect')];
    const gone = [disconnection(a), disconnection(b)];

    await f.hub.close('shutdown');

    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(notices).toEqual([[{ reason: 'shutdown' }], [{ reason: 'shutdown' }]]);
    expect(f.hub.connections()).toBe(0);
    expect((await f.metrics.connections.get()).values[0]?.value).toBe(0);
    expect(f.live.topicState('acme', '*', 'tenant')).toBeNull();
    expect(f.httpServer.listening).toBe(true);
    // Refused at the Engine.IO handshake (HTTP 403), before Socket.IO could answer with a code.
    expect(await f.refusal({ token: f.token() })).toBeInstanceOf(Error);
  });
});

describe('update latency', () => {
  it('observes append-to-frame time for updates that carry appendedAt and reach a socket', async () => {
    f = await startHub({ mapUpdates: (updates$, clock) => updates$.pipe(map((u) => ({ ...u, appendedAt: clock.now() - 7 }))) });
    const client = await f.connect(f.token());
    expect(await client.emitWithAck('subscribe', { topic: 'queue:sales' })).toMatchObject({ ok: true });
    const frame = next(client, 'update');
    f.push('acme', [{ id: 'e1', type: 'contact.queued', ts: f.ago(1_000), contactId: 'c1', queueId: 'sales' }]);
    await frame;
    const histogram = (await f.metrics.updateLatencySeconds.get()).values;
    expect(histogram.find((v) => v.metricName === 'ph_update_latency_seconds_count')?.value).toBe(1);
    expect(histogram.find((v) => v.metricName === 'ph_update_latency_seconds_sum')?.value).toBeCloseTo(0.007, 6);
  });

  it('observes nothing for an update no socket of this node follows', async () => {
    f = await startHub({ mapUpdates: (updates$, clock) => updates$.pipe(map((u) => ({ ...u, appendedAt: clock.now() }))) });
    const client = await f.connect(f.token());
    expect(await client.emitWithAck('subscribe', { topic: 'queue:support' })).toMatchObject({ ok: true });
    f.push('acme', [{ id: 'e1', type: 'agent.status', ts: f.ago(1_000), agentId: 'ann', status: 'available', queues: ['sales'] }]);
    await f.quiet();
    const histogram = (await f.metrics.updateLatencySeconds.get()).values;
    expect(histogram.find((v) => v.metricName === 'ph_update_latency_seconds_count')?.value).toBe(0);
  });
});
