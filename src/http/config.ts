/**
 * Settings routes (SPEC §3, §8), mounted at /v1/config: the tenant's timezone and each queue's
 * service-level settings. Supervisors and admins read; admins write. A caller with a `queues`
 * claim reads and writes only those queues.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { canAdmin, canReadHistory, canReadLive, canSeeQueue, type Principal } from '../auth/index.js';
import type { SettingsStore } from '../store/index.js';
import { methodNotAllowed } from './errors.js';
import { asCaller, checkFirst, forbidden, invalid, jsonBody, parseOrRefuse, timezoneSchema } from './validate.js';

export interface ConfigDeps {
  settings: SettingsStore;
}

const SL_FORMULAS = ['excludeShortAbandons', 'allAbandons', 'answeredOnly'] as const;

const tenantBody = z.object({ timezone: timezoneSchema }).strict();

const queueBody = z
  .object({
    slThresholdSec: z.number({ error: 'slThresholdSec must be a number of seconds' }).int('slThresholdSec must be a whole number of seconds').min(1, 'slThresholdSec must be 1-3600').max(3600, 'slThresholdSec must be 1-3600'),
    slTargetPct: z.number({ error: 'slTargetPct must be a percentage' }).min(0, 'slTargetPct must be 0-100').max(100, 'slTargetPct must be 0-100'),
    shortAbandonSec: z.number({ error: 'shortAbandonSec must be a number of seconds' }).int('shortAbandonSec must be a whole number of seconds').min(0, 'shortAbandonSec must be 0-600').max(600, 'shortAbandonSec must be 0-600'),
    slFormula: z.enum(SL_FORMULAS, { error: `slFormula must be one of ${SL_FORMULAS.join(', ')}` }),
    displayName: z.string({ error: 'displayName must be a string or null' }).trim().min(1, 'displayName must not be empty: send null for none').max(200, 'displayName is at most 200 characters').nullable().optional(),
  })
  .strict();

const MAX_QUEUE_ID = 128;

function queueIdOf(req: Request, principal: Principal, verb: 'read' | 'change'): string {
  const id = String(req.params['id']);
  if (id.length > MAX_QUEUE_ID) throw invalid('invalid_query', [{ path: 'id', message: `a queue id is at most ${MAX_QUEUE_ID} characters` }]);
  if (!canSeeQueue(principal, id)) throw forbidden(`queue ${JSON.stringify(id)} is not among the queues this token may ${verb}`);
  return id;
}

function reader(principal: Principal): void {
  if (!canReadHistory(principal)) throw forbidden(`role ${principal.role} may not read settings: use a supervisor or admin token`);
}

/** A queue's settings are what its live figures are judged by: whoever may read those may read them. */
function queueReader(principal: Principal): void {
  if (!canReadLive(principal)) throw forbidden(`role ${principal.role} may not read queue settings`);
}

function admin(p: Principal): void {
  if (!canAdmin(p)) throw forbidden(`role ${p.role} may not change settings: use an admin token`);
}


export function configRoutes({ settings }: ConfigDeps): Router {
  const router = Router();

  router
    .route('/tenant')
    .get(
      asCaller(reader, async (p, _req, res) => {
        res.json({ tenant: p.tenant, ...(await settings.getTenant(p.tenant)) });
      }),
    )
    .put(
      checkFirst(admin),
      jsonBody,
      asCaller(admin, async (p, req, res) => {
        const body = parseOrRefuse(tenantBody, req.body, 'invalid_body');
        res.json({ tenant: p.tenant, ...(await settings.putTenant(p.tenant, body.timezone, p.sub)) });
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'PUT']));

  router
    .route('/queues/:id')
    .get(
      asCaller(queueReader, async (p, req, res) => {
        res.json(await settings.getQueue(p.tenant, queueIdOf(req, p, 'read')));
      }),
    )
    .put(
      checkFirst(admin),
      jsonBody,
      asCaller(admin, async (p, req, res) => {
        const id = queueIdOf(req, p, 'change');
        const body = parseOrRefuse(queueBody, req.body, 'invalid_body');
        res.json(await settings.putQueue(p.tenant, id, { ...body, displayName: body.displayName ?? null }, p.sub));
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'PUT']));

  return router;
}
