/**
 * Slow clients get the latest state, never an unbounded backlog: a socket whose queue passes
 * `lagBytes` skips update frames until it drains (then resyncs through `prev`), and one past
 * `slowClientBufferBytes` is disconnected with reason `slow`. The slow client is a hand-written
 * Socket.IO client that stops reading its TCP socket.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAGGING_ROOM } from '../../src/hub/slow-client.js';
import type { UpdateFrame } from '../../src/protocol/index.js';
import { normalize, startHub, type HubFixture } from '../support/live-hub.js';
import { RawSocketIo } from '../support/raw-socket-io.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** More than loopback's socket buffers take from a reader that never reads. */
const FLOOD_BYTES = 16 * MiB;

let f: HubFixture | undefined;
const raws: RawSocketIo[] = [];
afterEach(async () => {
  for (const raw of raws.splice(0)) raw.destroy();
  await f?.close();
  f = undefined;
});

/** A tenant big enough that a snapshot weighs tens of kilobytes: 200 agents over 20 queues. */
async function seedBigTenant(hub: HubFixture): Promise<void> {
  const events: object[] = [];
  for (let i = 0; i < 200; i++) {
    events.push({
      id: `s-${i}`,
      type: 'agent.status',
      ts: hub.ago(600_000),
      agentId: `agent-${i}`,
      status: i % 3 === 0 ? 'aux' : 'available',
      reason: 'training',
      queues: [`q${i % 20}`, `q${(i + 1) % 20}`],
      name: `Agent number ${i}`,
      team: `team-${i % 7}`,
    });
  }
  for (let i = 0; i < 40; i++) events.push({ id: `c-${i}`, type: 'contact.queued', ts: hub.ago(30_000), contactId: `k${i}`, queueId: `q${i % 20}` });
  hub.push('acme', events);
  await hub.quiet();
}

function port(hub: HubFixture): number {
  return (hub.httpServer.address() as AddressInfo).port;
}

async function rawClient(hub: HubFixture): Promise<RawSocketIo> {
  const raw = await RawSocketIo.connect(port(hub), hub.token());
  raws.push(raw);
  return raw;
}

/** The ack of `ackId` (`3<id>[answer]`), once it has arrived. */
async function ack(raw: RawSocketIo, ackId: number): Promise<{ ok: boolean; position?: string; snapshot?: unknown }> {
  const prefix = `3${ackId}[`;
  await raw.until(() => raw.packets.some((p) => p.startsWith(prefix)));
  const packet = raw.packets.find((p) => p.startsWith(prefix))!;
  return (JSON.parse(packet.slice(prefix.length - 1)) as [{ ok: boolean; position?: string; snapshot?: unknown }])[0];
}

/** Stops reading, then asks for the tenant snapshot again and again: acks must be delivered, so they queue up. */
async function flood(raw: RawSocketIo, firstAckId: number): Promise<number> {
  raw.emit(firstAckId, 'subscribe', { topic: 'tenant' });
  const size = JSON.stringify((await ack(raw, firstAckId)).snapshot).length;
  expect(size).toBeGreaterThan(20 * KiB);
  raw.pause();
  const count = Math.ceil(FLOOD_BYTES / size);
  for (let i = 1; i <= count; i++) raw.emit(firstAckId + i, 'subscribe', { topic: 'tenant' });
  return firstAckId + count;
}

function serverSocket(hub: HubFixture) {
  const [socket] = hub.hub.io.of('/').sockets.values();
  if (socket === undefined) throw new Error('no socket connected');
  return socket;
}

/** Runs sweeps (500 ms of virtual time each) until `done` holds; the server works in between. */
async function sweepUntil(hub: HubFixture, done: () => boolean): Promise<void> {
  await expect
    .poll(
      async () => {
        await hub.advance(500);
        return done();
      },
      { timeout: 20_000, interval: 50 },
    )
    .toBe(true);
}

describe('slow clients', () => {
  it('disconnects a client that stops reading, with reason slow, once its queue passes the limit', async () => {
    f = await startHub({ config: { slowClientBufferBytes: 1 * MiB }, slowCheckIntervalMs: 500 });
    const hub = f;
    await seedBigTenant(hub);
    const raw = await rawClient(hub);
    await flood(raw, 0);
    await sweepUntil(hub, () => hub.hub.connections() === 0);
    const line = hub.logs.find((l) => l.msg === 'socket disconnected: slow');
    expect(line?.obj).toMatchObject({ tenant: 'acme', sub: 'sam', limitBytes: 1 * MiB });
    expect((line?.obj as { bytes: number }).bytes).toBeGreaterThan(1 * MiB);
  });

  it('keeps a client that reads, however much it asks for', async () => {
    f = await startHub({ config: { slowClientBufferBytes: 1 * MiB }, slowCheckIntervalMs: 500 });
    await seedBigTenant(f);
    const client = await f.connect(f.token());
    for (let i = 0; i < 100; i++) {
      expect(await client.emitWithAck('subscribe', { topic: 'tenant' })).toMatchObject({ ok: true });
      await f.advance(500);
    }
    expect(client.connected).toBe(true);
    expect(f.logs.some((l) => l.msg === 'socket disconnected: slow')).toBe(false);
  });

  it('skips update frames for a lagging client, which then resyncs through prev to the latest state', async () => {
    // No time-driven refresh: the only changes to q0 are the batches below.
    f = await startHub({ config: { slowClientBufferBytes: 256 * MiB }, lagBytes: 16 * KiB, slowCheckIntervalMs: 500, tickMs: 3_600_000 });
    const hub = f;
    await seedBigTenant(hub);
    const raw = await rawClient(hub);
    raw.emit(0, 'subscribe', { topic: 'queue:q0' });
    const followed = await ack(raw, 0);
    const lastAckId = await flood(raw, 1);
    await sweepUntil(hub, () => serverSocket(hub).rooms.has(LAGGING_ROOM));

    // While it lags, q0 changes: that frame is not queued for it.
    hub.push('acme', [{ id: 'late-1', type: 'contact.queued', ts: hub.ago(1_000), contactId: 'x1', queueId: 'q0' }]);
    await hub.quiet();
    raw.resume();
    await ack(raw, lastAckId);
    const updates = () =>
      raw.packets.filter((p) => p.startsWith('2["update"')).map((p) => (JSON.parse(p.slice(1)) as [string, UpdateFrame])[1]);
    expect(updates()).toEqual([]);

    // Drained: the next sweep lets frames through again, and the first names a prev it never saw.
    await sweepUntil(hub, () => !serverSocket(hub).rooms.has(LAGGING_ROOM));
    hub.push('acme', [{ id: 'late-2', type: 'contact.queued', ts: hub.ago(1_000), contactId: 'x2', queueId: 'q0' }]);
    await raw.until(() => updates().some((u) => u.topic === 'queue:q0'));
    const frame = updates().find((u) => u.topic === 'queue:q0')!;
    expect(frame.prev).not.toBe(followed.position);

    raw.emit(lastAckId + 1, 'subscribe', { topic: 'queue:q0' });
    const resync = await ack(raw, lastAckId + 1);
    expect(resync.position).toBe(frame.position);
    expect(resync.snapshot).toMatchObject({ waiting: 4 });
    const state = hub.live.topicState('acme', '*', 'queue:q0');
    expect(normalize(resync.snapshot)).toEqual(normalize(JSON.parse(JSON.stringify(state?.value))));
  });
});
