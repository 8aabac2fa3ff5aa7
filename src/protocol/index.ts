/**
 * The public shapes of Pulse Hub (SPEC §4-§6): snapshot objects and the Socket.IO event maps.
 * Imported by the server (src/hub, src/http) and by the client SDK, so a change to the
 * contract breaks the compile on both sides at once.
 */

export type WindowName = '15m' | '60m' | 'today';
export const WINDOW_NAMES: readonly WindowName[] = ['15m', '60m', 'today'];

export type SlFormula = 'excludeShortAbandons' | 'allAbandons' | 'answeredOnly';

export type AgentStatus = 'available' | 'aux' | 'offline';
/** Displayed state: the first that holds of on_contact, acw, aux, available, offline. */
export type AgentState = 'on_contact' | 'acw' | 'aux' | 'available' | 'offline';

/** Counters and derived figures of one window for a queue or the tenant totals (SPEC §4). */
export interface QueueWindow {
  offered: number;
  answered: number;
  answeredInSl: number;
  abandoned: number;
  shortAbandoned: number;
  flowedOut: number;
  handled: number;
  waitAnsweredMs: number;
  waitAbandonedMs: number;
  maxWaitMs: number;
  talkMs: number;
  holdMs: number;
  acwMs: number;
  csatSum: number;
  csatCount: number;
  csatPositive: number;
  serviceLevel: number | null;
  abandonRate: number | null;
  asaSec: number | null;
  maxWaitSec: number;
  ahtSec: number | null;
  avgTalkSec: number | null;
  avgHoldSec: number | null;
  avgAcwSec: number | null;
  csatAvg: number | null;
  csatPct: number | null;
}

/** Totals windows add time-weighted occupancy over the agents counted. */
export interface TotalsWindow extends QueueWindow {
  occupancy: number | null;
}

/** Agent-level figures of one window (SPEC §5). */
export interface AgentWindow {
  handled: number;
  talkMs: number;
  holdMs: number;
  acwMs: number;
  ahtSec: number | null;
  avgTalkSec: number | null;
  avgHoldSec: number | null;
  avgAcwSec: number | null;
  csatSum: number;
  csatCount: number;
  csatPositive: number;
  csatAvg: number | null;
  csatPct: number | null;
  occupancy: number | null;
}

export interface AgentCounts {
  staffed: number;
  available: number;
  onContact: number;
  acw: number;
  aux: number;
  offline: number;
  auxByReason: Record<string, number>;
}

export interface QueueView {
  waiting: number;
  oldestWaitSec: number | null;
  oldestContactId: string | null;
  agents: AgentCounts;
  windows: Record<WindowName, QueueWindow>;
}

export interface AgentView {
  name: string | null;
  team: string | null;
  state: AgentState;
  status: AgentStatus;
  reason: string | null;
  /** ISO time when the displayed state began; null when the agent has no known state yet. */
  since: string | null;
  contactId: string | null;
  queueId: string | null;
  queues: string[];
  windows: Record<WindowName, AgentWindow>;
}

export interface TotalsView {
  waiting: number;
  oldestWaitSec: number | null;
  oldestContactId: string | null;
  agents: AgentCounts;
  windows: Record<WindowName, TotalsWindow>;
}

export interface Snapshot {
  tenant: string;
  asOf: string;
  position: string;
  queues: Record<string, QueueView>;
  agents: Record<string, AgentView>;
  totals: TotalsView;
}

/** Live topics (SPEC §6). */
export type Topic = 'tenant' | 'agents' | `queue:${string}` | `agent:${string}`;

/** An RFC 7396 JSON Merge Patch. */
export type MergePatch = { [key: string]: unknown };

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export type SubscribeAck =
  | { ok: true; topic: Topic; position: string; snapshot: unknown }
  | { ok: false; error: ErrorBody };

export type Ack = { ok: true } | { ok: false; error: ErrorBody };

export interface UpdateFrame {
  topic: Topic;
  position: string;
  prev: string;
  /** RFC 7396 patch to the topic's object; null when the object no longer exists. */
  changes: MergePatch | null;
}

/**
 * Why the server is about to close a socket: `slow` (it could not keep up), `token_expired`,
 * or an operator's reason (shutdown, a tenant disconnected).
 */
export interface DisconnectNotice {
  reason: string;
}

/** A subscription the server ended, e.g. because a refreshed token no longer allows it. */
export interface SubscriptionEnded {
  topic: Topic;
  error: ErrorBody;
}

export interface ServerToClientEvents {
  update: (frame: UpdateFrame) => void;
  'auth:expiring': (info: { exp: number }) => void;
  'pulse:disconnect': (notice: DisconnectNotice) => void;
  'subscription:ended': (ended: SubscriptionEnded) => void;
}

export interface ClientToServerEvents {
  subscribe: (req: { topic: string }, ack: (res: SubscribeAck) => void) => void;
  unsubscribe: (req: { topic: string }, ack?: (res: Ack) => void) => void;
  auth: (req: { token: string }, ack?: (res: Ack) => void) => void;
}
