/**
 * This checkout's engine against another checkout's, in one process: the workload of
 * bench/engine.ts through the plain loop and the pipeline, alternating between the two engines
 * round by round (the order flips every round). On a shared VM whose speed drifts by ±20% from
 * one process to the next, runs in separate processes cannot tell a 5% change; alternating in one
 * process, on the same records, pairs each round's two runs. The VM drifts within a round too, so
 * the last lines give the rounds' own ratios' geometric mean with its 95% interval: one that
 * contains 1 has not told the two apart.
 *
 *   git worktree add ../baseline <commit> && ln -s "$PWD/node_modules" ../baseline/node_modules
 *   BASELINE=../baseline npm run bench:engine:ab        (AB_ROUNDS=8, AB_ONLY=plain: plain loop only)
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LiveEngine } from '../src/engine/index.js';
import { buildRecords, plainLoop, pipeline, type EngineClass } from './engine-workload.js';
import { pairedRatio } from './paired-ratio.js';

const baselineDir = process.env['BASELINE'];
if (!baselineDir) {
  console.error('BASELINE must name another checkout of Pulse Hub (see the comment at the top of bench/engine-ab.ts)');
  process.exit(2);
}
const rounds = Number(process.env['AB_ROUNDS'] ?? 8);
const plainOnly = process.env['AB_ONLY'] === 'plain';
const baselineUrl = pathToFileURL(path.resolve(baselineDir, 'src/engine/index.ts')).href;
const Baseline = ((await import(baselineUrl)) as { LiveEngine: EngineClass }).LiveEngine;
const engines: [string, EngineClass][] = [
  [`baseline (${baselineDir})`, Baseline],
  ['this checkout', LiveEngine],
];

const { records, total } = buildRecords();
const rate = (ms: number): number => Math.round(total / (ms / 1000));
const plain: number[][] = [[], []];
const piped: number[][] = [[], []];
for (let r = 0; r < rounds; r++) {
  for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
    const [name, Engine] = engines[k]!;
    const p = await plainLoop(Engine, records);
    plain[k]!.push(rate(p.ms));
    let line = `round ${r + 1} ${name}: plain loop ${plain[k]!.at(-1)} events/s (${p.faults} page faults in the run)`;
    if (!plainOnly) {
      const q = await pipeline(Engine, records);
      piped[k]!.push(rate(q.ms));
      line += `, pipeline ${piped[k]!.at(-1)} events/s (${q.faults} page faults in the run)`;
    }
    console.log(line);
  }
}

const median = (a: readonly number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : Math.round((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
};
function report(what: string, runs: number[][]): void {
  const [base, mine] = runs as [number[], number[]];
  const ahead = mine.filter((v, i) => v > base[i]!).length;
  const paired = pairedRatio(base, mine);
  const interval = Number.isNaN(paired.low) ? 'no interval from one round' : `95% interval ${paired.low.toFixed(3)}-${paired.high.toFixed(3)}`;
  console.log(
    `${what}: this checkout ${median(mine)} events/s, baseline ${median(base)} (medians of ${rounds}); ` +
      `ratio ${(median(mine) / median(base)).toFixed(3)}, ahead in ${ahead} of ${rounds} rounds; ` +
      `round by round ×${paired.ratio.toFixed(3)} (${interval})`,
  );
}
report('plain loop', plain);
if (!plainOnly) report('pipeline', piped);
