/** The metric engine: contact-centre events in, the live figures of SPEC §4 out. */
export { TenantEngine, type TenantEngineOptions, type SnapshotFilter } from './tenant-engine.js';
export {
  DEFAULT_QUEUE_SETTINGS,
  DEFAULT_TENANT_SETTINGS,
  resolveQueueSettings,
  type QueueSettings,
  type TenantSettings,
} from './settings.js';
export { WAIT_BUCKETS_SEC } from './counters.js';
export { startOfLocalDay, startOfNextLocalDay, localDateKey, assertTimezone } from './local-day.js';
