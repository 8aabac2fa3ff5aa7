/** Token verification: signature, algorithm, expiry, issuer/audience, then claims. */
import { Buffer } from 'node:buffer';
import { createPublicKey, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { claimsSchema, type Principal } from './claims.js';
import { asymmetricAlgorithm } from './keys.js';

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'bad_signature'
  | 'alg_not_allowed'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'no_exp'
  | 'bad_claims';

/** Every refusal is 401 / `unauthorized` to the caller; `reason` is for the logs only. */
export class AuthError extends Error {
  readonly code = 'unauthorized';
  readonly reason: AuthFailureReason;

  constructor(reason: AuthFailureReason, detail: string) {
    super(`unauthorized (${reason}): ${detail}`);
    this.name = 'AuthError';
    this.reason = reason;
  }
}

export interface VerifierOptions {
  secret?: string;
  publicKey?: string;
  issuer?: string;
  audience?: string;
  clock: { now(): number };
}

export type Verify = (token: string) => Principal;

/** The algorithms a key may verify: pinned so a token cannot choose how it is checked. */
function allowedAlgorithms(options: VerifierOptions): jwt.Algorithm[] {
  if (options.secret !== undefined && options.publicKey !== undefined) {
    throw new Error('createVerifier: give either secret or publicKey, not both');
  }
  if (options.secret !== undefined) {
    if (options.secret.length === 0) throw new Error('createVerifier: secret must not be empty');
    return ['HS256'];
  }
  if (options.publicKey === undefined) throw new Error('createVerifier: a secret or a publicKey is required');
  const algorithm = asymmetricAlgorithm(createPublicKey(options.publicKey));
  if (algorithm !== undefined) return [algorithm];
  throw new Error('createVerifier: publicKey must be an RSA key (RS256) or an EC P-256 key (ES256)');
}

function headerAlg(token: string): string {
  const parts = token.split('.');
  const encodedHeader = parts[0];
  if (parts.length !== 3 || encodedHeader === undefined) {
    throw new AuthError('malformed', 'expected three dot-separated parts');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  } catch {
    throw new AuthError('malformed', 'header is not base64url JSON');
  }
  if (typeof header !== 'object' || header === null || !('alg' in header) || typeof header.alg !== 'string') {
    throw new AuthError('malformed', 'header has no alg');
  }
  return header.alg;
}

function fromJwtError(err: unknown): AuthError {
  if (err instanceof jwt.TokenExpiredError) return new AuthError('expired', 'token has expired');
  if (err instanceof jwt.NotBeforeError) return new AuthError('not_yet_valid', 'token is not valid yet (nbf)');
  if (err instanceof jwt.JsonWebTokenError) {
    const message = err.message;
    if (message === 'invalid signature') return new AuthError('bad_signature', message);
    if (message === 'invalid algorithm') return new AuthError('alg_not_allowed', message);
    if (message.startsWith('jwt issuer invalid')) return new AuthError('wrong_issuer', message);
    if (message.startsWith('jwt audience invalid')) return new AuthError('wrong_audience', message);
    if (message === 'invalid exp value' || message === 'invalid nbf value') return new AuthError('bad_claims', message);
    return new AuthError('malformed', message);
  }
  throw err;
}

/** Builds `verify(token)`, which returns the caller's principal or throws an `AuthError`. */
export function createVerifier(options: VerifierOptions): Verify {
  const algorithms = allowedAlgorithms(options);
  // Key objects made once: with a string, jsonwebtoken parses the key on every verification.
  const key = options.secret !== undefined ? createSecretKey(Buffer.from(options.secret, 'utf8')) : createPublicKey(options.publicKey ?? '');
  const { issuer, audience, clock } = options;

  return (token) => {
    if (token.length === 0) throw new AuthError('missing', 'no token');
    const alg = headerAlg(token);
    if (!algorithms.some((a) => a === alg)) {
      throw new AuthError('alg_not_allowed', `alg ${JSON.stringify(alg)} is not accepted (expected ${algorithms.join(', ')})`);
    }
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, {
        algorithms,
        // jsonwebtoken reads a clockTimestamp of 0 as "use Date.now()".
        clockTimestamp: Math.max(1, Math.floor(clock.now() / 1000)),
        ...(issuer === undefined ? {} : { issuer }),
        ...(audience === undefined ? {} : { audience }),
      });
    } catch (err) {
      throw fromJwtError(err);
    }
    if (typeof payload !== 'object' || payload === null) throw new AuthError('bad_claims', 'payload is not a JSON object');
    if (!('exp' in payload)) throw new AuthError('no_exp', 'token has no exp claim');
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AuthError('bad_claims', claims.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const { tenant, role, sub, queues, exp } = claims.data;
    return { tenant, role, sub, queues: queues ?? null, exp };
  };
}
