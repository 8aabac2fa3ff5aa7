/**
 * Bearer authentication of REST calls (SPEC §1): the verified principal goes on `res.locals`;
 * every refusal is 401 `unauthorized` with `WWW-Authenticate`, and one log line that gives the
 * reason but never the token.
 */
import type { RequestHandler, Response } from 'express';
import { AuthError, type Principal, type Verify } from '../auth/index.js';
import { sendError } from './errors.js';

export interface AuthLogger {
  info(obj: object, msg: string): void;
}

export interface AuthenticateOptions {
  verify: Verify;
  /** The clock `verify` uses: a remembered token is refused once its `exp` has passed. Default: the system's. */
  clock?: { now(): number };
  logger: AuthLogger;
  /** Told of each refusal, e.g. to count refused ingest calls. */
  onRefused?: (path: string) => void;
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/** Tokens remembered after a successful check; beyond this many, the least recently used goes. */
const REMEMBERED_TOKENS = 10_000;

/**
 * `verify` for tokens seen before: an ingest client posts with the same token all day, and
 * checking its signature on every request costs more than the rest of a small batch. Only
 * successes are remembered, and each only until its `exp`.
 */
function rememberingVerify(verify: Verify, clock: { now(): number }): Verify {
  const known = new Map<string, Principal>();
  return (token) => {
    const principal = known.get(token);
    if (principal !== undefined) {
      known.delete(token);
      if (principal.exp * 1000 > clock.now()) {
        known.set(token, principal);
        return principal;
      }
    }
    const verified = verify(token);
    known.set(token, verified);
    if (known.size > REMEMBERED_TOKENS) known.delete(known.keys().next().value as string);
    return verified;
  };
}

const systemClock = { now: () => Date.now() };

export function authenticate({ verify: verifyToken, clock = systemClock, logger, onRefused }: AuthenticateOptions): RequestHandler {
  const verify = rememberingVerify(verifyToken, clock);
  return (req, res, next) => {
    const header = req.headers.authorization;
    let reason: string;
    let detail: string;
    if (header === undefined || header.length === 0) {
      reason = 'missing';
      detail = 'no Authorization header';
    } else {
      const match = BEARER.exec(header);
      if (match === null) {
        reason = 'malformed';
        detail = 'the Authorization header is not "Bearer <token>"';
      } else {
        try {
          res.locals['principal'] = verify(match[1] as string);
          next();
          return;
        } catch (err) {
          if (!(err instanceof AuthError)) throw err;
          reason = err.reason;
          detail = err.message;
        }
      }
    }
    const path = req.baseUrl + req.path;
    logger.info({ reason, detail, method: req.method, path, ip: req.ip }, 'request refused: unauthorized');
    onRefused?.(path);
    // RFC 6750: tell the client how to authenticate, and that this token did not do.
    const missing = reason === 'missing';
    const challenge = missing ? 'Bearer realm="pulse-hub"' : 'Bearer realm="pulse-hub", error="invalid_token"';
    const message = missing ? 'a bearer token is required: Authorization: Bearer <token>' : 'the bearer token was refused';
    sendError(res, 401, { code: 'unauthorized', message }, { 'WWW-Authenticate': challenge });
  };
}

/** The caller of an authenticated route. */
export function principalOf(res: Response): Principal {
  const principal: unknown = res.locals['principal'];
  if (typeof principal !== 'object' || principal === null) {
    throw new Error('principalOf: the route is not behind authenticate()');
  }
  return principal as Principal;
}
