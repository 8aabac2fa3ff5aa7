/** The REST API: the express app, its routes, and the ingest rate limiter. */
export { createApp, type AppLogger, type AppOptions } from './app.js';
export { HttpError } from './errors.js';
export type { Clock, IngestLimits } from './events.js';
export type { ReadinessCheck } from './health.js';
export type { SnapshotSource } from './snapshot.js';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions, type TakeResult } from './rate-limit.js';
