/**
 * The canonical total order of events (SPEC §2): live figures are a function of the set of
 * accepted events, defined as if applied in this order.
 */
import type { EventType } from './schemas.js';

/** Same-time ties: a status change lands first, then a contact's steps in their natural order. */
export const TYPE_RANK: Readonly<Record<EventType, number>> = {
  'agent.status': 0,
  'contact.queued': 1,
  'contact.answered': 2,
  'contact.abandoned': 2,
  'contact.dequeued': 2,
  'contact.ended': 3,
  'contact.acw_ended': 4,
  'contact.rated': 5,
};

/** What the order looks at, so that stored or reference-model events compare too. */
export interface Orderable {
  id: string;
  ts: number;
  type: EventType;
}

/** By `ts`, then type rank, then `id` (code-unit order); negative, 0 or positive. */
export function compareEvents(a: Orderable, b: Orderable): number {
  const byTime = a.ts - b.ts;
  if (byTime !== 0) return byTime;
  const byRank = TYPE_RANK[a.type] - TYPE_RANK[b.type];
  if (byRank !== 0) return byRank;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
