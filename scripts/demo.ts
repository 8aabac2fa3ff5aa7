/**
 * `npm run demo`: the hub (exactly as `npm start`) plus a simulated contact centre playing into
 * it in real time through POST /v1/events: tenant `demo`, 40 agents, 4 queues. The last nine
 * minutes are posted at once (inside the lateness bound), so the figures move from the start;
 * then each event is posted when its time comes, for eight hours.
 */
import { signToken } from '../src/auth/index.js';
import type { HubEvent } from '../src/events/index.js';
import { DEMO_TENANT, runNode } from '../src/node/index.js';
import { simulateCentre } from '../src/sim/centre.js';

const BATCH = 500;
const TICK_MS = 200;
const HISTORY_MS = 9 * 60_000;
const PLAY_MS = 8 * 3600_000;

const { node, secret, onStop } = await runNode();
if (secret === undefined) {
  process.stderr.write('demo: the hub verifies with JWT_PUBLIC_KEY, so the demo cannot sign its ingest token: set JWT_SECRET or no key\n');
  await node.stop('demo cannot run');
  process.exit(1);
}

const sign = (role: 'ingest' | 'supervisor') =>
  signToken({
    secret,
    tenant: DEMO_TENANT,
    role,
    sub: `demo-${role}`,
    ttl: '9h',
    ...(node.config.jwt.issuer === undefined ? {} : { issuer: node.config.jwt.issuer }),
    ...(node.config.jwt.audience === undefined ? {} : { audience: node.config.jwt.audience }),
  });
const ingestToken = sign('ingest');
const supervisorToken = sign('supervisor');

/** Ids of this run, so a second demo on the same data directory is not taken for duplicates. */
function thisRun(events: readonly HubEvent[], run: string): HubEvent[] {
  return events.map((e) => ('contactId' in e ? { ...e, id: `${run}-${e.id}`, contactId: `${run}-${e.contactId}` } : { ...e, id: `${run}-${e.id}` }));
}

const start = Date.now();
const plan = simulateCentre({ tenant: DEMO_TENANT, agents: 40, queues: 4, from: start - HISTORY_MS, to: start + PLAY_MS, seed: start % 2 ** 31 });
const events = thisRun(plan.events, start.toString(36)).filter((e) => e.ts >= start - HISTORY_MS);

let posted = 0;
let dropped = 0;

/** Posts one batch, waiting out 429 and 503 as the hub asks; a refused batch is reported and dropped. */
async function post(batch: readonly HubEvent[]): Promise<void> {
  for (;;) {
    let response: Response;
    try {
      response = await fetch(`${node.url}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ingestToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ events: batch }),
      });
    } catch {
      return;
    }
    if (response.status === 202) {
      posted += batch.length;
      return;
    }
    if (response.status === 429 || response.status === 503) {
      const wait = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      continue;
    }
    dropped += batch.length;
    process.stderr.write(`demo: a batch of ${batch.length} was refused (${response.status}): ${await response.text()}\n`);
    return;
  }
}

let next = 0;
const due = (until: number): HubEvent[] => {
  const from = next;
  while (next < events.length && (events[next] as HubEvent).ts <= until) next++;
  return events.slice(from, next);
};

const past = due(Date.now());
for (let i = 0; i < past.length; i += BATCH) await post(past.slice(i, i + BATCH));

process.stderr.write(
  [
    '',
    `Demo: a contact centre of 40 agents and ${plan.queueIds.length} queues (${plan.queueIds.join(', ')}) plays into tenant "${DEMO_TENANT}"`,
    `in real time for 8 hours; ${posted} events of the last 9 minutes are in already.`,
    '',
    'Supervisor token (8 h):',
    `  export SUPERVISOR=${supervisorToken}`,
    `Snapshot: ${node.url}/v1/snapshot`,
    `  curl -sS ${node.url}/v1/snapshot -H "Authorization: Bearer $SUPERVISOR"`,
    `Live: Socket.IO at ${node.url} with auth { token: $SUPERVISOR }, then subscribe { topic: "tenant" }`,
    '',
  ].join('\n'),
);

let sending = false;
const player = setInterval(() => {
  if (sending) return;
  const batch = due(Date.now());
  if (batch.length === 0) {
    if (next >= events.length) clearInterval(player);
    return;
  }
  sending = true;
  void post(batch).finally(() => (sending = false));
}, TICK_MS);
const report = setInterval(() => {
  process.stderr.write(`demo: ${posted} events posted${dropped > 0 ? `, ${dropped} refused` : ''}, ${events.length - next} to come\n`);
}, 60_000);
onStop(() => {
  clearInterval(player);
  clearInterval(report);
});
