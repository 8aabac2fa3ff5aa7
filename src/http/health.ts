/**
 * `GET /healthz` (the process answers), `GET /readyz` (what it depends on answers: SPEC §8) and
 * `GET /metrics` (Prometheus text). None needs a token: probes and scrapers carry none.
 */
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { sendError } from './errors.js';

/** One dependency of readiness: resolves when it answers, rejects with why not. */
export type ReadinessCheck = () => Promise<void>;

/** A check that has not answered by then counts as failed, so probes get an answer in time. */
const CHECK_TIMEOUT_MS = 2000;

export const healthz: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

function withTimeout(check: ReadinessCheck): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    check().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function readyz(checks: Readonly<Record<string, ReadinessCheck>>): RequestHandler {
  const names = Object.keys(checks);
  return async (_req, res) => {
    const outcomes = await Promise.allSettled(names.map((name) => withTimeout(checks[name] as ReadinessCheck)));
    const results: Record<string, string> = {};
    const failed: string[] = [];
    outcomes.forEach((outcome, i) => {
      const name = names[i] as string;
      if (outcome.status === 'fulfilled') {
        results[name] = 'ok';
      } else {
        failed.push(name);
        results[name] = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      }
    });
    if (failed.length === 0) {
      res.json({ status: 'ready', checks: results });
      return;
    }
    sendError(res, 503, { code: 'not_ready', message: `not ready: ${failed.join(', ')} unavailable`, details: results });
  };
}

export function metricsText(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.send(text);
  };
}
