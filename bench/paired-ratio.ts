/**
 * How two engines compare over rounds run side by side (bench/engine-ab.ts): the geometric mean
 * of each round's ratio, with a 95% confidence interval (Student's t on the log ratios). Pairing
 * by round takes out the VM's drift between rounds, which is larger than most changes measured;
 * an interval that contains 1 means the rounds cannot tell the two apart (docs/benchmarks.md).
 */

/** Two-sided 95% quantiles of Student's t, by degrees of freedom (1-30); 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface PairedRatio {
  /** Geometric mean of mine[i] / base[i]. */
  ratio: number;
  /** 95% confidence interval of that ratio (NaN with fewer than two rounds). */
  low: number;
  high: number;
}

export function pairedRatio(base: readonly number[], mine: readonly number[]): PairedRatio {
  if (base.length !== mine.length || base.length === 0) throw new Error('pairedRatio needs as many rounds on each side, at least one');
  const logs = base.map((b, i) => Math.log(mine[i]! / b));
  const n = logs.length;
  const mean = logs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { ratio: Math.exp(mean), low: NaN, high: NaN };
  const variance = logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const half = (T95[n - 2] ?? 1.96) * Math.sqrt(variance / n);
  return { ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half) };
}
