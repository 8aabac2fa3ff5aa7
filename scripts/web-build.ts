/**
 * Builds the wallboard and the console when their sources are newer than their builds, so that
 * `npm start`, `npm run demo`, `npm test` and `npm run screenshots` never serve a stale or
 * missing page and never need a manual build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCES = ['client/shared', 'client/sdk/src', 'client/vite.shared.ts', 'src/protocol', 'package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'dist' || entry === 'node_modules') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

/** Builds each stale page; returns the pages built. */
export function ensureWebBuilt(): string[] {
  const built: string[] = [];
  for (const page of ['wallboard', 'console']) {
    const output = join(ROOT, 'client', page, 'dist', 'index.html');
    const sources = Math.max(newest(join(ROOT, 'client', page)), ...SOURCES.map((s) => newest(join(ROOT, s))));
    if (existsSync(output) && statSync(output).mtimeMs >= sources) continue;
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', `client/${page}/vite.config.ts`], { cwd: ROOT, stdio: 'inherit' });
    built.push(page);
  }
  return built;
}
