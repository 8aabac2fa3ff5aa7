/**
 * Who may connect and read what (SPEC §1, §6): handshake refusals, topic rules per role and
 * `queues` claim, tenants kept apart whatever topic string is sent, token refresh and expiry.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/index.js';
import type { SubscribeAck } from '../../src/protocol/index.js';
import { barrier, collect, disconnection, next, startHub, type Client, type HubFixture } from '../support/live-hub.js';

let f: HubFixture;
beforeEach(async () => {
  f = await startHub({ updateIntervalMs: 50 });
});
afterEach(async () => {
  await f.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function seedAcme(): Promise<void> {
  f.push('acme', [
    { id: 'a1', type: 'agent.status', ts: f.ago(60_000), agentId: 'ann', status: 'available', queues: ['sales'] },
    { id: 'a2', type: 'agent.status', ts: f.ago(60_000), agentId: 'bob', status: 'available', queues: ['support'] },
    { id: 'a3', type: 'contact.queued', ts: f.ago(5_000), contactId: 'c1', queueId: 'sales' },
  ]);
  await f.quiet();
}

function subscribe(client: Client, topic: string): Promise<SubscribeAck> {
  return client.emitWithAck('subscribe', { topic });
}

describe('handshake', () => {
  const refused = async (auth: object, code: string, reason?: string) => {
    const err = await f.refusal(auth);
    expect(err.data).toMatchObject({ code });
    if (reason !== undefined) expect(f.logs.some((l) => (l.obj as { reason?: string }).reason === reason)).toBe(true);
    const token = (auth as { token?: unknown }).token;
    if (typeof token === 'string' && token.length > 0) expect(JSON.stringify(f.logs)).not.toContain(token);
  };

  it('refuses a handshake without a token', () => refused({}, 'unauthorized', 'missing'));
  it('refuses a token that is not a string', () => refused({ token: 42 }, 'unauthorized', 'missing'));
  it('refuses an empty token', () => refused({ token: '' }, 'unauthorized', 'missing'));
  it('refuses garbage', () => refused({ token: 'not-a-jwt' }, 'unauthorized', 'malformed'));

  it('refuses a bad signature', () =>
    refused(
      { token: signToken({ secret: 'another-secret-of-at-least-32-characters', tenant: 'acme', role: 'admin', sub: 'x', ttl: 60 }) },
      'unauthorized',
      'bad_signature',
    ));

  it('refuses alg none', () => {
    const exp = Math.floor(f.clock.now() / 1000) + 600;
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tenant: 'acme', role: 'admin', sub: 'x', exp })}.`;
    return refused({ token }, 'unauthorized', 'alg_not_allowed');
  });

  it('refuses an expired token', async () => {
    const token = f.token({ ttl: 60 });
    await f.advance(61_000);
    await refused({ token }, 'unauthorized', 'expired');
  });

  it('refuses role ingest with forbidden: it may read nothing', () => refused({ token: f.token({ role: 'ingest' }) }, 'forbidden'));

  it('accepts every reading role', async () => {
    for (const role of ['admin', 'supervisor', 'wallboard', 'agent'] as const) {
      const client = await f.connect(f.token({ role }));
      expect(client.connected).toBe(true);
    }
  });
});

describe('topics a token may read', () => {
  it.each<[string, Parameters<HubFixture['token']>[0], string, 'ok' | 'forbidden']>([
    ['wallboard: tenant', { role: 'wallboard' }, 'tenant', 'ok'],
    ['wallboard: agents', { role: 'wallboard' }, 'agents', 'ok'],
    ['wallboard: an agent', { role: 'wallboard' }, 'agent:ann', 'ok'],
    ['agent: itself', { role: 'agent', sub: 'ann' }, 'agent:ann', 'ok'],
    ['agent: another agent', { role: 'agent', sub: 'ann' }, 'agent:bob', 'forbidden'],
    ['agent: tenant', { role: 'agent', sub: 'ann', queues: ['sales'] }, 'tenant', 'forbidden'],
    ['agent: agents', { role: 'agent', sub: 'ann', queues: ['sales'] }, 'agents', 'forbidden'],
    ['agent: a queue of its claim', { role: 'agent', sub: 'ann', queues: ['sales'] }, 'queue:sales', 'ok'],
    ['agent: a queue outside its claim', { role: 'agent', sub: 'ann', queues: ['sales'] }, 'queue:support', 'forbidden'],
    ['agent without a claim: any queue', { role: 'agent', sub: 'ann' }, 'queue:sales', 'forbidden'],
    ['supervisor with a claim: its queue', { queues: ['sales'] }, 'queue:sales', 'ok'],
    ['supervisor with a claim: another queue', { queues: ['sales'] }, 'queue:support', 'forbidden'],
  ])('%s → %s', async (_name, claims, topic, expected) => {
    await seedAcme();
    const client = await f.connect(f.token(claims));
    const ack = await subscribe(client, topic);
    if (expected === 'ok') expect(ack).toMatchObject({ ok: true, topic });
    else expect(ack).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('an agent reads its own record whole, whatever its queues claim', async () => {
    await seedAcme();
    const client = await f.connect(f.token({ role: 'agent', sub: 'bob', queues: ['sales'] }));
    expect(await subscribe(client, 'agent:bob')).toMatchObject({ ok: true, snapshot: { queues: ['support'] } });
  });

  it('a queues claim limits tenant, agents and agent topics to its queues and their agents', async () => {
    await seedAcme();
    const client = await f.connect(f.token({ queues: ['sales'] }));
    const tenant = await subscribe(client, 'tenant');
    expect(tenant.ok && Object.keys((tenant.snapshot as { queues: object }).queues)).toEqual(['sales']);
    const agents = await subscribe(client, 'agents');
    expect(agents.ok && Object.keys(agents.snapshot as object)).toEqual(['ann']);
    expect(await subscribe(client, 'agent:bob')).toMatchObject({ ok: true, snapshot: null });
  });
});

describe('tenants', () => {
  it("a token for another tenant never reaches acme's data, whatever topic it sends", async () => {
    await seedAcme();
    const acme = await f.connect(f.token());
    const beta = await f.connect(f.token({ tenant: 'beta', role: 'admin' }));
    const topics = ['tenant', 'agents', 'queue:sales', 'agent:ann', 'queue:acme', 'agent:acme:ann', 'queue:["topic","acme","*","tenant"]'];
    for (const topic of topics) {
      const ack = await subscribe(beta, topic);
      if (!ack.ok) continue;
      expect(JSON.stringify(ack.snapshot)).not.toMatch(/ann|sales|acme/);
    }
    expect(await subscribe(beta, 'tenant')).toMatchObject({ ok: true, snapshot: { tenant: 'beta', queues: {}, agents: {} } });
    expect(await subscribe(acme, 'tenant')).toMatchObject({ ok: true });
    const betaFrames = collect(beta, 'update');
    const acmeFrame = next(acme, 'update');
    f.push('acme', [{ id: 'a4', type: 'contact.queued', ts: f.ago(1_000), contactId: 'c2', queueId: 'sales' }]);
    await acmeFrame;
    await barrier(beta);
    expect(betaFrames).toEqual([]);
  });
});

describe('token lifetime', () => {
  it('warns auth:expiring a minute before exp, then disconnects with token_expired', async () => {
    const client = await f.connect(f.token({ ttl: 120 }));
    const expiring = collect(client, 'auth:expiring');
    const notices = collect(client, 'pulse:disconnect');
    const gone = disconnection(client);
    await f.advance(59_000);
    await barrier(client);
    expect(expiring).toEqual([]);
    await f.advance(1_000);
    await expect.poll(() => expiring.length).toBe(1);
    expect(expiring[0]!.exp).toBe(Math.floor(f.clock.now() / 1000) + 60);
    await f.advance(59_000);
    await barrier(client);
    expect(client.connected).toBe(true);
    await f.advance(1_000);
    expect(await gone).toBe('io server disconnect');
    expect(notices).toEqual([{ reason: 'token_expired' }]);
  });

  it('warns at once when the token expires within the lead time', async () => {
    const client = await f.connect(f.token({ ttl: 30 }));
    const expiring = next(client, 'auth:expiring');
    await f.advance(0);
    expect((await expiring).exp).toBe(Math.floor(f.clock.now() / 1000) + 30);
  });

  it('auth with a new token for the same tenant and sub keeps the socket past the old exp', async () => {
    const client = await f.connect(f.token({ ttl: 120 }));
    await f.advance(70_000);
    expect(await client.emitWithAck('auth', { token: f.token({ ttl: 600 }) })).toEqual({ ok: true });
    const expiring = collect(client, 'auth:expiring');
    await f.advance(100_000);
    await barrier(client);
    expect(client.connected).toBe(true);
    expect(expiring).toEqual([]);
    await f.advance(440_000);
    await expect.poll(() => expiring.length).toBe(1);
  });

  it.each<[string, () => string, string]>([
    ['another sub', () => f.token({ sub: 'eve', ttl: 600 }), 'forbidden'],
    ['another tenant', () => f.token({ tenant: 'beta', ttl: 600 }), 'forbidden'],
    ['role ingest', () => f.token({ role: 'ingest', ttl: 600 }), 'forbidden'],
    ['garbage', () => 'not-a-jwt', 'unauthorized'],
  ])('auth with %s is refused and the old expiry stands', async (_name, token, code) => {
    const client = await f.connect(f.token({ ttl: 120 }));
    const gone = disconnection(client);
    expect(await client.emitWithAck('auth', { token: token() })).toMatchObject({ ok: false, error: { code } });
    await f.advance(120_000);
    expect(await gone).toBe('io server disconnect');
  });

  it('auth with a bad payload answers bad_request', async () => {
    const client = await f.connect(f.token());
    expect(await client.emitWithAck('auth', { jwt: 'x' } as unknown as { token: string })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('a refresh with narrower queues ends the subscriptions it no longer allows or sees otherwise', async () => {
    await seedAcme();
    const client = await f.connect(f.token({ queues: ['sales', 'support'] }));
    expect(await subscribe(client, 'queue:sales')).toMatchObject({ ok: true });
    expect(await subscribe(client, 'queue:support')).toMatchObject({ ok: true });
    const ended = collect(client, 'subscription:ended');
    expect(await client.emitWithAck('auth', { token: f.token({ queues: ['sales'] }) })).toEqual({ ok: true });
    expect(ended.map((e) => [e.topic, e.error.code]).sort()).toEqual([
      ['queue:sales', 'access_changed'],
      ['queue:support', 'forbidden'],
    ]);
    expect(await subscribe(client, 'queue:sales')).toMatchObject({ ok: true });
    expect(await subscribe(client, 'queue:support')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
