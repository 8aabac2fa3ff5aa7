/** Token signing, for the token CLI and tests: HS256 with a secret, RS256/ES256 with a private key. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from './claims.js';
import { parseDuration } from './duration.js';
import { asymmetricAlgorithm } from './keys.js';

interface SignClaims {
  tenant: string;
  role: Role;
  sub: string;
  queues?: readonly string[];
  /** Seconds, or a duration such as '8h' (see parseDuration). */
  ttl: string | number;
  issuer?: string;
  audience?: string;
  /** Issue time; defaults to the system clock. */
  clock?: { now(): number };
}

export type SignOptions = SignClaims & ({ secret: string; privateKey?: never } | { privateKey: string | KeyObject; secret?: never });

function algorithmFor(key: KeyObject): jwt.Algorithm {
  const algorithm = asymmetricAlgorithm(key);
  if (algorithm === undefined) throw new Error('signToken: privateKey must be an RSA key (RS256) or an EC P-256 key (ES256)');
  return algorithm;
}

function ttlSeconds(ttl: string | number): number {
  if (typeof ttl === 'string') return parseDuration(ttl);
  if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new Error(`signToken: ttl must be a positive whole number of seconds, got ${ttl}`);
  return ttl;
}

export function signToken(options: SignOptions): string {
  const iat = Math.floor((options.clock?.now() ?? Date.now()) / 1000);
  const payload = {
    tenant: options.tenant,
    role: options.role,
    sub: options.sub,
    ...(options.queues === undefined ? {} : { queues: [...options.queues] }),
    iat,
    exp: iat + ttlSeconds(options.ttl),
  };
  const claimOptions = {
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  if (options.secret !== undefined) {
    return jwt.sign(payload, options.secret, { algorithm: 'HS256', ...claimOptions });
  }
  const key = typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  return jwt.sign(payload, key, { algorithm: algorithmFor(key), ...claimOptions });
}
