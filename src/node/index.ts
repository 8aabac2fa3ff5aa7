/** A hub node: start-up (migrate, replay the log, go live), wiring of REST and live hub, shutdown. */
export { startNode, type HubNode, type NodeDeps } from './start.js';
export type { ReplayStats } from './follow.js';
export { DEMO_TENANT, runNode, type RunningNode } from './run.js';
