/** The event contract (SPEC §2): schemas, parsed types, batch validation and the canonical order. */
export {
  AGENT_STATUSES,
  CHANNELS,
  DEQUEUE_REASONS,
  EVENT_TYPES,
  MAX_TS,
  MIN_TS,
  agentStatusSchema,
  contactAbandonedSchema,
  contactAcwEndedSchema,
  contactAnsweredSchema,
  contactDequeuedSchema,
  contactEndedSchema,
  contactQueuedSchema,
  contactRatedSchema,
  hubEventSchema,
  tenantSchema,
} from './schemas.js';
export type {
  AgentStatusEvent,
  Channel,
  ContactAbandonedEvent,
  ContactAcwEndedEvent,
  ContactAnsweredEvent,
  ContactDequeuedEvent,
  ContactEndedEvent,
  ContactQueuedEvent,
  ContactRatedEvent,
  DequeueReason,
  EventBase,
  EventType,
  HubEvent,
} from './schemas.js';
export { TYPE_RANK, compareEvents, type Orderable } from './order.js';
export {
  DEFAULT_MAX_EVENTS,
  parseEventBatch,
  type EventError,
  type ParseBatchOptions,
  type ParseBatchResult,
} from './parse.js';
