import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'client/**/test/**/*.test.ts'],
    // Integration tests share the machine's PostgreSQL and Redis; each test isolates itself by
    // database/schema name and key prefix, so files may run in parallel.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The browser tests load the wallboard and console builds: rebuilt here when their sources changed.
    globalSetup: ['test/support/global-setup.ts'],
  },
});
