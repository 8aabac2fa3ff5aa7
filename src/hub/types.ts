/** The typed Socket.IO server and socket of the hub. */
import type { Server, Socket } from 'socket.io';
import type { Principal } from '../auth/index.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/index.js';

/** Kept on `socket.data`: set by the handshake, replaced by a token refresh. */
export interface SocketData {
  principal: Principal;
}

/** Nodes send each other nothing of their own: the adapter carries only Socket.IO's operations. */
export type InterServerEvents = Record<string, never>;

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
