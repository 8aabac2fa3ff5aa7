/**
 * The event log going away under a running node (Redis, or the Postgres server): ingest answers
 * 503 with Retry-After and writes nothing, readiness says which dependency failed, and once the
 * store is back the same batch is accepted whole and nothing accepted before is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/protocol/index.js';
import { Relay } from '../support/relay.js';
import { REDIS_URL, createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

/** Waits for a real outside condition (a reconnect), polling; fails after `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function throughRelay(url: string, port: number): string {
  const relayed = new URL(url);
  relayed.port = String(port);
  return relayed.toString();
}

describe.each([
  ['redis', 'REDIS_URL', 'log'],
  ['postgres', 'DATABASE_URL', 'db'],
] as const)('a node in %s mode losing its store', (mode, variable, failing) => {
  let storage: TestStorage;
  let hub: TestHub;
  let relay: Relay;

  beforeAll(async () => {
    storage = await createStorage(mode);
    const upstream = new URL(mode === 'redis' ? REDIS_URL : (storage.env['DATABASE_URL'] as string));
    relay = new Relay(Number(upstream.port));
    await relay.start();
    hub = await startTestHub(storage, { env: { [variable]: throughRelay(upstream.toString(), relay.port) } });
  });

  afterAll(async () => {
    // Let the node stop against a live store even when the test failed mid-outage.
    await relay?.start();
    await hub?.stop();
    await relay?.stop();
    await storage?.cleanup();
  });

  it('answers 503 while the store is away and loses nothing once it is back', async () => {
    const now = hub.clock.now();
    const event = (id: string) => ({ id, type: 'contact.queued', ts: now - 1000, contactId: id, queueId: 'q' });
    expect((await hub.ingest('acme', [event('before-1'), event('before-2')])).status).toBe(202);

    await relay.stop();
    const during = [event('during-1'), event('during-2'), event('during-3')];
    const refused = await hub.ingest('acme', during);
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'log_unavailable' } } });
    expect(refused.headers.get('retry-after')).toBe('1');
    const ready = await hub.request('GET', '/readyz');
    expect(ready).toMatchObject({ status: 503, body: { error: { code: 'not_ready' } } });
    const checks = (ready.body as { error: { details: Record<string, string> } }).error.details;
    expect(checks[failing]).not.toBe('ok');
    // The process itself is fine.
    expect((await hub.request('GET', '/healthz')).status).toBe(200);
    const metrics = (await hub.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/ph_events_refused_total\{reason="log_unavailable",node="[^"]+"\} 3/);

    await relay.start();
    await eventually(async () => (await hub.request('GET', '/readyz')).status === 200);
    // The refused batch was not half-written: all of it is new now.
    const retried = await hub.ingest('acme', during);
    expect(retried).toMatchObject({ status: 202, body: { accepted: 3, duplicates: 0 } });
    expect((await hub.ingest('acme', [event('after')])).status).toBe(202);
    const snapshot = (await hub.snapshot('acme')).body as Snapshot;
    expect(snapshot.queues['q']).toMatchObject({ waiting: 6, windows: { '15m': { offered: 6 } } });
  });
});
