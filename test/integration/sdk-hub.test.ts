/**
 * The SDK against a real hub node (embedded storage): snapshot and merge-patched updates equal to
 * REST, resync after the node restarts on the same port, the hub's refusal codes, token refresh
 * through getToken, and the built package (dist) doing the same from its published entry.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { filter, firstValueFrom, type Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPulse, type ConnectionState, type PulseClient, type PulseError } from '../../client/sdk/src/index.js';
import type { QueueView, Snapshot } from '../../src/protocol/index.js';
import { startE2eHub, type E2eHub } from '../support/e2e-hub.js';

const TENANT = 'sdk-acme';
let hub: E2eHub;
const clients: PulseClient[] = [];

beforeAll(async () => {
  hub = await startE2eHub();
  await hub.feed({ tenant: TENANT, agents: 12, queues: 2, historyMs: 10 * 60_000, seed: 9 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.close();
});

function connect(options: Partial<Parameters<typeof connectPulse>[0]> = {}): PulseClient {
  const client = connectPulse({ url: hub.url, token: hub.token(TENANT, 'supervisor'), backoff: { initialMs: 200, maxMs: 1000 }, ...options } as Parameters<typeof connectPulse>[0]);
  clients.push(client);
  return client;
}

function reach<T>(source: Observable<T>, test: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  return Promise.race([
    firstValueFrom(source.pipe(filter(test))),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not reached within ${timeoutMs} ms`)), timeoutMs)),
  ]);
}

/** The figures events drive (not the clock): equal between a live object and REST once settled. */
function eventFigures(q: QueueView | null | undefined) {
  if (q === null || q === undefined) return q;
  const { offered, answered, abandoned, handled } = q.windows.today;
  return { waiting: q.waiting, agents: q.agents, today: { offered, answered, abandoned, handled } };
}

describe('SDK against a real hub', () => {
  it('follows a queue: the snapshot, then each posted event merged in, equal to GET /v1/snapshot', async () => {
    const client = connect();
    const sales: (QueueView | null)[] = [];
    client.subscribe('queue:sales').subscribe((q) => sales.push(q));
    await reach(client.state$, (s) => s === 'live');
    expect(eventFigures(sales.at(-1))).toEqual(eventFigures((await hub.snapshot(TENANT)).queues.sales));

    const waiting = sales.at(-1)?.waiting ?? 0;
    await hub.ingest(TENANT, [{ id: 'sdk-1', type: 'contact.queued', ts: Date.now(), contactId: 'sdk-c1', queueId: 'sales', channel: 'chat' }]);
    await reach(client.subscribe('queue:sales'), (q) => q?.waiting === waiting + 1);
    expect(eventFigures(sales.at(-1))).toEqual(eventFigures((await hub.snapshot(TENANT)).queues.sales));
    // Every emission was a whole object, never the same object changed in place.
    expect(new Set(sales).size).toBe(sales.length);
  });

  it('REST snapshot() carries the token and the queues filter', async () => {
    const snapshot: Snapshot = await connect().snapshot({ queues: ['support'] });
    expect(snapshot.tenant).toBe(TENANT);
    expect(Object.keys(snapshot.queues)).toEqual(['support']);
  });

  it('goes offline when the node stops, and back to live with fresh figures when it returns', async () => {
    const client = connect();
    const states: ConnectionState[] = [];
    client.state$.subscribe((s) => states.push(s));
    const tenant: Snapshot[] = [];
    client.subscribe('tenant').subscribe((s) => tenant.push(s));
    await reach(client.state$, (s) => s === 'live');
    await hub.stop();
    await reach(client.state$, (s) => s === 'offline');
    await hub.start();
    await reach(client.state$, (s) => s === 'live', 10_000);
    expect(states.slice(0, 2)).toEqual(['connecting', 'live']);
    expect(states).toContain('offline');
    expect(states.at(-1)).toBe('live');
    await hub.ingest(TENANT, [{ id: 'sdk-2', type: 'contact.queued', ts: Date.now(), contactId: 'sdk-c2', queueId: 'support', channel: 'voice' }]);
    const rest = await hub.snapshot(TENANT);
    const live = await reach(client.subscribe('tenant'), (s) => s.queues.support?.waiting === rest.queues.support?.waiting);
    expect(eventFigures(live.queues.support)).toEqual(eventFigures(rest.queues.support));
  });

  it('carries the hub codes: a refused token ends in unauthorized, a forbidden topic errors its stream', async () => {
    const refused = connect({ token: 'not.a.token' });
    const errors: PulseError[] = [];
    refused.errors$.subscribe((e) => errors.push(e));
    await reach(refused.state$, (s) => s === 'unauthorized');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);

    const agent = connect({ token: hub.token(TENANT, 'agent') });
    const topicError = await new Promise<PulseError>((resolve) => agent.subscribe('tenant').subscribe({ error: resolve }));
    expect(topicError.code).toBe('forbidden');

    await expect(connect({ token: hub.token(TENANT, 'ingest') }).snapshot()).rejects.toMatchObject({ code: 'forbidden', status: 403 });
  });

  it('refreshes its token through getToken on the open socket', async () => {
    let issued = 0;
    const client = connect({
      token: undefined,
      // 70 s tokens: the hub says auth:expiring 60 s before exp, so 10 s in; the client's own
      // timer (half the time left, 35 s) would come later.
      refreshLeadMs: 60_000,
      getToken: () => {
        issued++;
        return hub.token(TENANT, 'supervisor', { ttl: '70s' });
      },
    } as Partial<Parameters<typeof connectPulse>[0]>);
    const errors: PulseError[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    client.subscribe('queue:sales').subscribe();
    await reach(client.state$, (s) => s === 'live');
    expect(issued).toBe(1);
    await expect.poll(() => issued, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    expect(client.state).toBe('live');
  });

  it('the built package (dist) connects and follows a topic from its published entry', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    execFileSync('npm', ['run', 'build:sdk'], { cwd: root, stdio: 'pipe' });
    const dist = (await import(fileURLToPath(new URL('../../client/sdk/dist/index.js', import.meta.url)))) as typeof import('../../client/sdk/src/index.js');
    const client = dist.connectPulse({ url: hub.url, token: hub.token(TENANT, 'wallboard') });
    clients.push(client);
    const tenant = await reach(client.subscribe('tenant'), () => true);
    expect(tenant.tenant).toBe(TENANT);
  }, 60_000);
});
