/**
 * `POST /v1/events` (SPEC §2): checks a batch whole, in the order a caller can act on (role,
 * media type, size, JSON, events, tenant, time, rate), and answers 202 only once the log holds
 * it durably. Nothing of a refused batch is appended.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { canIngest } from '../auth/index.js';
import { parseEventBatch, type HubEvent } from '../events/index.js';
import { LogUnavailableError, type AppendResult, type EventLog } from '../log/index.js';
import type { Metrics, RefusalReason } from '../metrics/index.js';
import { principalOf } from './auth-middleware.js';
import { HttpError, fromFrameworkError, sendHttpError } from './errors.js';
import type { RateLimiter } from './rate-limit.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface IngestLimits {
  latenessMs: number;
  clockSkewMs: number;
  maxBodyBytes: number;
  maxBatchEvents: number;
}

export interface IngestLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface IngestOptions {
  log: Pick<EventLog, 'append'>;
  clock: Clock;
  limits: IngestLimits;
  rateLimiter: RateLimiter;
  metrics: Pick<Metrics, 'eventsAccepted' | 'eventsRefused'>;
  logger: IngestLogger;
  /** Told of every durable append, e.g. to follow this node's log lag. */
  onAppended?: (tenant: string, result: AppendResult) => void;
}

/** How a refusal is counted in `ph_events_refused_total`. */
const REASON_OF_CODE: Readonly<Record<string, RefusalReason>> = {
  forbidden: 'forbidden',
  tenant_mismatch: 'forbidden',
  unsupported_media_type: 'unsupported_media_type',
  too_large: 'too_large',
  invalid_json: 'invalid',
  invalid_events: 'invalid',
  aborted: 'invalid',
  bad_request: 'invalid',
  too_late: 'too_late',
  clock_skew: 'clock_skew',
  rate_limited: 'rate_limited',
  log_unavailable: 'log_unavailable',
};

interface TimeProblem {
  index: number;
  path: 'ts';
  message: string;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Events outside [now − lateness, now + skew], each named by index. */
function timeProblems(events: readonly HubEvent[], now: number, limits: IngestLimits): { late: TimeProblem[]; early: TimeProblem[] } {
  const oldest = now - limits.latenessMs;
  const newest = now + limits.clockSkewMs;
  const late: TimeProblem[] = [];
  const early: TimeProblem[] = [];
  for (let i = 0; i < events.length; i++) {
    const ts = (events[i] as HubEvent).ts;
    if (ts < oldest) {
      late.push({ index: i, path: 'ts', message: `ts ${new Date(ts).toISOString()} is ${seconds(now - ts)} old; the lateness bound is ${seconds(limits.latenessMs)}` });
    } else if (ts > newest) {
      early.push({ index: i, path: 'ts', message: `ts ${new Date(ts).toISOString()} is ${seconds(ts - now)} ahead of the hub's clock; at most ${seconds(limits.clockSkewMs)} is allowed` });
    }
  }
  return { late, early };
}

/** The handler of `POST /v1/events`; it must run behind `authenticate`. */
export function ingestEvents(options: IngestOptions): RequestHandler {
  const { log, clock, limits, rateLimiter, metrics, logger, onAppended } = options;
  // The media type is checked before, so any type the caller sent is read as JSON here.
  const parseJson = express.json({ limit: limits.maxBodyBytes, type: () => true, strict: true });
  const readJson = (req: Request, res: Response): Promise<unknown> =>
    new Promise((resolve, reject) => {
      void parseJson(req, res, (err?: unknown) => (err === undefined ? resolve(req.body) : reject(err instanceof Error ? err : new Error(String(err)))));
    });

  const refuse = (res: Response, err: HttpError, events: number): void => {
    metrics.eventsRefused.inc({ reason: REASON_OF_CODE[err.code] ?? 'invalid' }, events);
    sendHttpError(res, err);
  };

  return async (req, res) => {
    const principal = principalOf(res);
    // A refused request whose events were never counted counts as one.
    let counted = 1;
    try {
      if (!canIngest(principal)) {
        throw new HttpError(403, 'forbidden', `role ${principal.role} may not post events: use an ingest or admin token`);
      }
      const mediaType = req.is('application/json');
      if (mediaType === null) throw new HttpError(400, 'invalid_json', 'the body is empty: expected { "events": [ ... ] }');
      if (mediaType === false) {
        throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`);
      }
      let body: unknown;
      try {
        body = await readJson(req, res);
      } catch (err) {
        throw fromFrameworkError(err, limits.maxBodyBytes) ?? err;
      }
      const raw = typeof body === 'object' && body !== null && 'events' in body ? body.events : undefined;
      if (Array.isArray(raw)) counted = Math.max(1, raw.length);

      const parsed = parseEventBatch(body, { maxEvents: limits.maxBatchEvents });
      if (!parsed.ok) {
        throw new HttpError(400, 'invalid_events', `the batch was refused whole: ${parsed.errors.length} problem(s) found`, { details: parsed.errors });
      }
      const { events } = parsed;
      const mismatches: { index: number | null; path: string; message: string }[] = [];
      if (parsed.bodyTenant !== undefined && parsed.bodyTenant !== principal.tenant) {
        mismatches.push({ index: null, path: 'tenant', message: `tenant ${JSON.stringify(parsed.bodyTenant)} is not the token's tenant` });
      }
      parsed.tenants.forEach((tenant, index) => {
        if (tenant !== undefined && tenant !== principal.tenant) {
          mismatches.push({ index, path: 'tenant', message: `tenant ${JSON.stringify(tenant)} is not the token's tenant` });
        }
      });
      if (mismatches.length > 0) {
        throw new HttpError(403, 'tenant_mismatch', `a tenant in the body differs from the token's tenant ${JSON.stringify(principal.tenant)}`, { details: mismatches });
      }

      const { late, early } = timeProblems(events, clock.now(), limits);
      if (late.length > 0 || early.length > 0) {
        const code = late.length > 0 ? 'too_late' : 'clock_skew';
        const message =
          late.length > 0
            ? `${late.length} event(s) older than the lateness bound${early.length > 0 ? ` and ${early.length} ahead of the hub's clock` : ''}: the batch was refused whole`
            : `${early.length} event(s) ahead of the hub's clock: the batch was refused whole`;
        throw new HttpError(422, code, message, { details: [...late, ...early].sort((a, b) => a.index - b.index) });
      }

      const taken = rateLimiter.take(principal.tenant, events.length);
      if (!taken.ok) {
        throw new HttpError(429, 'rate_limited', `tenant ${JSON.stringify(principal.tenant)} is over its ingest rate: retry in ${taken.retryAfterSec} s`, {
          headers: { 'Retry-After': String(taken.retryAfterSec) },
        });
      }

      let result: AppendResult;
      try {
        result = await log.append(principal.tenant, events);
      } catch (err) {
        if (!(err instanceof LogUnavailableError)) throw err;
        logger.warn({ err: err.message, tenant: principal.tenant, events: events.length }, 'ingest refused: event log unavailable');
        throw new HttpError(503, 'log_unavailable', 'the event log is unavailable: nothing was appended, retry the same batch', {
          headers: { 'Retry-After': '1' },
        });
      }
      metrics.eventsAccepted.inc(result.accepted);
      if (result.duplicates > 0) metrics.eventsRefused.inc({ reason: 'duplicate' }, result.duplicates);
      onAppended?.(principal.tenant, result);
      res.status(202).json({ accepted: result.accepted, duplicates: result.duplicates });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      logger.debug({ code: err.code, tenant: principal.tenant, path: req.path }, 'ingest refused');
      refuse(res, err, counted);
    }
  };
}
