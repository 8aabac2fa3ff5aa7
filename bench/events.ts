/**
 * Throughput of ingest validation: parseEventBatch over 200 batches of 500 realistic events
 * (a day's mix of status changes and contact lifecycles, both `ts` forms). Prints events/s.
 */
import { parseEventBatch } from '../src/events/index.js';

const BATCHES = 200;
const BATCH_SIZE = 500;
const START = Date.UTC(2026, 10, 22, 8);

/** One contact's lifecycle plus an agent status change: the shape of real ingest traffic. */
function makeBatch(batch: number): { events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  let n = 0;
  while (events.length < BATCH_SIZE) {
    const k = batch * BATCH_SIZE + n++;
    const t = START + k * 1000;
    const contactId = `c-${k}`;
    const agentId = `a-${k % 200}`;
    const queueId = `q-${k % 12}`;
    events.push(
      { id: `e-${k}-q`, type: 'contact.queued', ts: new Date(t).toISOString(), contactId, queueId, channel: 'voice' },
      { id: `e-${k}-a`, type: 'contact.answered', ts: t + 20_000, contactId, agentId },
      { id: `e-${k}-e`, type: 'contact.ended', ts: t + 200_000, contactId, holdMs: 15_000 },
      { id: `e-${k}-w`, type: 'contact.acw_ended', ts: t + 230_000, contactId },
      { id: `e-${k}-r`, type: 'contact.rated', ts: t + 240_000, contactId, csat: (k % 5) + 1 },
      { id: `e-${k}-s`, type: 'agent.status', ts: t + 1, agentId, status: 'aux', reason: 'lunch', queues: [queueId, 'q-0'], tenant: 'acme' },
    );
  }
  events.length = BATCH_SIZE;
  return { events };
}

const batches = Array.from({ length: BATCHES }, (_, b) => makeBatch(b));
// One untimed pass lets V8 optimise the parse path: the figure is the steady state.
for (const body of batches) parseEventBatch(body);

const started = process.hrtime.bigint();
let parsed = 0;
for (const body of batches) {
  const result = parseEventBatch(body);
  if (!result.ok) throw new Error(`bench batch refused: ${JSON.stringify(result.errors[0])}`);
  parsed += result.events.length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`batches: ${BATCHES} x ${BATCH_SIZE}, ${seconds.toFixed(3)} s`);
console.log(`events: ${Math.round(parsed / seconds)} events/s`);
