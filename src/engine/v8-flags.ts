import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for a process that runs the engine (a hub node, the engine benchmarks), set once
 * at start-up: allocation-site pretenuring off.
 *
 * With it on, V8 allocates the objects of a literal or array site whose objects mostly survived
 * a young-generation collection straight into the old generation. The engine's such objects
 * live for a refresh or an interval's hand-over, not for good (view objects, rollup rows,
 * queue intervals): pretenured, each run of them takes fresh old-generation pages, which a
 * mark-compact frees and gives back to the system, and memory touched afresh costs a page fault
 * per 4 KB (~10 µs on the Firecracker VMs of docs/benchmarks.md). Left young, they die in pages
 * the young generation reuses. Engine benchmark, alternating processes: ~6,000 fewer page faults
 * in a pipeline run of ~50,000 (docs/benchmarks.md).
 *
 * V8 reads the flag at each collection, so setting it after start-up takes effect.
 */
export function tuneV8ForEngine(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
