/**
 * One socket's life after the handshake: subscribe / unsubscribe, token refresh, token expiry,
 * and the release of its views when it goes.
 */
import { AuthError, canReadLive, type Principal } from '../auth/index.js';
import type { Ack, SubscribeAck } from '../protocol/index.js';
import type { HubClock } from './clock.js';
import type { HubLogger } from './logger.js';
import { authRequestSchema, badRequest, splitAck, topicRequestSchema } from './payloads.js';
import { tenantRoom } from './rooms.js';
import { Subscriptions, type LiveViews } from './subscriptions.js';
import { TokenLifetime } from './token-lifetime.js';
import type { HubSocket } from './types.js';

export interface SessionOptions {
  live: LiveViews;
  verify: (token: string) => Principal;
  clock: HubClock;
  /** How long before `exp` the client is told `auth:expiring`. */
  expiringLeadMs: number;
  logger: HubLogger;
  onClosed: (reason: string) => void;
}

/** Tells the client why (`pulse:disconnect`), then disconnects it. */
export function endSocket(socket: HubSocket, reason: string): void {
  socket.emit('pulse:disconnect', { reason });
  socket.disconnect(true);
}

/** A refresh must keep the socket's tenant and sub (SPEC §1); its other claims may change. */
function refreshRefusal(current: Principal, next: Principal): string | undefined {
  if (next.tenant !== current.tenant || next.sub !== current.sub) return 'a refreshed token must carry the same tenant and sub';
  if (!canReadLive(next)) return `role ${next.role} may not read live topics`;
  return undefined;
}

export function startSession(socket: HubSocket, opts: SessionOptions): void {
  const { live, verify, clock, expiringLeadMs, logger } = opts;
  const first = socket.data.principal;
  const who = { tenant: first.tenant, sub: first.sub, socket: socket.id };
  const subscriptions = new Subscriptions(live, socket, first.tenant);
  const lifetime = new TokenLifetime(clock, expiringLeadMs, {
    expiring: (exp) => socket.emit('auth:expiring', { exp }),
    expired: () => {
      logger.info(who, 'socket disconnected: token expired');
      endSocket(socket, 'token_expired');
    },
  });

  void socket.join(tenantRoom(first.tenant));
  lifetime.schedule(first.exp);

  socket.on('subscribe', (...args: unknown[]) => {
    const { payload, reply } = splitAck<SubscribeAck>(args);
    if (reply === undefined) return logger.debug(who, 'subscribe without an ack ignored: the snapshot could not be given');
    const req = topicRequestSchema.safeParse(payload);
    reply(req.success ? subscriptions.subscribe(socket.data.principal, req.data.topic) : badRequest(req.error));
  });

  socket.on('unsubscribe', (...args: unknown[]) => {
    const { payload, reply } = splitAck<Ack>(args);
    const req = topicRequestSchema.safeParse(payload);
    const res = req.success ? subscriptions.unsubscribe(req.data.topic) : badRequest(req.error);
    reply?.(res);
  });

  socket.on('auth', (...args: unknown[]) => {
    const { payload, reply } = splitAck<Ack>(args);
    const req = authRequestSchema.safeParse(payload);
    if (!req.success) return reply?.(badRequest(req.error));
    let next: Principal;
    try {
      next = verify(req.data.token);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      logger.warn({ ...who, reason: err.reason }, 'token refresh refused: bad token');
      return reply?.({ ok: false, error: { code: 'unauthorized', message: 'the new token is not valid' } });
    }
    const refused = refreshRefusal(socket.data.principal, next);
    if (refused !== undefined) {
      logger.warn({ ...who, reason: 'claims', newTenant: next.tenant, newSub: next.sub, role: next.role }, 'token refresh refused');
      return reply?.({ ok: false, error: { code: 'forbidden', message: refused } });
    }
    socket.data.principal = next;
    for (const ended of subscriptions.reauthorize(next)) socket.emit('subscription:ended', ended);
    lifetime.schedule(next.exp);
    reply?.({ ok: true });
  });

  socket.once('disconnect', (reason) => {
    lifetime.cancel();
    subscriptions.releaseAll();
    opts.onClosed(reason);
  });
}
