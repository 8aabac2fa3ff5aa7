/**
 * What the hub sends, checked before use: a frame that is not the protocol becomes a
 * `bad_response` error instead of a corrupted view.
 */
import * as z from 'zod/mini';
import type { Ack, SubscribeAck, UpdateFrame } from './protocol.js';
import type { Topic } from './protocol.js';

const errorBody = z.looseObject({ code: z.string(), message: z.string(), details: z.optional(z.unknown()) });
const refused = z.object({ ok: z.literal(false), error: errorBody });

const subscribeAck = z.union([
  z.looseObject({ ok: z.literal(true), topic: z.string(), position: z.string(), snapshot: z.unknown() }),
  refused,
]);
const ack = z.union([z.looseObject({ ok: z.literal(true) }), refused]);
const updateFrame = z.looseObject({
  topic: z.string(),
  position: z.string(),
  prev: z.string(),
  changes: z.nullable(z.record(z.string(), z.unknown())),
});

export function parseSubscribeAck(value: unknown): SubscribeAck | undefined {
  const parsed = z.safeParse(subscribeAck, value);
  if (!parsed.success) return undefined;
  const res = parsed.data;
  return res.ok ? { ok: true, topic: res.topic as Topic, position: res.position, snapshot: res.snapshot } : res;
}

export function parseAck(value: unknown): Ack | undefined {
  const parsed = z.safeParse(ack, value);
  if (!parsed.success) return undefined;
  return parsed.data.ok ? { ok: true } : parsed.data;
}

export function parseUpdate(value: unknown): UpdateFrame | undefined {
  const parsed = z.safeParse(updateFrame, value);
  if (!parsed.success) return undefined;
  const { topic, position, prev, changes } = parsed.data;
  return { topic: topic as Topic, position, prev, changes };
}
