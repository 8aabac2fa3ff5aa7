/**
 * The wallboard is configured by its URL alone (no login screen on a TV):
 * `?token=…&queues=a,b&window=15m|60m|today&theme=dark|light`.
 */
import type { WindowName } from '../../sdk/src/index.js';

export type Theme = 'dark' | 'light';

export interface WallboardConfig {
  token: string;
  /** Queues to show, in this order; null: every queue the token sees. */
  queues: string[] | null;
  window: WindowName;
  theme: Theme;
}

export type ConfigResult = { ok: true; config: WallboardConfig } | { ok: false; theme: Theme; problems: string[] };

const WINDOWS: readonly WindowName[] = ['15m', '60m', 'today'];
const KNOWN = new Set(['token', 'queues', 'window', 'theme']);

export function parseWallboardUrl(search: string): ConfigResult {
  const params = new URLSearchParams(search);
  const problems: string[] = [];
  const themeParam = params.get('theme') ?? 'dark';
  const theme: Theme = themeParam === 'light' ? 'light' : 'dark';
  if (themeParam !== 'dark' && themeParam !== 'light') problems.push(`theme must be dark or light, not "${themeParam}"`);

  const token = params.get('token')?.trim() ?? '';
  if (token === '') problems.push('the link has no token: add ?token=… (a wallboard token from your administrator)');

  const windowParam = params.get('window') ?? '15m';
  const window = WINDOWS.find((w) => w === windowParam);
  if (window === undefined) problems.push(`window must be 15m, 60m or today, not "${windowParam}"`);

  let queues: string[] | null = null;
  const queuesParam = params.get('queues');
  if (queuesParam !== null) {
    queues = [...new Set(queuesParam.split(',').map((q) => q.trim()))];
    if (queues.some((q) => q === '')) problems.push('queues must be a comma-separated list of queue ids without empty entries, e.g. queues=sales,support');
  }
  for (const key of params.keys()) if (!KNOWN.has(key)) problems.push(`unknown setting "${key}": use token, queues, window and theme`);

  if (problems.length > 0 || window === undefined) return { ok: false, theme, problems };
  return { ok: true, config: { token, queues, window, theme } };
}
