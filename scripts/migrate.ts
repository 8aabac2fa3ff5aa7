/**
 * Applies the pending migrations and prints their names, then exits: for a deploy step that
 * migrates before the nodes start. The database is DATABASE_URL, else PGlite in DATA_DIR
 * (default ./.data), as for the hub itself. Errors go to stderr with exit code 1.
 */
import { z } from 'zod';
import { migrate, openDb } from '../src/store/index.js';

const unsetWhenEmpty = (v: unknown) => (v === '' ? undefined : v);
const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    unsetWhenEmpty,
    z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL: expected a URL starting with postgres:// or postgresql://').optional(),
  ),
  DATA_DIR: z.preprocess(unsetWhenEmpty, z.string().default('./.data')),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    const applied = await migrate(db);
    const where = db.kind === 'postgres' ? 'DATABASE_URL' : `PGlite in ${env.DATA_DIR}`;
    console.log(applied.length === 0 ? `${where}: up to date` : `${where}: applied ${applied.join(', ')}`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof z.ZodError ? err.issues.map((i) => i.message).join('\n') : err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
