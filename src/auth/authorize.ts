/**
 * Who may do what (SPEC §1 role table), as pure functions shared by REST routes and sockets.
 * Topic checks say whether a subscription may start; what a `tenant`, `agents` or `agent:<id>`
 * topic then shows a caller with a `queues` claim is filtered with canSeeQueue / canSeeAgent,
 * because an agent's skills change while the subscription lives.
 */
import type { Topic } from '../protocol/index.js';
import type { Principal, Role } from './claims.js';

/** Roles that see the whole board: queues, tenant totals and agents (within `queues`). */
const BOARD_ROLES: ReadonlySet<Role> = new Set(['wallboard', 'supervisor', 'admin']);

/** Ingest for `ingest`, and for `admin` ("all of the above"). */
export function canIngest(p: Principal): boolean {
  return p.role === 'ingest' || p.role === 'admin';
}

export function canReadLive(p: Principal): boolean {
  return p.role !== 'ingest';
}

export function canReadHistory(p: Principal): boolean {
  return p.role === 'supervisor' || p.role === 'admin';
}

export function canAdmin(p: Principal): boolean {
  return p.role === 'admin';
}

/**
 * The queues a caller may read; null = all of its tenant's. An agent reads the queues of its
 * token's `queues` claim (its skills) and none without one; ingest reads none.
 */
export function visibleQueues(p: Principal): readonly string[] | null {
  if (p.role === 'ingest') return [];
  if (p.role === 'agent') return p.queues ?? [];
  return p.queues;
}

export function canSeeQueue(p: Principal, queueId: string): boolean {
  const queues = visibleQueues(p);
  return queues === null ? canReadLive(p) : queues.includes(queueId);
}

/** An agent sees only itself; with a `queues` claim, others see agents skilled in one of them. */
export function canSeeAgent(p: Principal, agentId: string, agentSkills: readonly string[]): boolean {
  if (p.role === 'agent') return p.sub === agentId;
  if (!BOARD_ROLES.has(p.role)) return false;
  const queues = p.queues;
  return queues === null || agentSkills.some((q) => queues.includes(q));
}

export type TopicDecision =
  | { ok: true; topic: Topic }
  | { ok: false; code: 'forbidden' | 'bad_topic'; message: string };

const forbidden = (message: string): TopicDecision => ({ ok: false, code: 'forbidden', message });

function parseTopic(topic: string): Topic | undefined {
  if (topic === 'tenant' || topic === 'agents') return topic;
  const [kind, ...rest] = topic.split(':');
  const id = rest.join(':');
  if (id.length === 0) return undefined;
  if (kind === 'queue') return `queue:${id}`;
  if (kind === 'agent') return `agent:${id}`;
  return undefined;
}

export function authorizeTopic(p: Principal, topic: string): TopicDecision {
  const parsed = parseTopic(topic);
  if (parsed === undefined) {
    return {
      ok: false,
      code: 'bad_topic',
      message: `unknown topic ${JSON.stringify(topic)}: expected tenant, agents, queue:<id> or agent:<id>`,
    };
  }
  if (!canReadLive(p)) return forbidden(`role ${p.role} may not read live topics`);
  if (parsed === 'tenant' || parsed === 'agents') {
    return BOARD_ROLES.has(p.role) ? { ok: true, topic: parsed } : forbidden(`role ${p.role} may not read the ${parsed} topic`);
  }
  if (parsed.startsWith('queue:')) {
    const queueId = parsed.slice('queue:'.length);
    return canSeeQueue(p, queueId)
      ? { ok: true, topic: parsed }
      : forbidden(`queue ${JSON.stringify(queueId)} is not among the queues this token may read`);
  }
  const agentId = parsed.slice('agent:'.length);
  if (p.role === 'agent' && p.sub !== agentId) return forbidden('an agent may read only its own agent topic');
  return { ok: true, topic: parsed };
}
