/**
 * `GET /v1/history` (SPEC §7), mounted at /v1/history: the SPEC §4 window objects per period and
 * per queue (and agent, when `agents` is given), with totals, from the rollup counters. For
 * supervisors and admins; a `queues` claim limits the queues and agents shown.
 */
import { Router } from 'express';
import { z } from 'zod';
import { canReadHistory, visibleQueues, type Principal } from '../auth/index.js';
import { CHANNELS } from '../events/index.js';
import {
  GRANULARITIES,
  HistoryTooLargeError,
  historyResponse,
  parseInstant,
  queryHistoryCounters,
  rangeProblem,
  scopedQuery,
  type Db,
  type Granularity,
  type HistoryFilters,
  type HistoryQuery,
  type HistoryScope,
  type SettingsStore,
} from '../store/index.js';
import { methodNotAllowed } from './errors.js';
import { asCaller, forbidden, idList, invalid, parseOrRefuse, timezoneSchema, type InvalidCode } from './validate.js';

export interface HistoryDeps {
  db: Db;
  settings: SettingsStore;
  /** Each agent's current skills in a tenant (from the live engine). */
  agentSkills(tenant: string): ReadonlyMap<string, readonly string[]>;
}

const MAX_IDS = 1000;

const dateText = (name: string) =>
  z.string({ error: `${name} is required, once: an ISO-8601 date-time with offset (2026-10-25T00:00:00+02:00) or a date (2026-10-25)` });

const querySchema = z
  .object({
    from: dateText('from'),
    to: dateText('to'),
    granularity: z.enum(GRANULARITIES, { error: `granularity is required, one of ${GRANULARITIES.join(', ')}` }),
    queues: idList('queues', MAX_IDS).optional(),
    agents: idList('agents', MAX_IDS).optional(),
    channel: z.enum(CHANNELS, { error: `channel must be one of ${CHANNELS.join(', ')}` }).optional(),
    tz: timezoneSchema.optional(),
  })
  .strict();

/** An instant of a request, or a 400 naming `name`. */
export function instantParam(code: InvalidCode, name: string, text: string, timezone: string): number {
  try {
    return parseInstant(text, timezone);
  } catch (err) {
    throw invalid(code, [{ path: name, message: (err as Error).message }]);
  }
}

/** The range [from, to) checked for `granularity`, or a 400 naming `to`. */
export function checkRange(code: InvalidCode, from: number, to: number, granularity: Granularity, toName = 'to'): void {
  const problem = rangeProblem(from, to, granularity);
  if (problem !== undefined) throw invalid(code, [{ path: toName, message: problem }]);
}

/** What the caller may see; agent skills are fetched only when a queue limit needs them. */
export function scopeOf(principal: Principal, filters: Pick<HistoryFilters, 'queues'>, deps: Pick<HistoryDeps, 'agentSkills'>): HistoryScope {
  const queues = visibleQueues(principal);
  const needsSkills = queues !== null || filters.queues !== null;
  return { queues, agentSkills: needsSkills ? deps.agentSkills(principal.tenant) : new Map() };
}

/** Runs a history query; too many window objects is the caller's 400. */
export async function countersFor(db: Db, query: HistoryQuery, code: InvalidCode) {
  try {
    return await queryHistoryCounters(db, query);
  } catch (err) {
    if (err instanceof HistoryTooLargeError) throw invalid(code, [{ path: '', message: err.message }]);
    throw err;
  }
}

function reader(p: Principal): void {
  if (!canReadHistory(p)) throw forbidden(`role ${p.role} may not read history: use a supervisor or admin token`);
}

export function historyRoutes(deps: HistoryDeps): Router {
  const router = Router();
  router
    .route('/')
    .get(
      asCaller(reader, async (p, req, res) => {
        const q = parseOrRefuse(querySchema, req.query, 'invalid_query');
        const settings = await deps.settings.loadTenantSettings(p.tenant);
        const timezone = q.tz ?? settings.timezone;
        const from = instantParam('invalid_query', 'from', q.from, timezone);
        const to = instantParam('invalid_query', 'to', q.to, timezone);
        checkRange('invalid_query', from, to, q.granularity);
        const filters: HistoryFilters = { queues: q.queues ?? null, agents: q.agents ?? null, channel: q.channel ?? null };
        const query = scopedQuery({ tenant: p.tenant, from, to, granularity: q.granularity, timezone, settings }, filters, scopeOf(p, filters, deps));
        res.json(historyResponse(await countersFor(deps.db, query, 'invalid_query')));
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
}
