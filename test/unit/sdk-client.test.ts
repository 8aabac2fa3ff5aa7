import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { backoffDelay, connectPulse, DEFAULT_BACKOFF, type ConnectionState, type PulseError, type PulseOptions } from '../../client/sdk/src/index.js';
import { FakePulseSocket } from '../support/fake-pulse-socket.js';

/** An unsigned JWT with `exp` (epoch ms): the SDK only reads it. */
function jwt(expMs: number, sub = 'u1'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp: Math.floor(expMs / 1000) })}.sig`;
}

function setup(options: Partial<PulseOptions> = {}) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  let socket: FakePulseSocket | undefined;
  const base = options.getToken === undefined ? { token: options.token ?? 'static-token' } : { getToken: options.getToken };
  const client = connectPulse({
    url: 'http://hub.test',
    scheduler,
    random: () => 0.5,
    socket: (o) => (socket = new FakePulseSocket(scheduler, o)),
    ...options,
    ...base,
  } as PulseOptions);
  const states: ConnectionState[] = [];
  const errors: PulseError[] = [];
  client.state$.subscribe((s) => states.push(s));
  client.errors$.subscribe((e) => errors.push(e));
  /** Runs virtual time forward by `ms`, letting promise callbacks run at each step. */
  async function advance(ms: number): Promise<void> {
    const target = scheduler.frame + ms;
    for (;;) {
      await Promise.resolve();
      await Promise.resolve();
      const next = scheduler.actions[0];
      if (next === undefined || next.delay > target) break;
      scheduler.maxFrames = next.delay;
      scheduler.flush();
    }
    scheduler.frame = target;
  }
  if (socket === undefined) throw new Error('the client made no socket');
  return { client, socket, scheduler, states, errors, advance };
}

const queueSnapshot = { waiting: 1, oldestWaitSec: 5, oldestContactId: 'c1', agents: { staffed: 2, available: 1 }, windows: { '15m': { offered: 3, serviceLevel: 90 } } };

describe('SDK client: topics', () => {
  it('emits the snapshot, then whole new objects with each update applied, leaving earlier ones untouched', () => {
    const { client, socket, states } = setup();
    const seen: unknown[] = [];
    client.subscribe('queue:sales').subscribe((v) => seen.push(v));
    expect(socket.connects).toHaveLength(1);
    socket.accept();
    expect(socket.subscribes.map((s) => s.topic)).toEqual(['queue:sales']);
    expect(states).toEqual(['connecting']);
    socket.answer('queue:sales', { ok: true, topic: 'queue:sales', position: 'p1', snapshot: queueSnapshot });
    expect(states).toEqual(['connecting', 'live']);
    socket.fire('update', { topic: 'queue:sales', position: 'p2', prev: 'p1', changes: { waiting: 2, windows: { '15m': { serviceLevel: null } } } });
    socket.fire('update', { topic: 'queue:sales', position: 'p3', prev: 'p2', changes: { oldestWaitSec: 6 } });
    expect(seen).toEqual([
      queueSnapshot,
      { ...queueSnapshot, waiting: 2, windows: { '15m': { offered: 3 } } },
      { ...queueSnapshot, waiting: 2, oldestWaitSec: 6, windows: { '15m': { offered: 3 } } },
    ]);
    expect(seen[0]).toEqual(queueSnapshot);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('resubscribes on a position gap, drops frames until the fresh snapshot, and goes on from it', () => {
    const { client, socket, states } = setup();
    const seen: unknown[] = [];
    client.subscribe('agents').subscribe((v) => seen.push(v));
    socket.accept();
    socket.answer('agents', { ok: true, topic: 'agents', position: 'p1', snapshot: { a1: { state: 'available' } } });
    socket.fire('update', { topic: 'agents', position: 'p5', prev: 'p4', changes: { a1: { state: 'aux' } } });
    expect(states.at(-1)).toBe('resyncing');
    expect(socket.subscribes.map((s) => s.topic)).toEqual(['agents', 'agents']);
    // A frame in flight from before the resync: ignored, not a second gap.
    socket.fire('update', { topic: 'agents', position: 'p6', prev: 'p5', changes: { a1: { state: 'acw' } } });
    expect(socket.subscribes).toHaveLength(2);
    socket.answer('agents', { ok: true, topic: 'agents', position: 'p6', snapshot: { a1: { state: 'acw' } } });
    socket.fire('update', { topic: 'agents', position: 'p7', prev: 'p6', changes: { a2: { state: 'available' } } });
    expect(seen).toEqual([{ a1: { state: 'available' } }, { a1: { state: 'acw' } }, { a1: { state: 'acw' }, a2: { state: 'available' } }]);
    expect(states).toEqual(['connecting', 'live', 'resyncing', 'live']);
  });

  it('shares one server subscription between subscribers and unsubscribes when the last one leaves', () => {
    const { client, socket } = setup();
    socket.accept();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const subA = client.subscribe('tenant').subscribe((v) => a.push(v));
    socket.answer('tenant', { ok: true, topic: 'tenant', position: 'p1', snapshot: { tenant: 't' } });
    const subB = client.subscribe('tenant').subscribe((v) => b.push(v));
    expect(socket.subscribes).toHaveLength(1);
    expect(b).toEqual([{ tenant: 't' }]);
    subA.unsubscribe();
    expect(socket.unsubscribes).toEqual([]);
    subB.unsubscribe();
    expect(socket.unsubscribes).toEqual(['tenant']);
  });

  it('errors a topic stream with the code the hub refused it with', () => {
    const { client, socket, states } = setup();
    socket.accept();
    let error: PulseError | undefined;
    client.subscribe('agent:a9').subscribe({ error: (e: PulseError) => (error = e) });
    socket.answer('agent:a9', { ok: false, error: { code: 'forbidden', message: 'not your agent' } });
    expect(error?.code).toBe('forbidden');
    expect(error?.message).toBe('not your agent');
    expect(states.at(-1)).toBe('live');
  });

  it('refuses a topic name that is not one, and reports frames that are not the protocol', () => {
    const { client, socket, errors } = setup();
    let error: PulseError | undefined;
    client.subscribe('queues' as 'tenant').subscribe({ error: (e: PulseError) => (error = e) });
    expect(error?.code).toBe('bad_request');
    socket.accept();
    socket.fire('update', { topic: 'tenant' } as never);
    expect(errors.map((e) => e.code)).toEqual(['bad_response']);
  });

  it('turns a null patch into a null object (the queue is gone) and a later patch into a new one', () => {
    const { client, socket } = setup();
    const seen: unknown[] = [];
    client.subscribe('queue:q').subscribe((v) => seen.push(v));
    socket.accept();
    socket.answer('queue:q', { ok: true, topic: 'queue:q', position: 'p1', snapshot: { waiting: 1 } });
    socket.fire('update', { topic: 'queue:q', position: 'p2', prev: 'p1', changes: null });
    socket.fire('update', { topic: 'queue:q', position: 'p3', prev: 'p2', changes: { waiting: 4 } });
    expect(seen).toEqual([{ waiting: 1 }, null, { waiting: 4 }]);
  });
});

describe('SDK client: reconnects', () => {
  it('goes offline on a drop, reconnects after a jittered exponential backoff, and resubscribes every topic', async () => {
    const { client, socket, states, advance } = setup({ backoff: { initialMs: 1000, maxMs: 4000, jitter: 0.5 } });
    client.subscribe('tenant').subscribe();
    client.subscribe('queue:sales').subscribe();
    socket.accept();
    socket.answer('tenant', { ok: true, topic: 'tenant', position: 'p1', snapshot: {} });
    socket.answer('queue:sales', { ok: true, topic: 'queue:sales', position: 'p1', snapshot: {} });
    await advance(10_000);
    socket.drop('transport close');
    expect(states.at(-1)).toBe('offline');
    // random() = 0.5 and jitter 0.5: each delay is 75% of 1 s, 2 s, 4 s, 4 s (the cap).
    for (const delay of [750, 1500, 3000, 3000]) {
      const before = socket.connects.length;
      await advance(delay - 1);
      expect(socket.connects).toHaveLength(before);
      await advance(1);
      expect(socket.connects).toHaveLength(before + 1);
      socket.fire('connect_error', { message: 'xhr poll error' });
    }
    expect(socket.connects.map((c) => c.at)).toEqual([0, 10_750, 12_250, 15_250, 18_250]);
    await advance(3000);
    socket.accept();
    expect(states.at(-1)).toBe('resyncing');
    expect(socket.subscribes.slice(2).map((s) => s.topic)).toEqual(['tenant', 'queue:sales']);
    socket.answer('tenant', { ok: true, topic: 'tenant', position: 'p9', snapshot: {} });
    socket.answer('queue:sales', { ok: true, topic: 'queue:sales', position: 'p9', snapshot: {} });
    expect(states).toEqual(['connecting', 'live', 'offline', 'resyncing', 'live']);
    // Live again: the next drop starts from the first delay.
    socket.drop('ping timeout');
    await advance(750);
    expect(socket.connects).toHaveLength(7);
  });

  it('reconnects after the hub says it is shutting down (a server-side disconnect)', async () => {
    const { socket, states, advance } = setup();
    socket.accept();
    socket.drop('io server disconnect', 'shutdown');
    expect(states).toEqual(['connecting', 'live', 'offline']);
    await advance(750);
    expect(socket.connects).toHaveLength(2);
  });

  it('spreads the delays of many clients over half the backoff (no reconnect storm)', () => {
    const delays = Array.from({ length: 1000 }, (_, i) => backoffDelay(0, DEFAULT_BACKOFF, () => i / 1000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    // Evenly spread: every 50 ms slice of 500-1000 ms holds a tenth of them.
    for (let slice = 500; slice < 1000; slice += 50) {
      expect(delays.filter((d) => d >= slice && d < slice + 50).length).toBeGreaterThanOrEqual(95);
    }
    expect(backoffDelay(40, DEFAULT_BACKOFF, () => 0)).toBe(DEFAULT_BACKOFF.maxMs);
  });

  it('rejects backoff settings that make no sense', () => {
    expect(() => setup({ backoff: { initialMs: 0 } })).toThrow(/initialMs/);
    expect(() => setup({ backoff: { initialMs: 5000, maxMs: 1000 } })).toThrow(/initialMs <= maxMs/);
    expect(() => setup({ backoff: { jitter: 2 } })).toThrow(/jitter/);
  });
});

describe('SDK client: tokens', () => {
  it('with a fixed token, a refused handshake is final: unauthorized, with the hub code on every stream', async () => {
    const { client, socket, states, errors, advance } = setup({ token: 'bad' });
    let error: PulseError | undefined;
    client.subscribe('tenant').subscribe({ error: (e: PulseError) => (error = e) });
    socket.refuse('unauthorized');
    await advance(60_000);
    expect(states).toEqual(['connecting', 'unauthorized']);
    expect(error?.code).toBe('unauthorized');
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    expect(socket.connects).toHaveLength(1);
  });

  it('with a fixed token, a token_expired disconnect ends in unauthorized with code token_expired', async () => {
    const { client, socket, states, advance } = setup({ token: jwt(60_000) });
    let error: PulseError | undefined;
    client.subscribe('tenant').subscribe({ error: (e: PulseError) => (error = e) });
    socket.accept();
    socket.answer('tenant', { ok: true, topic: 'tenant', position: 'p1', snapshot: {} });
    socket.drop('io server disconnect', 'token_expired');
    await advance(60_000);
    expect(states).toEqual(['connecting', 'live', 'offline', 'unauthorized']);
    expect(error?.code).toBe('token_expired');
    expect(socket.connects).toHaveLength(1);
  });

  it('refreshes through getToken before exp and hands the new token to the hub', async () => {
    const issued: string[] = [];
    const getToken = () => {
      const token = jwt(10 * 60_000 * (issued.length + 1), `u${issued.length}`);
      issued.push(token);
      return token;
    };
    const { socket, errors, advance } = setup({ getToken, refreshLeadMs: 90_000 });
    await advance(0);
    expect(socket.connects).toEqual([{ at: 0, token: issued[0] }]);
    socket.accept();
    // The first token expires at 10 min: refreshed 90 s before.
    await advance(8.5 * 60_000 - 1);
    expect(socket.auths).toHaveLength(0);
    await advance(1);
    expect(socket.auths.map((a) => a.token)).toEqual([issued[1]]);
    socket.auths[0]!.ack({ ok: true });
    // The second expires at 20 min: the next refresh at 18.5 min.
    await advance(10 * 60_000);
    expect(socket.auths).toHaveLength(2);
    socket.auths[1]!.ack({ ok: false, error: { code: 'forbidden', message: 'other tenant' } });
    expect(errors.map((e) => e.code)).toEqual(['forbidden']);
  });

  it('refreshes at once when the hub says auth:expiring', async () => {
    let n = 0;
    const { socket, advance } = setup({ getToken: () => jwt(3_600_000, `u${n++}`) });
    await advance(0);
    socket.accept();
    socket.fire('auth:expiring', { exp: 3600 });
    await advance(0);
    expect(socket.auths).toHaveLength(1);
  });

  it('with getToken, a token_expired disconnect or a refused handshake fetches a new token and reconnects', async () => {
    let n = 0;
    const { socket, states, advance } = setup({ getToken: () => jwt(3_600_000, `u${n++}`) });
    await advance(0);
    socket.accept();
    socket.drop('io server disconnect', 'token_expired');
    await advance(750);
    expect(socket.connects.map((c) => c.token)).toEqual([jwt(3_600_000, 'u0'), jwt(3_600_000, 'u1')]);
    socket.refuse('unauthorized');
    // The second retry in a row: 75% of 2 s.
    await advance(1500);
    expect(socket.connects.at(-1)?.token).toBe(jwt(3_600_000, 'u2'));
    socket.accept();
    expect(states).toEqual(['connecting', 'live', 'offline', 'live']);
  });

  it('with getToken giving the same refused token again, stops as unauthorized', async () => {
    const { socket, states, advance } = setup({ getToken: () => 'same' });
    await advance(0);
    socket.refuse('unauthorized');
    await advance(10_000);
    expect(states).toEqual(['connecting', 'unauthorized']);
    expect(socket.connects).toHaveLength(1);
  });

  it('when getToken fails, says so and tries again later', async () => {
    let calls = 0;
    const { socket, errors, advance } = setup({
      getToken: () => {
        calls++;
        if (calls === 1) throw new Error('login service down');
        return jwt(3_600_000);
      },
    });
    await advance(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([['token_refresh_failed', 'getToken failed: login service down']]);
    expect(socket.connects).toHaveLength(0);
    await advance(750);
    expect(socket.connects).toHaveLength(1);
  });
});

describe('SDK client: REST', () => {
  it('sends the token and turns an error body into a PulseError with the hub code and status', async () => {
    const calls: { url: string; auth: string | undefined }[] = [];
    const { client } = setup({
      token: 'tok',
      fetch: async (url, init) => {
        calls.push({ url, auth: init.headers.Authorization });
        return url.includes('bad')
          ? new Response(JSON.stringify({ error: { code: 'invalid_query', message: 'nope' } }), { status: 400 })
          : new Response(JSON.stringify({ tenant: 't' }), { status: 200 });
      },
    });
    await expect(client.snapshot({ queues: ['a', 'b'] })).resolves.toEqual({ tenant: 't' });
    expect(calls[0]).toEqual({ url: 'http://hub.test/v1/snapshot?queues=a%2Cb', auth: 'Bearer tok' });
    await expect(client.http.getJson('/v1/bad')).rejects.toMatchObject({ code: 'invalid_query', status: 400, message: 'nope' });
  });

  it('reports an unreachable hub as network', async () => {
    const { client } = setup({
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(client.snapshot()).rejects.toMatchObject({ code: 'network' });
  });
});
