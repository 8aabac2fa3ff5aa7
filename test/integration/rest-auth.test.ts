/**
 * REST authentication and authorisation (SPEC §1) against a real node: every refusal, the roles,
 * and what the `queues` claim and the agent role let a caller see.
 */
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/index.js';
import type { Snapshot } from '../../src/protocol/index.js';
import { TEST_SECRET, createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

let storage: TestStorage;
let hub: TestHub;

beforeAll(async () => {
  storage = await createStorage('postgres');
  hub = await startTestHub(storage);
  const now = hub.clock.now();
  const seeded = await hub.ingest('acme', [
    { id: 's1', type: 'agent.status', ts: now - 60_000, agentId: 'ann', status: 'available', queues: ['sales'] },
    { id: 's2', type: 'agent.status', ts: now - 60_000, agentId: 'bob', status: 'available', queues: ['support'] },
    { id: 's3', type: 'contact.queued', ts: now - 10_000, contactId: 'c1', queueId: 'sales' },
    { id: 's4', type: 'contact.queued', ts: now - 10_000, contactId: 'c2', queueId: 'support' },
  ]);
  expect(seeded.status).toBe(202);
});

afterAll(async () => {
  await hub?.stop();
  await storage?.cleanup();
});

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(hub.clock.now() / 1000);
  return { tenant: 'acme', role: 'supervisor', sub: 'sue', iat, exp: iat + 3600, ...overrides };
}

async function snapshotWith(authorization: string | undefined) {
  return hub.request('GET', '/v1/snapshot', authorization === undefined ? {} : { headers: { Authorization: authorization } });
}

describe('refused tokens', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cases: [string, () => string | undefined, string][] = [
    ['no Authorization header', () => undefined, 'missing'],
    ['a scheme other than Bearer', () => `Basic ${Buffer.from('sue:pw').toString('base64')}`, 'malformed'],
    ['garbage', () => 'Bearer not-a-token', 'malformed'],
    ['a bad signature', () => `Bearer ${jwt.sign(claims(), 'another-secret-that-is-long-enough-0123456789')}`, 'bad_signature'],
    ['alg none', () => `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`, 'alg_not_allowed'],
    ['an algorithm the key does not use (RS256)', () => `Bearer ${jwt.sign(claims(), privateKey, { algorithm: 'RS256' })}`, 'alg_not_allowed'],
    ['an expired token', () => `Bearer ${jwt.sign(claims({ iat: Math.floor(hub.clock.now() / 1000) - 120, exp: Math.floor(hub.clock.now() / 1000) - 60 }), TEST_SECRET)}`, 'expired'],
    ['a token without exp', () => `Bearer ${jwt.sign({ tenant: 'acme', role: 'supervisor', sub: 'sue' }, TEST_SECRET)}`, 'no_exp'],
    ['an unknown role', () => `Bearer ${jwt.sign(claims({ role: 'root' }), TEST_SECRET)}`, 'bad_claims'],
    ['no tenant', () => `Bearer ${jwt.sign(claims({ tenant: undefined }), TEST_SECRET)}`, 'bad_claims'],
  ];

  it.each(cases)('refuses %s with 401, a challenge and a log line without the token', async (_name, header, reason) => {
    const authorization = header();
    const answer = await snapshotWith(authorization);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="pulse-hub"/);
    const line = hub.logs.filter((l) => l.includes('request refused: unauthorized')).at(-1) ?? '';
    expect(JSON.parse(line)).toMatchObject({ reason, path: '/v1/snapshot' });
    const token = authorization?.split(' ')[1];
    if (token !== undefined && token.length > 0) expect(hub.logs.some((l) => l.includes(token))).toBe(false);
  });

  it('refuses unauthenticated ingest too, and counts it', async () => {
    const answer = await hub.request('POST', '/v1/events', { body: { events: [] } });
    expect(answer.status).toBe(401);
    const metrics = (await hub.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/ph_events_refused_total\{reason="unauthorized",node="[^"]+"\} [1-9]/);
  });
});

describe('issuer and audience, when configured', () => {
  let strict: TestHub;
  beforeAll(async () => {
    strict = await startTestHub(storage, { env: { JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'pulse-hub' } });
  });
  afterAll(() => strict?.stop());

  it.each([
    ['no iss or aud', {}, 401],
    ['a wrong issuer', { iss: 'https://evil.example', aud: 'pulse-hub' }, 401],
    ['a wrong audience', { iss: 'https://idp.example', aud: 'other' }, 401],
    ['the right issuer and audience', { iss: 'https://idp.example', aud: 'pulse-hub' }, 200],
  ])('answers a token with %s (%o) by %i', async (_name, extra, status) => {
    const token = jwt.sign(claims(extra), TEST_SECRET);
    expect((await strict.request('GET', '/v1/snapshot', { token })).status).toBe(status);
  });

  it('accepts what its own token helper signs', async () => {
    expect((await strict.request('GET', '/v1/snapshot', { token: strict.token({ tenant: 'acme', role: 'wallboard' }) })).status).toBe(200);
  });
});

describe('roles', () => {
  it('lets only ingest and admin tokens post events', async () => {
    const now = hub.clock.now();
    const events = [{ id: `r-${Math.random()}`, type: 'contact.queued', ts: now - 1000, contactId: 'rc', queueId: 'roles' }];
    for (const role of ['wallboard', 'supervisor', 'agent'] as const) {
      const answer = await hub.request('POST', '/v1/events', { token: hub.token({ tenant: 'roles', role }), body: { events } });
      expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect((await hub.request('POST', '/v1/events', { token: hub.token({ tenant: 'roles', role: 'admin' }), body: { events } })).status).toBe(202);
  });

  it('refuses snapshots to ingest tokens and serves every reading role', async () => {
    const refused = await hub.request('GET', '/v1/snapshot', { token: hub.token({ tenant: 'acme', role: 'ingest' }) });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    for (const role of ['wallboard', 'supervisor', 'admin', 'agent'] as const) {
      expect((await hub.request('GET', '/v1/snapshot', { token: hub.token({ tenant: 'acme', role }) })).status).toBe(200);
    }
  });

  it('refuses a body naming another tenant, at the top or on an event, and appends nothing', async () => {
    const token = hub.token({ tenant: 'acme', role: 'ingest' });
    const now = hub.clock.now();
    const event = (id: string, extra: object = {}) => ({ id, type: 'contact.queued', ts: now - 1000, contactId: id, queueId: 'sales', ...extra });
    const top = await hub.request('POST', '/v1/events', { token, body: { tenant: 'globex', events: [event('x1')] } });
    expect(top).toMatchObject({ status: 403, body: { error: { code: 'tenant_mismatch', details: [{ index: null, path: 'tenant' }] } } });
    const onEvent = await hub.request('POST', '/v1/events', { token, body: { events: [event('x2'), event('x3', { tenant: 'globex' })] } });
    expect(onEvent).toMatchObject({ status: 403, body: { error: { code: 'tenant_mismatch', details: [{ index: 1, path: 'tenant' }] } } });
    // Naming its own tenant is fine.
    expect((await hub.request('POST', '/v1/events', { token, body: { tenant: 'acme', events: [event('x4', { tenant: 'acme' })] } })).status).toBe(202);
    await hub.node.settled();
    const sales = ((await hub.snapshot('acme')).body as Snapshot).queues['sales'];
    expect(sales?.waiting).toBe(2);
    // globex saw nothing.
    expect(((await hub.snapshot('globex')).body as Snapshot).queues).toEqual({});
  });
});

describe('what a token sees', () => {
  const read = async (token: string, query = '') => {
    const answer = await hub.request('GET', `/v1/snapshot${query}`, { token });
    expect(answer.status).toBe(200);
    return answer.body as Snapshot;
  };

  it('limits queues and agents to the queues claim, intersected with ?queues', async () => {
    const limited = hub.token({ tenant: 'acme', role: 'supervisor', queues: ['sales'] });
    const all = await read(limited);
    expect(Object.keys(all.queues)).toEqual(['sales']);
    expect(Object.keys(all.agents)).toEqual(['ann']);
    expect(Object.keys((await read(limited, '?queues=sales,support')).queues)).toEqual(['sales']);
    expect(await read(limited, '?queues=support')).toMatchObject({ queues: {}, agents: {} });
  });

  it('shows the asked queues to an unlimited token, ignoring unknown ones', async () => {
    const board = hub.token({ tenant: 'acme', role: 'wallboard' });
    expect(Object.keys((await read(board)).queues).sort()).toEqual(['sales', 'support']);
    const asked = await read(board, '?queues=support,nope');
    expect(Object.keys(asked.queues)).toEqual(['support']);
    expect(Object.keys(asked.agents)).toEqual(['bob']);
  });

  it('shows an agent its own record and the queues of its claim, and no other agent', async () => {
    const ann = await read(hub.token({ tenant: 'acme', role: 'agent', sub: 'ann', queues: ['sales'] }));
    expect(Object.keys(ann.queues)).toEqual(['sales']);
    expect(Object.keys(ann.agents)).toEqual(['ann']);
    // Its own record even outside its claim; no queue without one.
    const bare = await read(hub.token({ tenant: 'acme', role: 'agent', sub: 'bob' }));
    expect(bare.queues).toEqual({});
    expect(Object.keys(bare.agents)).toEqual(['bob']);
    const stranger = await read(hub.token({ tenant: 'acme', role: 'agent', sub: 'nobody', queues: ['sales', 'support'] }));
    expect(stranger.agents).toEqual({});
  });

  it('keeps tenants apart whatever is asked', async () => {
    const other = await read(hub.token({ tenant: 'globex', role: 'admin' }), '?queues=sales,support');
    expect(other).toMatchObject({ tenant: 'globex', queues: {}, agents: {} });
  });

  it('refuses a malformed query with invalid_query', async () => {
    const token = hub.token({ tenant: 'acme', role: 'supervisor' });
    for (const query of ['?queues=', '?queues=a,,b', '?queues=a&queues=b', '?queue=sales', `?queues=${'q'.repeat(129)}`]) {
      const answer = await hub.request('GET', `/v1/snapshot${query}`, { token });
      expect(answer, query).toMatchObject({ status: 400, body: { error: { code: 'invalid_query', details: [expect.objectContaining({ message: expect.any(String) })] } } });
    }
  });

  it('signs tokens the node accepts with the helper of the auth module', async () => {
    const token = signToken({ secret: TEST_SECRET, tenant: 'acme', role: 'supervisor', sub: 'cli', ttl: '1h', clock: hub.clock });
    expect((await hub.request('GET', '/v1/snapshot', { token })).status).toBe(200);
  });
});

describe('token lifetime', () => {
  // Last in the file: it moves the node's clock forward for good.
  it('refuses a token once it expires, though it was accepted before', async () => {
    const token = hub.token({ tenant: 'acme', role: 'supervisor', ttl: 60 });
    expect((await hub.request('GET', '/v1/snapshot', { token })).status).toBe(200);
    hub.clock.advance(61_000);
    expect((await hub.request('GET', '/v1/snapshot', { token })).status).toBe(401);
    const line = hub.logs.filter((l) => l.includes('request refused: unauthorized')).at(-1) ?? '';
    expect(JSON.parse(line)).toMatchObject({ reason: 'expired' });
  });
});
