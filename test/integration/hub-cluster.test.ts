/**
 * Two hub nodes on the machine's real Redis (a channel prefix of their own): what one node asks
 * through the adapter reaches the sockets of the other.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, disconnection, startHub, type HubFixture } from '../support/live-hub.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHANNEL_PREFIX = `ph:test:hub:${randomBytes(6).toString('hex')}`;

const redisClients: Redis[] = [];
function redisPair() {
  const pub = new Redis(REDIS_URL);
  const sub = new Redis(REDIS_URL);
  redisClients.push(pub, sub);
  return { pub, sub, channelPrefix: CHANNEL_PREFIX };
}

let nodeA: HubFixture;
let nodeB: HubFixture;
beforeAll(async () => {
  nodeA = await startHub({ redis: redisPair() });
  nodeB = await startHub({ redis: redisPair() });
  // Both adapters subscribed: the main channel counts two servers.
  for (let servers = 0; servers < 2; servers = await nodeA.hub.io.of('/').adapter.serverCount()) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await nodeA.close();
  await nodeB.close();
  await Promise.all(redisClients.map((r) => r.quit()));
});

describe('two nodes on one Redis', () => {
  it("disconnectTenant on one node disconnects the tenant's sockets on both, with the reason, and no one else", async () => {
    const acmeOnA = await nodeA.connect(nodeA.token());
    const acmeOnB = await nodeB.connect(nodeB.token({ role: 'wallboard', sub: 'board-1' }));
    const betaOnB = await nodeB.connect(nodeB.token({ tenant: 'beta' }));
    const noticesB = collect(acmeOnB, 'pulse:disconnect');
    const goneA = disconnection(acmeOnA);
    const goneB = disconnection(acmeOnB);

    nodeA.hub.disconnectTenant('acme', 'tenant_suspended');

    expect(await goneA).toBe('io server disconnect');
    expect(await goneB).toBe('io server disconnect');
    expect(noticesB).toEqual([{ reason: 'tenant_suspended' }]);
    expect(await betaOnB.emitWithAck('subscribe', { topic: 'tenant' })).toMatchObject({ ok: true });
    expect(betaOnB.connected).toBe(true);
    await expect.poll(() => nodeB.hub.connections()).toBe(1);
  });

  it('update frames stay on the node that computed them: each node serves its own sockets', async () => {
    const onA = await nodeA.connect(nodeA.token({ tenant: 'gamma' }));
    const onB = await nodeB.connect(nodeB.token({ tenant: 'gamma' }));
    expect(await onA.emitWithAck('subscribe', { topic: 'queue:sales' })).toMatchObject({ ok: true });
    expect(await onB.emitWithAck('subscribe', { topic: 'queue:sales' })).toMatchObject({ ok: true });
    const framesA = collect(onA, 'update');
    const framesB = collect(onB, 'update');
    // Only node A's engine sees this batch: B's socket must get nothing from A.
    nodeA.push('gamma', [{ id: 'g1', type: 'contact.queued', ts: nodeA.ago(1_000), contactId: 'c1', queueId: 'sales' }]);
    await expect.poll(() => framesA.length).toBe(1);
    await onB.emitWithAck('unsubscribe', { topic: 'barrier:none' });
    expect(framesB).toEqual([]);
  });
});
