/**
 * `GET /v1/snapshot[?queues=a,b]` (SPEC §5): the live figures a caller may see. The queues shown
 * are those asked for (all when not asked) within the token's `queues` claim; an agent token sees
 * its own agent record and the queues of its claim, and no other agent.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { canReadLive, visibleQueues, type Principal } from '../auth/index.js';
import type { AgentView, Snapshot } from '../protocol/index.js';
import { principalOf } from './auth-middleware.js';
import { HttpError, sendHttpError } from './errors.js';

export interface SnapshotSource {
  /** The tenant's snapshot now, for these queues (null: all). */
  snapshot(tenant: string, queues: readonly string[] | null): Snapshot;
}

const MAX_QUEUE_ID = 128;
const MAX_QUEUES = 1000;

const querySchema = z
  .object({
    queues: z
      .string({ error: 'queues must be given once, as a comma-separated list: ?queues=a,b' })
      .transform((value) => value.split(',').map((q) => q.trim()))
      .refine((ids) => ids.every((q) => q.length > 0), 'queues must not hold an empty queue id: ?queues=a,b')
      .refine((ids) => ids.every((q) => q.length <= MAX_QUEUE_ID), `a queue id is at most ${MAX_QUEUE_ID} characters`)
      .refine((ids) => ids.length <= MAX_QUEUES, `at most ${MAX_QUEUES} queues may be asked for`)
      .optional(),
  })
  .strict();

/** The asked queues within what the token allows; null = all of the tenant's. */
function queueFilter(principal: Principal, asked: readonly string[] | undefined): readonly string[] | null {
  const allowed = visibleQueues(principal);
  if (asked === undefined) return allowed;
  const unique = [...new Set(asked)];
  return allowed === null ? unique : unique.filter((q) => allowed.includes(q));
}

function onlyAgent(snapshot: Snapshot, agentId: string, own: AgentView | undefined): Snapshot {
  return { ...snapshot, agents: own === undefined ? {} : { [agentId]: own } };
}

export function getSnapshot(source: SnapshotSource): RequestHandler {
  return (req, res) => {
    const principal = principalOf(res);
    if (!canReadLive(principal)) {
      sendHttpError(res, new HttpError(403, 'forbidden', `role ${principal.role} may not read snapshots`));
      return;
    }
    const query = querySchema.safeParse(req.query);
    if (!query.success) {
      const details = query.error.issues.map((i) => ({
        path: i.path.join('.'),
        message: i.code === 'unrecognized_keys' ? `unknown query parameter(s) ${i.keys.join(', ')}: only queues is accepted` : i.message,
      }));
      sendHttpError(res, new HttpError(400, 'invalid_query', 'the query string is invalid', { details }));
      return;
    }
    const queues = queueFilter(principal, query.data.queues);
    const snapshot = source.snapshot(principal.tenant, queues);
    if (principal.role !== 'agent') {
      res.json(snapshot);
      return;
    }
    // The agent's own record, even when its skills lie outside the token's queues.
    const own = snapshot.agents[principal.sub] ?? source.snapshot(principal.tenant, null).agents[principal.sub];
    res.json(onlyAgent(snapshot, principal.sub, own));
  };
}
