/**
 * One small database interface over node-postgres (a Pool, for a server) and PGlite (Postgres
 * compiled to WebAssembly, the embedded default), so the same SQL runs on both.
 *
 * Conventions the callers rely on:
 * - bigint columns are selected as text (`seq::text`): pg returns int8 as a string and PGlite
 *   as a lossy JS number, so neither is safe to use as is;
 * - jsonb columns come back parsed on both;
 * - a lost or closed connection surfaces as `DbUnavailableError`, every other failure (SQL
 *   errors, constraint violations) as the driver's own error.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPglite } from './pglite.js';
import { openPostgres } from './pg.js';

export interface QueryResult<R> {
  rows: R[];
  /** Rows returned, or rows changed by a statement without RETURNING. */
  rowCount: number;
}

/** What runs inside a transaction. */
export interface DbTx {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of one or more statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One connection, held for a while: session state such as advisory locks lives on it. */
export interface DbSession extends DbTx {
  /** Runs `fn` between BEGIN and COMMIT; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: DbTx) => Promise<T>): Promise<T>;
}

export interface Db extends DbSession {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` on one connection held for its whole duration. PGlite has only one connection,
   * shared with every other caller: session state there is visible to all of them.
   */
  session<T>(fn: (session: DbSession) => Promise<T>): Promise<T>;
  /** Closes the pool or the database; later calls fail with `DbUnavailableError`. */
  close(): Promise<void>;
}

/** The database cannot be reached (refused, lost, timed out, or closed). Worth retrying later. */
export class DbUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DbUnavailableError';
  }
}

export interface OpenDbOptions {
  /** A postgres:// URL: a pg Pool on that server. Without it, PGlite in `${dataDir}/pglite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  if (options.databaseUrl !== undefined) return openPostgres(options.databaseUrl);
  const dir = join(options.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite(dir);
}
