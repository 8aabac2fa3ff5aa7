import type { WindowName } from '../../src/protocol/index.js';

export const WINDOWS: readonly WindowName[] = ['15m', '60m', 'today'];

/** Every window's sums and maximum wait of a series (a counter series or a queue's). */
export function figures(s: { window(w: WindowName): ArrayLike<number>; maxWait(w: WindowName): number }): Record<WindowName, { sums: number[]; max: number }> {
  const out = {} as Record<WindowName, { sums: number[]; max: number }>;
  for (const w of WINDOWS) out[w] = { sums: Array.from(s.window(w)), max: s.maxWait(w) };
  return out;
}
