/**
 * What clients send, checked at the edge: Socket.IO hands over whatever arrived, whatever the
 * event map says. The ack, when there is one, is always the last argument.
 */
import { z } from 'zod';
import type { ErrorBody } from '../protocol/index.js';

export const topicRequestSchema = z.object({ topic: z.string() }, { error: 'expected an object { topic: string }' });
export const authRequestSchema = z.object({ token: z.string() }, { error: 'expected an object { token: string }' });

export interface Request<T> {
  payload: unknown;
  /** Undefined when the client asked for no answer. */
  reply: ((res: T) => void) | undefined;
}

export function splitAck<T>(args: readonly unknown[]): Request<T> {
  const last = args.at(-1);
  if (typeof last !== 'function') return { payload: args[0], reply: undefined };
  return {
    payload: args.length > 1 ? args[0] : undefined,
    reply: (res: T) => {
      last(res);
    },
  };
}

export function badRequest(error: z.ZodError): { ok: false; error: ErrorBody } {
  const message = error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  return { ok: false, error: { code: 'bad_request', message } };
}
