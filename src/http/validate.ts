/**
 * Helpers shared by the history, report and config routes: zod refusals as 400s that name the
 * parameter or field, role checks as 403s, a lost database as a 503, and JSON bodies.
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Principal } from '../auth/index.js';
import { assertTimezone } from '../engine/index.js';
import { DbUnavailableError } from '../store/index.js';
import { principalOf } from './auth-middleware.js';
import { HttpError } from './errors.js';

export interface Issue {
  path: string;
  message: string;
}

export type InvalidCode = 'invalid_query' | 'invalid_body';

/** A refusal naming the parameter (query) or field (body) at fault. */
export function invalid(code: InvalidCode, issues: readonly Issue[]): HttpError {
  const first = issues[0];
  const what = code === 'invalid_query' ? 'query parameter' : 'field';
  const message = first === undefined ? 'invalid request' : first.path === '' ? first.message : `invalid ${what} ${first.path}: ${first.message}`;
  return new HttpError(400, code, message, { details: issues });
}

export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    path: i.path.join('.'),
    message: i.code === 'unrecognized_keys' ? `unknown ${i.keys.length === 1 ? 'name' : 'names'} ${i.keys.join(', ')}` : i.message,
  }));
}

/** The parsed value, or a 400 naming every problem. */
export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown, code: InvalidCode): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(code, issuesOf(parsed.error));
  return parsed.data;
}

export function forbidden(message: string): HttpError {
  return new HttpError(403, 'forbidden', message);
}

/** Runs an async handler; a database that cannot be reached is a 503 the caller may retry. */
export function handle(fn: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    try {
      await fn(req, res, next);
    } catch (err) {
      next(err instanceof DbUnavailableError ? new HttpError(503, 'db_unavailable', 'the database is unavailable: retry later') : err);
    }
  };
}

/** A handler for an authenticated caller that `check` lets through (it throws a 403 otherwise). */
export function asCaller(check: (p: Principal) => void, fn: (p: Principal, req: Request, res: Response) => Promise<void>): RequestHandler {
  return handle(async (req, res) => {
    const p = principalOf(res);
    check(p);
    await fn(p, req, res);
  });
}

/** Middleware running `check` on the caller before anything else (e.g. before a body is read). */
export function checkFirst(check: (p: Principal) => void): RequestHandler {
  return (_req, res, next) => {
    check(principalOf(res));
    next();
  };
}

/** JSON bodies of config and report definitions: small. */
export const jsonBody = express.json({ limit: '64kb', strict: true });

/** A comma-separated list of ids (`a,b`): each non-empty, at most `maxLength` characters. */
export function idList(name: string, maxItems: number, maxLength = 128) {
  return z
    .string({ error: `${name} must be given once, as a comma-separated list: ?${name}=a,b` })
    .transform((value) => [...new Set(value.split(',').map((id) => id.trim()))])
    .refine((ids) => ids.every((id) => id.length > 0), `${name} must not hold an empty id: ?${name}=a,b`)
    .refine((ids) => ids.every((id) => id.length <= maxLength), `an id in ${name} is at most ${maxLength} characters`)
    .refine((ids) => ids.length <= maxItems, `at most ${maxItems} ${name} may be asked for`);
}
/** An IANA timezone name the runtime knows. */
export const timezoneSchema = z.string({ error: 'timezone must be an IANA timezone name such as Europe/Paris' }).superRefine((tz, ctx) => {
  try {
    assertTimezone(tz);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message}: expected an IANA name such as Europe/Paris` });
  }
});

