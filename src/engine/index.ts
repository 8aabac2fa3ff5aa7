/** The metric engine: contact-centre events in, the live figures of SPEC §4 out. */
export { TenantEngine, type TenantEngineOptions, type SnapshotFilter, type SnapshotOptions, type CollectOptions } from './tenant-engine.js';
export {
  DEFAULT_QUEUE_SETTINGS,
  DEFAULT_TENANT_SETTINGS,
  resolveQueueSettings,
  type QueueSettings,
  type TenantSettings,
} from './settings.js';
export { startOfLocalDay, startOfNextLocalDay, localDateKey, assertTimezone } from './local-day.js';
export {
  LiveEngine,
  conflationInterval,
  refreshAllMs,
  viewKey,
  topicValue,
  type EventBatch,
  type LiveEngineOptions,
  type TopicChange,
  type TopicState,
  type ViewUpdate,
} from './live-engine.js';
export {
  INTERVAL_MS,
  ANSWERED_WITHIN_SEC,
  ABANDONED_WITHIN_SEC,
  intervalOf,
  type QueueIntervalRow,
  type AgentIntervalRow,
  type RollupBatch,
  type TimeByState,
} from './rollups.js';
export { queueWindow, agentWindow, occupancy, Q, A, QUEUE_WIDTH, AGENT_WIDTH } from './counters.js';
export { encodeCheckpoint, decodeCheckpoint, type TenantCheckpoint } from './checkpoint.js';
export { tuneV8ForEngine } from './v8-flags.js';
