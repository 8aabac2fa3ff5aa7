/**
 * Engine throughput: a busy multi-tenant centre (100 tenants, 10,000 agents, 500 queues; 5% of
 * events out of order, 2% duplicated) through the RxJS pipeline (with one open view per tenant,
 * as a wallboard would hold, and 250 ms conflation) and, in the same run, through the same engine
 * code in a plain loop, both replaying the log as a node that is behind does (engine time follows
 * the records; rollups handed over every 15 minutes of it). The workload and both runs:
 * bench/engine-workload.ts.
 *
 *   npm run bench:engine            (BENCH_SCALE=0.2 for a quick run; BENCH_READ_RECORDS=N: reads of N records;
 *                                    BENCH_IDS=long: ids as long as UUIDs)
 */
import { LiveEngine } from '../src/engine/index.js';
import { AGENTS, CHUNK, HOURS, LONG_IDS, QUEUES, TENANTS, buildRecords, decoding, pipeline, plainLoop } from './engine-workload.js';

const { records, total } = buildRecords();
console.log(
  `workload: ${TENANTS} tenants, ${AGENTS} agents, ${QUEUES} queues, ${HOURS} h of traffic, ${total} events in ${records.length} log records (5% late, 2% duplicated), read ${CHUNK} records at a time${LONG_IDS ? ', ids as long as UUIDs' : ''}`,
);
const plain = await plainLoop(LiveEngine, records);
const plainDecodeMs = decoding.ms;
const piped = process.env['BENCH_ONLY'] === 'plain' ? null : await pipeline(LiveEngine, records);
const plainRate = Math.round(total / (plain.ms / 1000));
console.log(`decode (JSON.parse, not engine time): ${Math.round(total / (plainDecodeMs / 1000))} events/s`);
console.log(`plain loop: ${plain.ms.toFixed(0)} ms, ${plainRate} events/s, ${plain.faults} page faults in the run`);
if (piped) {
  const pipeRate = Math.round(total / (piped.ms / 1000));
  console.log(`pipeline:   ${piped.ms.toFixed(0)} ms, ${pipeRate} events/s, ${piped.faults} page faults in the run, ${piped.updates} view updates, ${piped.frames} topic frames`);
  console.log(`pipeline / plain loop: ${((pipeRate / plainRate) * 100).toFixed(1)}%`);
  console.log(`engine: ${pipeRate} events/s (plain loop ${plainRate} events/s), heap ${plain.heapPer1k.toFixed(1)} MB per 1k agents`);
} else {
  console.log(`engine: plain loop ${plainRate} events/s, heap ${plain.heapPer1k.toFixed(1)} MB per 1k agents`);
}
