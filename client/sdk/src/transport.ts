/**
 * The socket the client drives: the part of socket.io-client it uses, so that tests can put a
 * fake in its place. Reconnection is the client's own (see backoff.ts): socket.io-client does not
 * retry after a server-side disconnect or a refused handshake, and one path is easier to trust.
 */
import { io } from 'socket.io-client';
import type { Ack, ClientToServerEvents, DisconnectNotice, SubscribeAck, SubscriptionEnded, UpdateFrame } from './protocol.js';

/** A refused handshake or a transport failure, as socket.io-client reports it. */
export interface ConnectError {
  message: string;
  /** The hub's `{ code, message }` when the hub refused the handshake. */
  data?: unknown;
}

export interface PulseSocketEvents {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (err: ConnectError) => void;
  update: (frame: UpdateFrame) => void;
  'auth:expiring': (info: { exp: number }) => void;
  'pulse:disconnect': (notice: DisconnectNotice) => void;
  'subscription:ended': (ended: SubscriptionEnded) => void;
}

export interface PulseSocket {
  connect(): void;
  disconnect(): void;
  on<E extends keyof PulseSocketEvents>(event: E, listener: PulseSocketEvents[E]): void;
  subscribe(topic: string, ack: (res: SubscribeAck) => void): void;
  unsubscribe(topic: string): void;
  auth(token: string, ack: (res: Ack) => void): void;
}

export interface SocketOptions {
  url: string;
  /** Socket.IO's path on the hub (default `/socket.io`). */
  path: string;
  /** The token for each handshake, read when it starts. */
  token: () => string;
}

export type SocketFactory = (options: SocketOptions) => PulseSocket;

/** The real socket: socket.io-client, websocket first, reconnection left to the client. */
export const socketIo: SocketFactory = ({ url, path, token }) => {
  const socket = io(url, {
    path,
    autoConnect: false,
    reconnection: false,
    transports: ['websocket', 'polling'],
    auth: (cb) => cb({ token: token() }),
  });
  const emit = socket.emit.bind(socket) as <E extends keyof ClientToServerEvents>(event: E, ...args: Parameters<ClientToServerEvents[E]>) => void;
  return {
    connect: () => void socket.connect(),
    disconnect: () => void socket.disconnect(),
    on: (event, listener) => {
      // socket.io-client types reserved and server events apart; both are ordinary listeners here.
      (socket.on as (event: string, listener: (...args: never[]) => void) => void)(event, listener);
    },
    subscribe: (topic, ack) => emit('subscribe', { topic }, ack),
    unsubscribe: (topic) => emit('unsubscribe', { topic }),
    auth: (token, ack) => emit('auth', { token }, ack),
  };
};
