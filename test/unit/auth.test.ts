import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  authorizeTopic,
  canAdmin,
  canIngest,
  canReadHistory,
  canReadLive,
  canSeeAgent,
  canSeeQueue,
  createVerifier,
  parseDuration,
  signToken,
  visibleQueues,
  type AuthFailureReason,
  type Principal,
  type Role,
} from '../../src/auth/index.js';

const SECRET = 'test-secret-of-at-least-32-characters!';
const T0 = Date.UTC(2030, 0, 15, 9, 0, 0);
const clockAt = (ms: number) => ({ now: () => ms });
const clock = clockAt(T0);
const nowSec = Math.floor(T0 / 1000);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const validClaims = { tenant: 'acme', role: 'supervisor', sub: 'ann', exp: nowSec + 3600 };

/** A token built by hand, so it can be anything a hostile caller could send. */
function handMade(header: object, payload: unknown, hmacKey?: string): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const signature = hmacKey === undefined ? '' : createHmac('sha256', hmacKey).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function refusal(verify: (token: string) => Principal, token: string): AuthFailureReason {
  try {
    verify(token);
  } catch (err) {
    expect(err).toBeInstanceOf(AuthError);
    const authError = err as AuthError;
    expect(authError.code).toBe('unauthorized');
    if (token.length > 0) expect(authError.message).not.toContain(token);
    return authError.reason;
  }
  throw new Error('token was accepted');
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = (key: { publicKey: import('node:crypto').KeyObject }) =>
  key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('createVerifier with a secret (HS256)', () => {
  const verify = createVerifier({ secret: SECRET, clock });

  it('accepts a valid token and returns its principal', () => {
    const token = signToken({ secret: SECRET, tenant: 'acme', role: 'agent', sub: 'a-1', queues: ['sales'], ttl: '1h', clock });
    expect(verify(token)).toEqual({ tenant: 'acme', role: 'agent', sub: 'a-1', queues: ['sales'], exp: nowSec + 3600 });
  });

  it('gives queues null when the claim is absent', () => {
    expect(verify(handMade({ alg: 'HS256', typ: 'JWT' }, validClaims, SECRET)).queues).toBeNull();
  });

  it('refuses a missing token', () => {
    expect(refusal(verify, '')).toBe('missing');
  });

  it('refuses garbage', () => {
    expect(refusal(verify, 'garbage')).toBe('malformed');
    expect(refusal(verify, 'a.b.c')).toBe('malformed');
    expect(refusal(verify, `${b64({ typ: 'JWT' })}.${b64(validClaims)}.sig`)).toBe('malformed');
    // The signature is checked before the payload is read.
    expect(refusal(verify, `${b64({ alg: 'HS256' })}.not-json.sig`)).toBe('bad_signature');
  });

  it('refuses a bad signature', () => {
    expect(refusal(verify, handMade({ alg: 'HS256', typ: 'JWT' }, validClaims, 'another-secret-of-32-characters-or-more'))).toBe(
      'bad_signature',
    );
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, validClaims, SECRET);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ ...validClaims, role: 'admin' })}.${signature}`;
    expect(refusal(verify, forged)).toBe('bad_signature');
  });

  it('refuses alg none, with or without a signature', () => {
    const none = handMade({ alg: 'none', typ: 'JWT' }, validClaims);
    expect(none.endsWith('.')).toBe(true);
    expect(refusal(verify, none)).toBe('alg_not_allowed');
    expect(refusal(verify, handMade({ alg: 'none', typ: 'JWT' }, validClaims, SECRET))).toBe('alg_not_allowed');
  });

  it('refuses other algorithms, even a stronger HMAC', () => {
    const hs512 = jwt.sign(validClaims, SECRET, { algorithm: 'HS512' });
    expect(refusal(verify, hs512)).toBe('alg_not_allowed');
    const rs256 = signToken({ privateKey: rsa.privateKey, tenant: 'acme', role: 'admin', sub: 'x', ttl: 60, clock });
    expect(refusal(verify, rs256)).toBe('alg_not_allowed');
  });

  it('refuses an expired token by the injected clock', () => {
    const token = signToken({ secret: SECRET, tenant: 'acme', role: 'admin', sub: 'x', ttl: '90s', clock });
    expect(createVerifier({ secret: SECRET, clock: clockAt(T0 + 89_999) })(token).sub).toBe('x');
    expect(refusal(createVerifier({ secret: SECRET, clock: clockAt(T0 + 90_000) }), token)).toBe('expired');
  });

  it('refuses a token that is not valid yet', () => {
    expect(refusal(verify, handMade({ alg: 'HS256' }, { ...validClaims, nbf: nowSec + 60 }, SECRET))).toBe('not_yet_valid');
  });

  it('refuses a token without exp', () => {
    const { exp: _exp, ...noExp } = validClaims;
    expect(refusal(verify, handMade({ alg: 'HS256', typ: 'JWT' }, noExp, SECRET))).toBe('no_exp');
  });

  it('refuses bad claims', () => {
    const bad = (claims: object) => refusal(verify, handMade({ alg: 'HS256', typ: 'JWT' }, { ...validClaims, ...claims }, SECRET));
    expect(bad({ role: 'root' })).toBe('bad_claims');
    expect(bad({ tenant: '' })).toBe('bad_claims');
    expect(bad({ tenant: 42 })).toBe('bad_claims');
    expect(bad({ sub: '' })).toBe('bad_claims');
    expect(bad({ queues: 'sales' })).toBe('bad_claims');
    expect(bad({ queues: [''] })).toBe('bad_claims');
    expect(bad({ exp: 'tomorrow' })).toBe('bad_claims');
    const { tenant: _tenant, ...noTenant } = validClaims;
    expect(refusal(verify, handMade({ alg: 'HS256' }, noTenant, SECRET))).toBe('bad_claims');
    expect(refusal(verify, handMade({ alg: 'HS256' }, 'just a string', SECRET))).toBe('bad_claims');
  });

  it('explains bad claims for the logs', () => {
    const token = handMade({ alg: 'HS256' }, { ...validClaims, role: 'root' }, SECRET);
    expect(() => verify(token)).toThrow(/role: role must be one of admin, supervisor, wallboard, agent, ingest/);
  });
});

describe('createVerifier with issuer and audience', () => {
  const verify = createVerifier({ secret: SECRET, issuer: 'idp', audience: 'pulse-hub', clock });
  const token = (claims: object) => handMade({ alg: 'HS256' }, { ...validClaims, ...claims }, SECRET);

  it('accepts matching iss and aud', () => {
    expect(verify(token({ iss: 'idp', aud: 'pulse-hub' })).tenant).toBe('acme');
    expect(verify(token({ iss: 'idp', aud: ['other', 'pulse-hub'] })).tenant).toBe('acme');
  });

  it('refuses a wrong or missing issuer', () => {
    expect(refusal(verify, token({ iss: 'evil', aud: 'pulse-hub' }))).toBe('wrong_issuer');
    expect(refusal(verify, token({ aud: 'pulse-hub' }))).toBe('wrong_issuer');
  });

  it('refuses a wrong or missing audience', () => {
    expect(refusal(verify, token({ iss: 'idp', aud: 'other' }))).toBe('wrong_audience');
    expect(refusal(verify, token({ iss: 'idp' }))).toBe('wrong_audience');
  });

  it('signs iss and aud with signToken', () => {
    const signed = signToken({ secret: SECRET, tenant: 't', role: 'wallboard', sub: 'w', ttl: 60, issuer: 'idp', audience: 'pulse-hub', clock });
    expect(verify(signed).role).toBe('wallboard');
  });
});

describe('createVerifier with a public key', () => {
  it('accepts RS256 with an RSA key', () => {
    const verify = createVerifier({ publicKey: publicPem(rsa), clock });
    const token = signToken({ privateKey: rsa.privateKey, tenant: 'acme', role: 'wallboard', sub: 'wb', ttl: '8h', clock });
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('RS256');
    expect(verify(token)).toEqual({ tenant: 'acme', role: 'wallboard', sub: 'wb', queues: null, exp: nowSec + 8 * 3600 });
  });

  it('accepts ES256 with a P-256 key, given as PEM', () => {
    const verify = createVerifier({ publicKey: publicPem(ec), clock });
    const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = signToken({ privateKey: privatePem, tenant: 'acme', role: 'ingest', sub: 'acd', ttl: '2d', clock });
    expect(jwt.decode(token, { complete: true })?.header.alg).toBe('ES256');
    expect(verify(token).role).toBe('ingest');
  });

  it('refuses an ES256 token signed by another key', () => {
    const verify = createVerifier({ publicKey: publicPem(ec), clock });
    const token = signToken({ privateKey: otherEc.privateKey, tenant: 'acme', role: 'admin', sub: 'x', ttl: 60, clock });
    expect(refusal(verify, token)).toBe('bad_signature');
  });

  it('refuses HS256 signed with the public key as secret (key confusion)', () => {
    const pem = publicPem(rsa);
    const verify = createVerifier({ publicKey: pem, clock });
    expect(refusal(verify, handMade({ alg: 'HS256', typ: 'JWT' }, validClaims, pem))).toBe('alg_not_allowed');
  });

  it('refuses the algorithm of the other key type', () => {
    const esToken = signToken({ privateKey: ec.privateKey, tenant: 'acme', role: 'admin', sub: 'x', ttl: 60, clock });
    expect(refusal(createVerifier({ publicKey: publicPem(rsa), clock }), esToken)).toBe('alg_not_allowed');
  });

  it('refuses alg none', () => {
    expect(refusal(createVerifier({ publicKey: publicPem(ec), clock }), handMade({ alg: 'none' }, validClaims))).toBe('alg_not_allowed');
  });

  it('refuses an expired RS256 token', () => {
    const token = signToken({ privateKey: rsa.privateKey, tenant: 'acme', role: 'admin', sub: 'x', ttl: 60, clock });
    expect(refusal(createVerifier({ publicKey: publicPem(rsa), clock: clockAt(T0 + 61_000) }), token)).toBe('expired');
  });
});

describe('createVerifier options', () => {
  it('needs exactly one of secret and publicKey, of a usable kind', () => {
    expect(() => createVerifier({ clock })).toThrow(/a secret or a publicKey is required/);
    expect(() => createVerifier({ secret: SECRET, publicKey: publicPem(rsa), clock })).toThrow(/not both/);
    expect(() => createVerifier({ secret: '', clock })).toThrow(/must not be empty/);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createVerifier({ publicKey: ed, clock })).toThrow(/RSA key \(RS256\) or an EC P-256 key/);
    const p384 = publicPem(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
    expect(() => createVerifier({ publicKey: p384, clock })).toThrow(/EC P-256/);
  });
});

describe('signToken', () => {
  it('sets iat from the clock and exp from the ttl', () => {
    const token = signToken({ secret: SECRET, tenant: 'acme', role: 'admin', sub: 'x', ttl: '30m', clock });
    expect(jwt.decode(token)).toEqual({ tenant: 'acme', role: 'admin', sub: 'x', iat: nowSec, exp: nowSec + 1800 });
  });

  it('refuses a bad ttl and an unusable private key', () => {
    expect(() => signToken({ secret: SECRET, tenant: 'a', role: 'admin', sub: 'x', ttl: 0 })).toThrow(/positive whole number/);
    expect(() => signToken({ secret: SECRET, tenant: 'a', role: 'admin', sub: 'x', ttl: 1.5 })).toThrow(/positive whole number/);
    expect(() => signToken({ secret: SECRET, tenant: 'a', role: 'admin', sub: 'x', ttl: '8 hours' })).toThrow(/invalid duration/);
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => signToken({ privateKey: ed, tenant: 'a', role: 'admin', sub: 'x', ttl: 60 })).toThrow(/RSA key \(RS256\) or an EC P-256/);
  });
});

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('8h')).toBe(28_800);
    expect(parseDuration('2d')).toBe(172_800);
  });

  it.each(['', '8', 'h', '8H', '1.5h', '-1h', ' 8h', '8h ', '8 h', '1w', '0s', '99999999999999999d'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});

const principal = (role: Role, extra: Partial<Principal> = {}): Principal => ({
  tenant: 'acme',
  role,
  sub: `${role}-1`,
  queues: null,
  exp: nowSec + 3600,
  ...extra,
});

describe('role capabilities', () => {
  it.each([
    // role, ingest, live, history, admin
    ['ingest', true, false, false, false],
    ['wallboard', false, true, false, false],
    ['agent', false, true, false, false],
    ['supervisor', false, true, true, false],
    ['admin', true, true, true, true],
  ] as const)('%s', (role, ingest, live, history, admin) => {
    const p = principal(role);
    expect([canIngest(p), canReadLive(p), canReadHistory(p), canAdmin(p)]).toEqual([ingest, live, history, admin]);
  });
});

describe('queue and agent visibility', () => {
  it('lets board roles see all queues without a queues claim, and only those with one', () => {
    for (const role of ['wallboard', 'supervisor', 'admin'] as const) {
      expect(visibleQueues(principal(role))).toBeNull();
      expect(canSeeQueue(principal(role), 'sales')).toBe(true);
      const limited = principal(role, { queues: ['sales'] });
      expect(visibleQueues(limited)).toEqual(['sales']);
      expect(canSeeQueue(limited, 'sales')).toBe(true);
      expect(canSeeQueue(limited, 'support')).toBe(false);
    }
  });

  it('lets an agent see the queues of its claim only, none without one', () => {
    expect(visibleQueues(principal('agent'))).toEqual([]);
    expect(canSeeQueue(principal('agent'), 'sales')).toBe(false);
    expect(canSeeQueue(principal('agent', { queues: ['sales'] }), 'sales')).toBe(true);
    expect(canSeeQueue(principal('agent', { queues: ['sales'] }), 'support')).toBe(false);
  });

  it('lets ingest see nothing', () => {
    expect(visibleQueues(principal('ingest'))).toEqual([]);
    expect(canSeeQueue(principal('ingest'), 'sales')).toBe(false);
    expect(canSeeAgent(principal('ingest'), 'a-1', ['sales'])).toBe(false);
  });

  it('lets an agent see only itself, whatever the skills', () => {
    const agent = principal('agent', { sub: 'a-1', queues: ['sales'] });
    expect(canSeeAgent(agent, 'a-1', [])).toBe(true);
    expect(canSeeAgent(agent, 'a-2', ['sales'])).toBe(false);
  });

  it('limits board roles with a queues claim to agents skilled in a visible queue', () => {
    for (const role of ['wallboard', 'supervisor', 'admin'] as const) {
      expect(canSeeAgent(principal(role), 'a-1', [])).toBe(true);
      const limited = principal(role, { queues: ['sales', 'vip'] });
      expect(canSeeAgent(limited, 'a-1', ['support', 'vip'])).toBe(true);
      expect(canSeeAgent(limited, 'a-2', ['support'])).toBe(false);
      expect(canSeeAgent(limited, 'a-3', [])).toBe(false);
    }
  });
});

describe('authorizeTopic', () => {
  const decide = (p: Principal, topic: string) => {
    const decision = authorizeTopic(p, topic);
    return decision.ok ? 'ok' : decision.code;
  };

  it('refuses malformed topics as bad_topic, for any role', () => {
    for (const topic of ['', 'queues', 'queue:', 'agent:', 'queue', 'Tenant', 'tenant:acme', 'snapshot:x']) {
      const decision = authorizeTopic(principal('admin'), topic);
      expect(decision).toMatchObject({ ok: false, code: 'bad_topic' });
      expect(decision.ok ? '' : decision.message).toContain('expected tenant, agents, queue:<id> or agent:<id>');
    }
    expect(decide(principal('ingest'), 'nonsense')).toBe('bad_topic');
  });

  it('keeps the whole id after the first colon', () => {
    expect(authorizeTopic(principal('admin'), 'queue:eu:sales')).toEqual({ ok: true, topic: 'queue:eu:sales' });
    expect(authorizeTopic(principal('agent', { sub: 'a:1' }), 'agent:a:1')).toEqual({ ok: true, topic: 'agent:a:1' });
  });

  it('gives ingest no topic at all', () => {
    for (const topic of ['tenant', 'agents', 'queue:sales', 'agent:ingest-1']) {
      expect(decide(principal('ingest'), topic)).toBe('forbidden');
    }
  });

  it('gives board roles every topic without a queues claim', () => {
    for (const role of ['wallboard', 'supervisor', 'admin'] as const) {
      for (const topic of ['tenant', 'agents', 'queue:sales', 'agent:a-1']) {
        expect(authorizeTopic(principal(role), topic)).toEqual({ ok: true, topic });
      }
    }
  });

  it('limits queue topics of board roles to their queues claim', () => {
    for (const role of ['wallboard', 'supervisor', 'admin'] as const) {
      const limited = principal(role, { queues: ['sales'] });
      expect(decide(limited, 'queue:sales')).toBe('ok');
      expect(decide(limited, 'queue:support')).toBe('forbidden');
      // The content of these is filtered by canSeeQueue / canSeeAgent.
      expect(decide(limited, 'tenant')).toBe('ok');
      expect(decide(limited, 'agents')).toBe('ok');
      expect(decide(limited, 'agent:a-1')).toBe('ok');
    }
  });

  it('gives an agent its own agent topic and the queues of its claim', () => {
    const agent = principal('agent', { sub: 'a-1', queues: ['sales'] });
    expect(decide(agent, 'agent:a-1')).toBe('ok');
    expect(decide(agent, 'agent:a-2')).toBe('forbidden');
    expect(decide(agent, 'queue:sales')).toBe('ok');
    expect(decide(agent, 'queue:support')).toBe('forbidden');
    expect(decide(agent, 'tenant')).toBe('forbidden');
    expect(decide(agent, 'agents')).toBe('forbidden');
  });

  it('gives an agent without a queues claim only its own agent topic', () => {
    const agent = principal('agent', { sub: 'a-1' });
    expect(decide(agent, 'agent:a-1')).toBe('ok');
    expect(decide(agent, 'queue:sales')).toBe('forbidden');
    expect(decide(agent, 'agent:a-2')).toBe('forbidden');
  });

  it('explains a refusal', () => {
    expect(authorizeTopic(principal('agent', { sub: 'a-1' }), 'agent:a-2')).toEqual({
      ok: false,
      code: 'forbidden',
      message: 'an agent may read only its own agent topic',
    });
    expect(authorizeTopic(principal('wallboard', { queues: ['sales'] }), 'queue:vip')).toEqual({
      ok: false,
      code: 'forbidden',
      message: 'queue "vip" is not among the queues this token may read',
    });
  });
});
