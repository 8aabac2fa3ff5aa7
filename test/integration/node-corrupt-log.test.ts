/**
 * A log entry whose events cannot be read (written around the hub, or damaged): a node stops its
 * engine when it reaches it, naming the entry's position. During the start-up replay the start
 * fails; on the live tail the node stays up and readiness reports the engine as failed.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/log/index.js';
import { REDIS_URL, createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

let redis: Redis;
let storage: TestStorage | undefined;
let hub: TestHub | undefined;

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});

afterEach(async () => {
  await hub?.stop();
  hub = undefined;
  await storage?.cleanup();
  storage = undefined;
});

afterAll(async () => {
  await redis.quit();
});

/** Appends an entry straight to the tenant's stream, as the hub would but with these events. */
async function rawEntry(s: TestStorage, tenant: string, json: string): Promise<string> {
  const stream = `${s.env['REDIS_PREFIX']}log:${partitionOf(tenant, 4)}`;
  const id = (await redis.xadd(stream, '*', 't', tenant, 'a', String(Date.now()), 'e', json)) as string;
  return `${partitionOf(tenant, 4)}:${id}`;
}

describe('a corrupt log entry', () => {
  it('fails the start-up replay, naming its position', async () => {
    storage = await createStorage('redis');
    await rawEntry(storage, 'acme', '[]');
    const position = await rawEntry(storage, 'acme', '[{"id": "cut off');
    await expect(startTestHub(storage)).rejects.toThrow(`corrupt log entry at ${position}`);
  });

  it('stops the engine on the live tail, and readiness says so', async () => {
    storage = await createStorage('redis');
    hub = await startTestHub(storage);
    const position = await rawEntry(storage, 'acme', '{"events": "not an array"}');
    const deadline = Date.now() + 10_000;
    let ready = await hub.request('GET', '/readyz');
    while (ready.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await hub.request('GET', '/readyz');
    }
    expect(ready).toMatchObject({ status: 503, body: { error: { code: 'not_ready' } } });
    const checks = (ready.body as { error: { details: Record<string, string> } }).error.details;
    expect(checks['engine']).toContain(`corrupt log entry at ${position}`);
    expect(hub.logs.some((line) => line.includes('the engine stopped'))).toBe(true);
  });
});
