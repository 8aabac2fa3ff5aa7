/**
 * Handshake authentication: the token of `handshake.auth.token` becomes the socket's principal,
 * or the connection is refused with a `connect_error` whose `data.code` says why. The log line
 * names the reason, never the token.
 */
import type { ExtendedError } from 'socket.io';
import { AuthError, canReadLive, type Principal } from '../auth/index.js';
import type { HubLogger } from './logger.js';
import type { HubSocket } from './types.js';

export type HandshakeRefusalCode = 'unauthorized' | 'forbidden' | 'shutting_down';

/** The error Socket.IO sends as `connect_error`: `message` and `data` reach the client. */
export function refusal(code: HandshakeRefusalCode, message: string): ExtendedError {
  const err: ExtendedError = new Error(message);
  err.data = { code, message };
  return err;
}

export interface HandshakeOptions {
  verify: (token: string) => Principal;
  logger: HubLogger;
  isClosing: () => boolean;
}

export function handshakeAuth({ verify, logger, isClosing }: HandshakeOptions) {
  return (socket: HubSocket, next: (err?: ExtendedError) => void): void => {
    if (isClosing()) return next(refusal('shutting_down', 'the hub is shutting down; connect again'));
    const address = socket.handshake.address;
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
    let principal: Principal;
    try {
      if (typeof token !== 'string') throw new AuthError('missing', 'no token in handshake auth');
      principal = verify(token);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      logger.warn({ reason: err.reason, address }, 'socket refused: bad token');
      return next(refusal('unauthorized', 'a valid token is required in auth.token'));
    }
    if (!canReadLive(principal)) {
      logger.warn({ reason: 'role', role: principal.role, tenant: principal.tenant, sub: principal.sub, address }, 'socket refused: role may not read');
      return next(refusal('forbidden', `role ${principal.role} may not read live topics`));
    }
    socket.data.principal = principal;
    next();
  };
}
