/**
 * A whole node in each mode (embedded PGlite, Postgres, Redis + Postgres): events in over REST,
 * figures out of the snapshot; duplicates, arrival order and restarts change nothing.
 */
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../src/events/index.js';
import type { ClientToServerEvents, ServerToClientEvents, Snapshot, SubscribeAck, UpdateFrame } from '../../src/protocol/index.js';
import { prng, simulateCentre } from '../../src/sim/centre.js';
import { HUB_MODES, createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

/** A snapshot without what differs between two equal states: when and where it was taken. */
function figures(body: unknown): Omit<Snapshot, 'asOf' | 'position' | 'tenant'> {
  const { asOf: _asOf, position: _position, tenant: _tenant, ...rest } = body as Snapshot;
  return rest;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rnd = prng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Nine minutes of a small centre ending now, inside the lateness bound. */
function recentTrace(now: number): HubEvent[] {
  const { events } = simulateCentre({ tenant: 'sim', agents: 12, queues: 3, from: now - 9 * 60_000, to: now, seed: 7 });
  return events.filter((e) => e.ts <= now && e.ts >= now - 9.5 * 60_000);
}

describe.each(HUB_MODES)('a node in %s mode', (mode) => {
  let storage: TestStorage;
  let hub: TestHub;

  beforeAll(async () => {
    // Embedded: each node opens PGlite itself, so a restart really reopens the data directory.
    storage = await createStorage(mode, { ownDb: true });
    hub = await startTestHub(storage);
  });

  afterAll(async () => {
    await hub?.stop();
    await storage?.cleanup();
  });

  it('turns posted events into snapshot figures', async () => {
    const now = hub.clock.now();
    const posted = await hub.ingest('fig', [
      { id: 'f1', type: 'agent.status', ts: now - 120_000, agentId: 'ann', status: 'available', queues: ['sales'], name: 'Ann' },
      { id: 'f2', type: 'contact.queued', ts: now - 60_000, contactId: 'c1', queueId: 'sales' },
      { id: 'f3', type: 'contact.answered', ts: now - 50_000, contactId: 'c1', agentId: 'ann' },
      { id: 'f4', type: 'contact.queued', ts: now - 40_000, contactId: 'c2', queueId: 'sales' },
      { id: 'f5', type: 'contact.abandoned', ts: now - 37_000, contactId: 'c2' },
      { id: 'f6', type: 'contact.queued', ts: new Date(now - 20_000).toISOString(), contactId: 'c3', queueId: 'sales' },
    ]);
    expect(posted).toMatchObject({ status: 202, body: { accepted: 6, duplicates: 0 } });

    const { status, body } = await hub.snapshot('fig');
    expect(status).toBe(200);
    const snapshot = body as Snapshot;
    expect(snapshot.tenant).toBe('fig');
    expect(snapshot.asOf).toBe(new Date(now).toISOString());
    expect(snapshot.queues['sales']).toMatchObject({
      waiting: 1,
      oldestWaitSec: 20,
      oldestContactId: 'c3',
      agents: { staffed: 1, onContact: 1, available: 0 },
      windows: { '15m': { offered: 3, answered: 1, answeredInSl: 1, abandoned: 1, shortAbandoned: 1, serviceLevel: 100, asaSec: 10 } },
    });
    expect(snapshot.agents['ann']).toMatchObject({ name: 'Ann', state: 'on_contact', contactId: 'c1', queueId: 'sales' });
    expect(snapshot.totals).toMatchObject({ waiting: 1, oldestWaitSec: 20 });
  });

  it('gives the same figures whatever the arrival order, batching and repeats', async () => {
    const now = hub.clock.now();
    const trace = recentTrace(now);
    for (const batch of chunks(trace, 50)) expect((await hub.ingest('ordered', batch)).status).toBe(202);
    let accepted = 0;
    let duplicates = 0;
    const scrambled = shuffled([...trace, ...trace.slice(0, 40)], 11);
    for (const batch of chunks(scrambled, 37)) {
      const answer = await hub.ingest('scrambled', batch);
      expect(answer.status).toBe(202);
      const counts = answer.body as { accepted: number; duplicates: number };
      accepted += counts.accepted;
      duplicates += counts.duplicates;
    }
    expect({ accepted, duplicates }).toEqual({ accepted: trace.length, duplicates: 40 });
    const ordered = figures((await hub.snapshot('ordered')).body);
    expect(Object.keys(ordered.agents)).toHaveLength(12);
    expect(figures((await hub.snapshot('scrambled')).body)).toEqual(ordered);
  });

  it('counts duplicates across two posts', async () => {
    const now = hub.clock.now();
    const events = [
      { id: 'd1', type: 'contact.queued', ts: now - 5_000, contactId: 'c1', queueId: 'q' },
      { id: 'd2', type: 'contact.queued', ts: now - 4_000, contactId: 'c2', queueId: 'q' },
    ];
    expect((await hub.ingest('dup', events)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect((await hub.ingest('dup', [...events, { id: 'd3', type: 'contact.abandoned', ts: now - 1_000, contactId: 'c1' }])).body).toEqual({
      accepted: 1,
      duplicates: 2,
    });
    // Same ids, another tenant: not duplicates.
    expect((await hub.ingest('dup-other', events)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect((await hub.snapshot('dup')).body).toMatchObject({ queues: { q: { waiting: 1, windows: { '15m': { offered: 2, abandoned: 1 } } } } });
  });

  it('carries a posted event to a subscribed socket, and times it from the append', async () => {
    const client: Socket<ServerToClientEvents, ClientToServerEvents> = connectClient(hub.url, {
      auth: { token: hub.token({ tenant: 'live', role: 'wallboard' }) },
      transports: ['websocket'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      const ack: SubscribeAck = await client.emitWithAck('subscribe', { topic: 'tenant' });
      expect(ack).toMatchObject({ ok: true, topic: 'tenant', snapshot: { tenant: 'live', queues: {} } });
      const update = new Promise<UpdateFrame>((resolve) => {
        client.on('update', (frame) => {
          if (frame.changes !== null && 'queues' in frame.changes) resolve(frame);
        });
      });
      const now = hub.clock.now();
      await hub.ingest('live', [{ id: 'l1', type: 'contact.queued', ts: now - 3_000, contactId: 'c1', queueId: 'sales' }]);
      const frame = await update;
      expect(frame).toMatchObject({ topic: 'tenant', changes: { queues: { sales: { waiting: 1 } } } });
      const text = (await hub.request('GET', '/metrics')).body as string;
      expect(text).toMatch(/ph_update_latency_seconds_count\{node="[^"]+"\} [1-9]/);
      expect(text).toMatch(/ph_connections\{node="[^"]+"\} 1/);
    } finally {
      client.close();
    }
  });

  it('restarts with identical figures, and still knows every id it accepted', async () => {
    const now = hub.clock.now();
    const tenants = ['fig', 'ordered', 'scrambled', 'dup', 'dup-other', 'live'];
    const before = new Map<string, unknown>();
    for (const tenant of tenants) before.set(tenant, (await hub.snapshot(tenant)).body);

    // The stop saved a checkpoint round: the new node resumes from it with nothing to replay...
    await hub.restart();
    expect(hub.node.replayed.records).toBe(0);
    expect(hub.clock.now()).toBe(now);
    for (const tenant of tenants) {
      const after = (await hub.snapshot(tenant)).body as Snapshot;
      expect(after.asOf).toBe(new Date(now).toISOString());
      expect(figures(after)).toEqual(figures(before.get(tenant)));
    }
    // ...and without checkpoints it replays the whole log, to the same figures.
    await hub.restart({ withoutCheckpoints: true });
    expect(hub.node.replayed.records).toBeGreaterThan(0);
    for (const tenant of tenants) {
      expect(figures((await hub.snapshot(tenant)).body)).toEqual(figures(before.get(tenant)));
    }
    const trace = recentTrace(now);
    expect((await hub.ingest('ordered', trace)).body).toEqual({ accepted: 0, duplicates: trace.length });

    // Later, the restarted node goes on from where the log left it.
    hub.clock.advance(30_000);
    expect((await hub.ingest('fig', [{ id: 'f7', type: 'contact.answered', ts: hub.clock.now() - 1_000, contactId: 'c3', agentId: 'ann' }])).status).toBe(202);
    expect((await hub.snapshot('fig')).body).toMatchObject({ queues: { sales: { waiting: 0, windows: { '15m': { answered: 2 } } } } });
  });

  // Last: it stops the node.
  it('stops gracefully: a batch in flight is answered, then nothing is accepted', async () => {
    let stopping: Promise<void> | undefined;
    hub.node.httpServer.once('request', () => {
      stopping = hub.node.stop('test shutdown');
    });
    const url = hub.url;
    const events = [{ id: 'b1', type: 'contact.queued', ts: hub.clock.now(), contactId: 'c1', queueId: 'q' }];
    const answer = await hub.request('POST', '/v1/events', { token: hub.token({ tenant: 'bye', role: 'ingest' }), body: { events } });
    expect(answer).toMatchObject({ status: 202, body: { accepted: 1 } });
    await stopping;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(hub.logs.some((l) => l.includes('"msg":"node stopped"'))).toBe(true);
  });
});
