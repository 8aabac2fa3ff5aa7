/**
 * The live hub: Socket.IO on the node's HTTP server, serving the engine's views to sockets
 * (SPEC §6), with handshake auth, token lifetime, slow-client protection and, across nodes, the
 * Redis adapter for operations that must reach every node's sockets.
 */
import type { Server as HttpServer } from 'node:http';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { Server } from 'socket.io';
import type { Principal } from '../auth/index.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics/index.js';
import { handshakeAuth } from './auth-handshake.js';
import { systemClock, type HubClock } from './clock.js';
import { fanOut, type HubUpdate } from './fan-out.js';
import type { HubLogger } from './logger.js';
import { tenantRoom } from './rooms.js';
import { endSocket, startSession } from './session.js';
import { startSlowClientSweep } from './slow-client.js';
import type { LiveViews } from './subscriptions.js';
import type { HubServer, HubSocket } from './types.js';

type EngineConnection = HubSocket['conn'];

const DEFAULT_LAG_BYTES = 64 * 1024;

export interface LiveHubRedis {
  /** Publishes; may be shared with other commands. */
  pub: Redis;
  /** Subscribes: a dedicated connection (a subscribed ioredis client runs no other command). */
  sub: Redis;
  /** Prefix of the adapter's channels: nodes of one hub share it, other hubs on the Redis must not. */
  channelPrefix: string;
}

export interface LiveHubOptions {
  httpServer: HttpServer;
  live: LiveViews;
  /** The engine's updates (`LiveEngine.run`), subscribed once. */
  updates$: Observable<HubUpdate>;
  verify: (token: string) => Principal;
  metrics: Pick<Metrics, 'connections' | 'updateLatencySeconds'>;
  logger: HubLogger;
  config: Pick<Config, 'slowClientBufferBytes'>;
  /** Several nodes: Socket.IO's sharded Redis adapter. Absent: this node alone. */
  redis?: LiveHubRedis;
  clock?: HubClock;
  /** Default `/socket.io`. */
  path?: string;
  /** Default false: compression costs CPU per socket and defeats one-encoding-per-broadcast. */
  perMessageDeflate?: boolean;
  /** How long before a token's `exp` the client is told `auth:expiring` (default 60 s). */
  expiringLeadMs?: number;
  /** How long `close` waits for sockets to flush their notice before cutting them (default 2 s). */
  closeGraceMs?: number;
  /** How often sockets' queued bytes are measured (default 500 ms). */
  slowCheckIntervalMs?: number;
  /** Queued bytes above which update frames skip a socket until it drains (default 64 KiB, at most the limit). */
  lagBytes?: number;
}

export interface LiveHub {
  io: HubServer;
  /** Sockets connected to this node. */
  connections(): number;
  /** Tells every socket of a tenant, on every node, the reason, and disconnects it. */
  disconnectTenant(tenant: string, reason: string): void;
  /**
   * Tells this node's sockets the reason, disconnects them and stops Socket.IO; refuses new
   * connections from then on. Leaves the HTTP server open: the node closes it. Later calls
   * return the first call's promise.
   */
  close(reason: string): Promise<void>;
}

/** Resolves when every connection has closed, or after `timeoutMs`. */
function closedOrTimeout(conns: readonly EngineConnection[], clock: HubClock, timeoutMs: number): Promise<void> {
  const open = conns.filter((conn) => conn.readyState !== 'closed');
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = open.length;
    const cancel = clock.setTimer(timeoutMs, resolve);
    for (const conn of open) {
      conn.once('close', () => {
        if (--left > 0) return;
        cancel();
        resolve();
      });
    }
  });
}

export function attachLiveHub(opts: LiveHubOptions): LiveHub {
  const { live, verify, metrics, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const limitBytes = opts.config.slowClientBufferBytes;
  let closing = false;
  let closed: Promise<void> | undefined;

  const io: HubServer = new Server(opts.httpServer, {
    path: opts.path ?? '/socket.io',
    serveClient: false,
    perMessageDeflate: opts.perMessageDeflate ?? false,
    // Tokens travel in the handshake, never in cookies, so any origin may connect. Polling needs POST.
    cors: { origin: '*', methods: ['GET', 'POST'] },
    allowRequest: (_req, callback) => callback(closing ? 'the hub is shutting down' : null, !closing),
    // Static mode: update frames never cross nodes (io.local), so one channel per room would be
    // subscriptions for nothing; tenant disconnects and counts go through the main channel.
    ...(opts.redis === undefined
      ? {}
      : { adapter: createShardedAdapter(opts.redis.pub, opts.redis.sub, { channelPrefix: opts.redis.channelPrefix, subscriptionMode: 'static' }) }),
  });
  const nsp = io.of('/');

  io.use(handshakeAuth({ verify, logger, isClosing: () => closing }));
  io.on('connection', (socket) => {
    metrics.connections.inc();
    const { tenant, sub, role } = socket.data.principal;
    logger.debug({ tenant, sub, role, socket: socket.id }, 'socket connected');
    startSession(socket, {
      live,
      verify,
      clock,
      expiringLeadMs: opts.expiringLeadMs ?? 60_000,
      logger,
      onClosed: (reason) => {
        metrics.connections.dec();
        logger.debug({ tenant, sub, socket: socket.id, reason }, 'socket disconnected');
      },
    });
  });

  const updates = fanOut({
    io,
    updates$: opts.updates$,
    onDelivered: (appendedAt) => metrics.updateLatencySeconds.observe(Math.max(0, clock.now() - appendedAt) / 1000),
    onError: (err) => logger.error({ err }, 'the update stream failed: no more live updates'),
  });

  const stopSweep = startSlowClientSweep({
    clock,
    intervalMs: opts.slowCheckIntervalMs ?? 500,
    lagBytes: Math.min(opts.lagBytes ?? DEFAULT_LAG_BYTES, limitBytes),
    limitBytes,
    sockets: () => nsp.sockets.values(),
    onSlow: (socket, bytes) => {
      const { tenant, sub } = socket.data.principal;
      logger.warn({ tenant, sub, socket: socket.id, bytes, limitBytes }, 'socket disconnected: slow');
      endSocket(socket, 'slow');
      // Drop what is queued for it: that backlog is what the limit is for.
      socket.conn.close(true);
    },
  });

  return {
    io,
    connections: () => nsp.sockets.size,
    disconnectTenant(tenant, reason) {
      const room = tenantRoom(tenant);
      logger.info({ tenant, reason }, 'disconnecting a tenant on every node');
      io.in(room).emit('pulse:disconnect', { reason });
      io.in(room).disconnectSockets(true);
    },
    close(reason) {
      closed ??= (async () => {
        closing = true;
        updates.unsubscribe();
        stopSweep();
        const conns = [...nsp.sockets.values()].map((socket) => socket.conn);
        for (const socket of nsp.sockets.values()) endSocket(socket, reason);
        // Closing the engine discards what sockets still have queued: first let the notices go.
        await closedOrTimeout(conns, clock, opts.closeGraceMs ?? 2000);
        await nsp.adapter.close();
        io.engine.close();
        logger.info({ reason }, 'live hub closed');
      })();
      return closed;
    },
  };
}
