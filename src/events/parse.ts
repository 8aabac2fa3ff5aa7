/**
 * Validation of an ingest batch (SPEC §2): all events or all errors, never a part. Runs on the
 * ingest hot path, so it is one loop over prebuilt schemas with no per-event closures.
 */
import type { core } from 'zod';
import { hubEventSchema, tenantSchema, type HubEvent } from './schemas.js';

export const DEFAULT_MAX_EVENTS = 5000;

/** One problem in a batch: `index` of the event (null for the batch itself) and a dotted field path. */
export interface EventError {
  index: number | null;
  path: string;
  message: string;
}

export interface ParseBatchOptions {
  maxEvents?: number;
}

export type ParseBatchResult =
  | {
      ok: true;
      events: HubEvent[];
      /** `tenant` as given on each event (undefined where absent), for the caller to check. */
      tenants: (string | undefined)[];
      /** `tenant` given at the top of the body, if any. */
      bodyTenant?: string;
    }
  | { ok: false; errors: EventError[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pushIssues(errors: EventError[], index: number | null, issues: readonly core.$ZodIssue[], prefix = ''): void {
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    errors.push({ index, path: prefix && path ? `${prefix}.${path}` : prefix || path, message: issue.message });
  }
}

/** A `tenant` field's value when valid; an error otherwise. */
function readTenant(value: unknown, index: number | null, errors: EventError[]): string | undefined {
  if (value === undefined) return undefined;
  const t = tenantSchema.safeParse(value);
  if (t.success) return t.data;
  pushIssues(errors, index, t.error.issues, 'tenant');
  return undefined;
}

/** Validates `{ events: [...] }` and returns every event parsed, or every error found. */
export function parseEventBatch(body: unknown, opts: ParseBatchOptions = {}): ParseBatchResult {
  const maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!isObject(body)) {
    return { ok: false, errors: [{ index: null, path: '', message: 'the body must be a JSON object { "events": [...] }' }] };
  }
  const errors: EventError[] = [];
  const bodyTenant = readTenant(body.tenant, null, errors);
  const raw = body.events;
  if (!Array.isArray(raw)) {
    const message = raw === undefined ? 'events is required' : 'events must be an array';
    errors.push({ index: null, path: 'events', message });
    return { ok: false, errors };
  }
  if (raw.length === 0) {
    errors.push({ index: null, path: 'events', message: 'events must hold at least 1 event' });
    return { ok: false, errors };
  }
  if (raw.length > maxEvents) {
    errors.push({ index: null, path: 'events', message: `events must hold at most ${maxEvents} events, got ${raw.length}` });
    return { ok: false, errors };
  }

  const events: HubEvent[] = [];
  const tenants: (string | undefined)[] = [];
  for (let i = 0; i < raw.length; i++) {
    const input: unknown = raw[i];
    const parsed = hubEventSchema.safeParse(input);
    if (parsed.success) events.push(parsed.data);
    else pushIssues(errors, i, parsed.error.issues);
    tenants.push(isObject(input) ? readTenant(input.tenant, i, errors) : undefined);
  }
  if (errors.length > 0) return { ok: false, errors };
  return bodyTenant === undefined ? { ok: true, events, tenants } : { ok: true, events, tenants, bodyTenant };
}
