/** The live hub: Socket.IO serving the engine's views to wallboards, consoles and the SDK (SPEC §6). */
export { attachLiveHub, type LiveHub, type LiveHubOptions, type LiveHubRedis } from './live-hub.js';
export { systemClock, type HubClock } from './clock.js';
export type { HubUpdate } from './fan-out.js';
export type { HubLogger } from './logger.js';
export type { HubServer, HubSocket, SocketData } from './types.js';
