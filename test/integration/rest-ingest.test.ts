/**
 * `POST /v1/events` refusals (SPEC §2) against a real node: media type, size, JSON, invalid
 * events, lateness, clock skew and the tenant rate limit; a refused batch appends nothing. Plus
 * the open routes (health, readiness, metrics) and error bodies of unknown routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/protocol/index.js';
import { createStorage, startTestHub, type TestHub, type TestStorage } from '../support/node.js';

let storage: TestStorage;
let hub: TestHub;
let token: (tenant: string) => string;

beforeAll(async () => {
  storage = await createStorage('postgres');
  hub = await startTestHub(storage, {
    env: { MAX_BODY_BYTES: '4096', MAX_BATCH_EVENTS: '20', INGEST_RATE_PER_SEC: '100', INGEST_BURST: '100' },
  });
  token = (tenant) => hub.token({ tenant, role: 'ingest' });
});

afterAll(async () => {
  await hub?.stop();
  await storage?.cleanup();
});

function queued(id: string, ts: number | string, queueId = 'q') {
  return { id, type: 'contact.queued', ts, contactId: `c-${id}`, queueId };
}

function post(tenant: string, body: unknown, headers: Record<string, string> = {}) {
  return hub.request('POST', '/v1/events', { token: token(tenant), body, headers });
}

async function waiting(tenant: string): Promise<number> {
  await hub.node.settled();
  const snapshot = (await hub.snapshot(tenant)).body as Snapshot;
  return snapshot.totals.waiting;
}

describe('bodies that are refused whole', () => {
  it('refuses a body that is not JSON with 400 invalid_json', async () => {
    const answer = await post('b1', '{"events": [', { 'Content-Type': 'application/json' });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_json', message: expect.stringContaining('not valid JSON') } } });
    expect((await post('b1', '"just a string"', { 'Content-Type': 'application/json' })).status).toBe(400);
  });

  it('refuses another media type or charset with 415, and an empty body with 400', async () => {
    const now = hub.clock.now();
    const text = await post('b2', JSON.stringify({ events: [queued('e1', now)] }), { 'Content-Type': 'text/plain' });
    expect(text).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const latin = await post('b2', JSON.stringify({ events: [queued('e1', now)] }), { 'Content-Type': 'application/json; charset=iso-8859-1' });
    expect(latin).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const empty = await hub.request('POST', '/v1/events', { token: token('b2'), headers: { 'Content-Type': 'application/json' } });
    // Content-Length: 0 is an empty JSON body: no events.
    expect(empty).toMatchObject({ status: 400, body: { error: { code: 'invalid_events', details: [{ path: 'events', message: 'events is required' }] } } });
    expect(await waiting('b2')).toBe(0);
  });

  it('refuses a body over the size limit with 413', async () => {
    const now = hub.clock.now();
    const events = Array.from({ length: 15 }, (_, i) => ({ ...queued(`big-${i}`, now), padding: 'x'.repeat(300) }));
    const answer = await post('b3', { events });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'too_large', message: expect.stringContaining('4096') } } });
    expect(await waiting('b3')).toBe(0);
  });

  it('refuses invalid events with 400 invalid_events, naming each index and path', async () => {
    const now = hub.clock.now();
    const answer = await post('b4', {
      events: [queued('ok', now), { id: 'x', type: 'contact.queued', ts: now }, { id: 'y', type: 'nope', ts: now }, queued('', now)],
    });
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { code: string; details: { index: number; path: string; message: string }[] } }).error;
    expect(error.code).toBe('invalid_events');
    expect(error.details.map((d) => d.index)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(error.details.some((d) => d.index === 0)).toBe(false);
    expect(error.details.find((d) => d.index === 1)).toMatchObject({ path: expect.stringMatching(/contactId|queueId/), message: expect.any(String) });
    expect(await waiting('b4')).toBe(0);
  });

  it('refuses a batch without events, or with more than the batch limit', async () => {
    const now = hub.clock.now();
    expect(await post('b5', { events: [] })).toMatchObject({ status: 400, body: { error: { code: 'invalid_events', details: [{ index: null, path: 'events' }] } } });
    expect(await post('b5', { nope: 1 })).toMatchObject({ status: 400, body: { error: { code: 'invalid_events' } } });
    const many = Array.from({ length: 21 }, (_, i) => queued(`m${i}`, now));
    expect(await post('b5', { events: many })).toMatchObject({ status: 400, body: { error: { code: 'invalid_events', details: [{ index: null, path: 'events' }] } } });
  });

  it('refuses events older than the lateness bound with 422 too_late, naming each', async () => {
    const now = hub.clock.now();
    const answer = await post('b6', { events: [queued('fresh', now - 1000), queued('old', now - 11 * 60_000), queued('older', new Date(now - 3600_000).toISOString())] });
    expect(answer).toMatchObject({
      status: 422,
      body: { error: { code: 'too_late', details: [{ index: 1, path: 'ts' }, { index: 2, path: 'ts' }] } },
    });
    expect(await waiting('b6')).toBe(0);
  });

  it('refuses events too far ahead of its clock with 422 clock_skew; both kinds at once are too_late', async () => {
    const now = hub.clock.now();
    const ahead = await post('b7', { events: [queued('ahead', now + 61_000), queued('fine', now + 59_000)] });
    expect(ahead).toMatchObject({ status: 422, body: { error: { code: 'clock_skew', details: [{ index: 0, path: 'ts' }] } } });
    const both = await post('b7', { events: [queued('ahead2', now + 120_000), queued('late2', now - 700_000)] });
    expect(both).toMatchObject({ status: 422, body: { error: { code: 'too_late', details: [{ index: 0 }, { index: 1 }] } } });
    expect(await waiting('b7')).toBe(0);
  });

  it('counts refusals by reason in /metrics', async () => {
    const text = (await hub.request('GET', '/metrics')).body as string;
    for (const reason of ['invalid', 'too_late', 'clock_skew', 'too_large', 'unsupported_media_type']) {
      expect(text).toMatch(new RegExp(`ph_events_refused_total\\{reason="${reason}",node="[^"]+"\\} [1-9]`));
    }
  });
});

describe('the tenant rate limit', () => {
  it('answers 429 with Retry-After past the burst, per tenant, and admits again in time', async () => {
    const now = hub.clock.now();
    let seq = 0;
    const batch = (tenant: string, n: number) => ({ events: Array.from({ length: n }, () => queued(`${tenant}-${++seq}`, now)) });
    for (let i = 0; i < 5; i++) expect((await post('rate', batch('rate', 20))).status).toBe(202);
    const limited = await post('rate', batch('rate', 20));
    expect(limited).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(limited.headers.get('retry-after')).toBe('1');
    // Another tenant has its own bucket.
    expect((await post('rate-other', batch('rate-other', 20))).status).toBe(202);
    hub.clock.advance(200);
    expect((await post('rate', batch('rate', 20))).status).toBe(202);
    expect((await post('rate', batch('rate', 1))).status).toBe(429);
  });
});

describe('accepted batches', () => {
  it('answers 202 with accepted and duplicates, for epoch and ISO times', async () => {
    const now = hub.clock.now();
    const answer = await post('ok', { events: [queued('a', now - 5000), queued('b', new Date(now - 4000).toISOString()), queued('a', now - 5000)] });
    expect(answer).toEqual({ status: 202, headers: expect.anything(), body: { accepted: 2, duplicates: 1 } });
    expect(await waiting('ok')).toBe(2);
    const text = (await hub.request('GET', '/metrics')).body as string;
    expect(text).toMatch(/ph_events_accepted_total\{node="[^"]+"\} [1-9]/);
    expect(text).toMatch(/ph_events_refused_total\{reason="duplicate",node="[^"]+"\} [1-9]/);
    expect(text).toMatch(/ph_log_lag_events\{node="[^"]+"\} 0/);
  });
});

describe('open routes and errors', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(await hub.request('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await hub.request('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { log: 'ok', db: 'ok', engine: 'ok' } } });
  });

  it('serves Prometheus text on /metrics', async () => {
    const answer = await hub.request('GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.body).toMatch(/# TYPE ph_events_accepted_total counter/);
    expect(answer.body).toMatch(/# TYPE ph_update_latency_seconds histogram/);
  });

  it('answers unknown routes and methods with JSON errors, never HTML', async () => {
    const unknown = await hub.request('GET', '/nope');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const ingestToken = token('x');
    expect(await hub.request('GET', '/v1/nope', { token: ingestToken })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const wrongMethod = await hub.request('GET', '/v1/events', { token: ingestToken });
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await hub.request('DELETE', '/v1/snapshot', { token: ingestToken })).headers.get('allow')).toBe('GET, HEAD');
    const badPath = await hub.request('GET', '/v1/%E0%A4%A', { token: ingestToken });
    expect(badPath.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
