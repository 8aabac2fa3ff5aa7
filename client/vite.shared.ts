/**
 * One Vite build per page: each is served by the hub under its own path (/wallboard, /console),
 * so its assets live under that path too and nothing else is mounted at the root.
 */
import { fileURLToPath } from 'node:url';
import type { UserConfig } from 'vite';

export function pageConfig(page: 'wallboard' | 'console'): UserConfig {
  return {
    root: fileURLToPath(new URL(`./${page}/`, import.meta.url)),
    base: `/${page}/`,
    logLevel: 'warn',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  };
}
