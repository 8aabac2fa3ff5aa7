/** @pulse-hub/sdk: live Pulse Hub figures as RxJS Observables, in browsers and Node. */
export { connectPulse, type ConnectionState, type PulseClient, type PulseOptions } from './client.js';
export { PulseError } from './errors.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type { FetchLike, PulseHttp, Query } from './http.js';
export type { TopicValue } from './topics.js';
export type { ConnectError, PulseSocket, PulseSocketEvents, SocketFactory, SocketOptions } from './transport.js';
export { tokenExpiry } from './token.js';
export * from './protocol.js';
