/**
 * The hub's protocol, taken from the one file the server compiles against (DESIGN: a change to
 * the contract breaks both compiles). The SDK's bundle and its .d.ts inline it.
 */
export type {
  Ack,
  AgentCounts,
  AgentState,
  AgentStatus,
  AgentView,
  AgentWindow,
  ClientToServerEvents,
  DisconnectNotice,
  ErrorBody,
  MergePatch,
  QueueView,
  QueueWindow,
  ServerToClientEvents,
  SlFormula,
  Snapshot,
  SubscribeAck,
  SubscriptionEnded,
  Topic,
  TotalsView,
  TotalsWindow,
  UpdateFrame,
  WindowName,
} from '../../../src/protocol/index.js';
export { WINDOW_NAMES } from '../../../src/protocol/index.js';
export { applyMergePatch } from '../../../src/protocol/merge-patch.js';
