/**
 * Subscribe → snapshot in the ack → update frames whose patches a client can follow, conflation,
 * and unsubscribe, over real sockets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewKey } from '../../src/engine/index.js';
import type { SubscribeAck, Topic, UpdateFrame } from '../../src/protocol/index.js';
import { applyMergePatch } from '../../src/protocol/merge-patch.js';
import { barrier, collect, next, normalize, startHub, type Client, type HubFixture } from '../support/live-hub.js';

let f: HubFixture;
beforeEach(async () => {
  f = await startHub({ updateIntervalMs: 50 });
});
afterEach(async () => {
  await f.close();
});

const agentStatus = (id: string, agentId: string, queues: string[], status = 'available') => ({
  id,
  type: 'agent.status',
  ts: f.ago(60_000),
  agentId,
  status,
  queues,
  name: agentId.toUpperCase(),
});
const queued = (id: string, queueId: string) => ({ id, type: 'contact.queued', ts: f.ago(5_000), contactId: `c-${id}`, queueId });

/** acme: ann in sales, bob in support, one contact waiting in each queue; then a quiet period. */
async function seed(): Promise<void> {
  f.push('acme', [agentStatus('e1', 'ann', ['sales']), agentStatus('e2', 'bob', ['support']), queued('e3', 'sales'), queued('e4', 'support')]);
  await f.quiet();
}

async function subscribe(client: Client, topic: string): Promise<SubscribeAck> {
  return client.emitWithAck('subscribe', { topic });
}

function okAck(ack: SubscribeAck): Extract<SubscribeAck, { ok: true }> {
  if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.code} ${ack.error.message}`);
  return ack;
}

/** The topic's object as the engine last emitted it for a view, as JSON would carry it. */
function engineValue(queues: readonly string[] | null, topic: Topic): unknown {
  const state = f.live.topicState('acme', viewKey(queues), topic);
  if (state === null) throw new Error('view is not open');
  return normalize(JSON.parse(JSON.stringify(state.value)));
}

function follow(snapshot: unknown, frame: UpdateFrame): unknown {
  return frame.changes === null ? null : applyMergePatch(snapshot, frame.changes);
}

describe('subscribe', () => {
  it.each<[string, (snapshot: unknown) => void]>([
    ['tenant', (s) => expect(Object.keys((s as { queues: object }).queues).sort()).toEqual(['sales', 'support'])],
    ['agents', (s) => expect(Object.keys(s as object).sort()).toEqual(['ann', 'bob'])],
    ['queue:sales', (s) => expect(s).toMatchObject({ waiting: 1 })],
    ['agent:ann', (s) => expect(s).toMatchObject({ name: 'ANN', queues: ['sales'] })],
  ])('answers %s with its snapshot and position', async (topic, check) => {
    await seed();
    const client = await f.connect(f.token());
    const ack = okAck(await subscribe(client, topic));
    expect(ack.topic).toBe(topic);
    expect(ack.position).toMatch(/^\d+\.\d+$/);
    check(ack.snapshot);
    expect(normalize(ack.snapshot)).toEqual(engineValue(null, topic as Topic));
  });

  it('answers an unknown agent or queue with null, and an empty tenant with its empty snapshot', async () => {
    const client = await f.connect(f.token({ tenant: 'empty' }));
    expect(okAck(await subscribe(client, 'agent:nobody')).snapshot).toBeNull();
    expect(okAck(await subscribe(client, 'queue:nowhere')).snapshot).toBeNull();
    expect(okAck(await subscribe(client, 'tenant')).snapshot).toMatchObject({ tenant: 'empty', queues: {}, agents: {} });
  });

  it.each<[string, unknown[]]>([
    ['no payload', []],
    ['a string', ['tenant']],
    ['a number', [42]],
    ['null', [null]],
    ['no topic', [{}]],
    ['a numeric topic', [{ topic: 7 }]],
  ])('refuses %s with bad_request', async (_name, args) => {
    const client = await f.connect(f.token());
    const ack = (await client.timeout(5000).emitWithAck('subscribe', ...(args as [{ topic: string }]))) as SubscribeAck;
    expect(ack).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    if (!ack.ok) expect(ack.error.message.length).toBeGreaterThan(0);
  });

  it.each(['queues', 'queue:', 'agent:', 'tenants', '', 'Tenant'])('refuses the topic %j with bad_topic', async (topic) => {
    const client = await f.connect(f.token());
    expect(await subscribe(client, topic)).toMatchObject({ ok: false, error: { code: 'bad_topic' } });
  });

  it('gives the latest state again when a followed topic is subscribed again (resync)', async () => {
    await seed();
    const client = await f.connect(f.token());
    const first = okAck(await subscribe(client, 'queue:sales'));
    const frame = next(client, 'update');
    f.push('acme', [queued('e5', 'sales')]);
    const update = await frame;
    const again = okAck(await subscribe(client, 'queue:sales'));
    expect(again.position).toBe(update.position);
    expect(again.position).not.toBe(first.position);
    expect(again.snapshot).toMatchObject({ waiting: 2 });
  });
});

describe('update frames', () => {
  it.each(['tenant', 'agents', 'queue:sales', 'agent:ann'])('%s: prev is the ack position and the patch gives the engine object', async (topic) => {
    await seed();
    const client = await f.connect(f.token());
    const ack = okAck(await subscribe(client, topic));
    const frame = next(client, 'update');
    f.push('acme', [queued('e5', 'sales'), { id: 'e6', type: 'contact.answered', ts: f.ago(1_000), contactId: 'c-e3', agentId: 'ann' }]);
    const update = await frame;
    expect(update).toMatchObject({ topic, prev: ack.position });
    expect(update.position).not.toBe(ack.position);
    expect(normalize(follow(ack.snapshot, update))).toEqual(engineValue(null, topic as Topic));
  });

  it('delivers every topic a socket follows for one engine update', async () => {
    await seed();
    const client = await f.connect(f.token());
    const topics = ['tenant', 'agents', 'queue:sales', 'agent:ann'];
    const acks = new Map<string, Extract<SubscribeAck, { ok: true }>>();
    for (const topic of topics) acks.set(topic, okAck(await subscribe(client, topic)));
    const frames = collect(client, 'update');
    f.push('acme', [{ id: 'e6', type: 'contact.answered', ts: f.ago(1_000), contactId: 'c-e3', agentId: 'ann' }]);
    await expect.poll(() => frames.map((u) => u.topic).sort()).toEqual([...topics].sort());
    for (const frame of frames) {
      const ack = acks.get(frame.topic)!;
      expect(frame.prev).toBe(ack.position);
      expect(normalize(follow(ack.snapshot, frame))).toEqual(engineValue(null, frame.topic));
    }
  });

  it('conflates: the first change goes out at once, later ones in one frame an interval later', async () => {
    await seed();
    const client = await f.connect(f.token());
    const ack = okAck(await subscribe(client, 'queue:sales'));
    const frames = collect(client, 'update');
    f.push('acme', [queued('burst-0', 'sales')]);
    await expect.poll(() => frames.length).toBe(1);
    for (let i = 1; i < 20; i++) {
      f.push('acme', [queued(`burst-${i}`, 'sales')]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await f.advance(49);
    await barrier(client);
    expect(frames).toHaveLength(1);
    await f.advance(1);
    await expect.poll(() => frames.length).toBe(2);
    await barrier(client);
    expect(frames).toHaveLength(2);
    const [first, second] = frames as [UpdateFrame, UpdateFrame];
    const afterFirst = follow(ack.snapshot, first);
    expect(afterFirst).toMatchObject({ waiting: 2 });
    expect(second.prev).toBe(first.position);
    expect(follow(afterFirst, second)).toMatchObject({ waiting: 21 });
    expect(normalize(follow(afterFirst, second))).toEqual(engineValue(null, 'queue:sales'));
  });

  it('a patch of null when an agent leaves a queues-limited view', async () => {
    await seed();
    const client = await f.connect(f.token({ queues: ['sales'] }));
    const ack = okAck(await subscribe(client, 'agent:ann'));
    expect(ack.snapshot).toMatchObject({ name: 'ANN' });
    const frame = next(client, 'update');
    f.push('acme', [agentStatus('e7', 'ann', ['support'])]);
    expect(await frame).toMatchObject({ topic: 'agent:ann', prev: ack.position, changes: null });
  });

  it('unsubscribe stops a topic and keeps the others', async () => {
    await seed();
    const client = await f.connect(f.token());
    okAck(await subscribe(client, 'tenant'));
    okAck(await subscribe(client, 'queue:sales'));
    expect(await client.emitWithAck('unsubscribe', { topic: 'queue:sales' })).toEqual({ ok: true });
    const frames = collect(client, 'update');
    f.push('acme', [queued('e8', 'sales')]);
    await expect.poll(() => frames.length).toBe(1);
    await barrier(client);
    expect(frames.map((u) => u.topic)).toEqual(['tenant']);
  });

  it('unsubscribe answers not_subscribed for a topic not followed, bad_request for a bad payload', async () => {
    const client = await f.connect(f.token());
    expect(await client.emitWithAck('unsubscribe', { topic: 'tenant' })).toMatchObject({ ok: false, error: { code: 'not_subscribed' } });
    expect(await client.emitWithAck('unsubscribe', 'tenant' as unknown as { topic: string })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('holds an engine view only while a socket follows a topic of it', async () => {
    await seed();
    const client = await f.connect(f.token({ queues: ['sales'] }));
    const view = viewKey(['sales']);
    expect(f.live.topicState('acme', view, 'tenant')).toBeNull();
    okAck(await subscribe(client, 'tenant'));
    okAck(await subscribe(client, 'queue:sales'));
    expect(f.live.topicState('acme', view, 'tenant')).not.toBeNull();
    await client.emitWithAck('unsubscribe', { topic: 'tenant' });
    expect(f.live.topicState('acme', view, 'tenant')).not.toBeNull();
    await client.emitWithAck('unsubscribe', { topic: 'queue:sales' });
    expect(f.live.topicState('acme', view, 'tenant')).toBeNull();
    okAck(await subscribe(client, 'agents'));
    client.close();
    await expect.poll(() => f.live.topicState('acme', view, 'agents')).toBeNull();
  });

  it('counts connections in the gauge', async () => {
    const gauge = async () => (await f.metrics.connections.get()).values[0]?.value;
    const a = await f.connect(f.token());
    await f.connect(f.token());
    expect(await gauge()).toBe(2);
    expect(f.hub.connections()).toBe(2);
    a.close();
    await expect.poll(gauge).toBe(1);
  });
});
