/**
 * The migration runner: applies `NNNN_name.sql` files in order, each once, each in its own
 * transaction, and records them in `schema_migrations` with a sha256 checksum. A file that was
 * applied and has changed since is refused: the database would no longer match the files.
 *
 * Two nodes starting at once: the runner holds a Postgres advisory lock on the connection that
 * migrates, so the second waits and then finds everything applied. Within one process a lock per
 * `Db` does the same (PGlite's single connection would let both "hold" the advisory lock).
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, DbSession } from './db.js';

/** The repository's `migrations/` folder, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Advisory lock key: an arbitrary constant that every Pulse Hub node uses for migrating. */
const LOCK_KEY = '7080771734';

const FILE_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

const running = new WeakMap<Db, Promise<unknown>>();

/**
 * Applies the pending migrations of `dir` and returns the names of the files applied, in order.
 * Throws, before applying anything, when a file is misnamed, two files share a number, an
 * applied file changed or an applied file is missing.
 */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const previous = running.get(db) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => db.session((session) => migrateLocked(session, dir)));
  running.set(db, run);
  return run;
}

async function migrateLocked(session: DbSession, dir: string): Promise<string[]> {
  const files = await readMigrations(dir);
  const unlock = () => session.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]);
  await session.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
  let done: string[];
  try {
    done = await applyPending(session, dir, files);
  } catch (err) {
    // The original error matters more than a failed unlock; a dead connection frees the lock.
    await unlock().catch(() => undefined);
    throw err;
  }
  await unlock();
  return done;
}

async function applyPending(session: DbSession, dir: string, files: readonly MigrationFile[]): Promise<string[]> {
  await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await session.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const row of rows) {
    const file = byName.get(row.name);
    if (file === undefined) {
      throw new Error(`migration ${row.name} was applied but is missing from ${dir}: restore the file`);
    }
    if (file.checksum !== row.checksum) {
      throw new Error(
        `migration ${row.name} changed after it was applied (checksum ${row.checksum} applied, ${file.checksum} on disk): ` +
          'restore the file and put the change in a new migration',
      );
    }
  }
  const applied = new Set(rows.map((r) => r.name));
  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.name)) continue;
    await session.transaction(async (tx) => {
      await tx.exec(file.sql);
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file.name, file.checksum]);
    });
    done.push(file.name);
  }
  return done;
}

async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const numbers = new Map<string, string>();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!FILE_NAME.test(name)) {
      throw new Error(`migration file ${join(dir, name)} is misnamed: expected NNNN_name.sql (4 digits, then lower-case letters, digits, _)`);
    }
    const number = name.slice(0, 4);
    const other = numbers.get(number);
    if (other !== undefined) throw new Error(`migrations ${other} and ${name} share the number ${number}`);
    numbers.set(number, name);
    const bytes = await readFile(join(dir, name));
    files.push({ name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') });
  }
  return files;
}
