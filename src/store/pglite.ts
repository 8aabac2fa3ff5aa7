/**
 * `Db` on PGlite: one in-process Postgres with a single connection. PGlite runs every query and
 * every transaction under one mutex, so concurrent callers queue instead of interleaving
 * statements inside another caller's transaction (test/integration/migrate.test.ts checks it).
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DbUnavailableError, type Db, type DbSession, type DbTx, type QueryResult } from './db.js';

type Target = Pick<PGlite, 'query' | 'exec'> | Transaction;

export async function openPglite(dir: string): Promise<Db> {
  const pglite = await PGlite.create(dir);
  let closed = false;

  const checkOpen = (): void => {
    if (closed) throw new DbUnavailableError('database unavailable: PGlite is closed');
  };

  const on = (target: Target): DbTx => ({
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      checkOpen();
      const result = await target.query<R>(sql, params === undefined ? undefined : [...params]);
      return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
    },
    async exec(sql: string): Promise<void> {
      checkOpen();
      await target.exec(sql);
    },
  });

  const transaction = async <T>(fn: (tx: DbTx) => Promise<T>): Promise<T> => {
    checkOpen();
    return pglite.transaction((tx) => fn(on(tx)));
  };
  const shared: DbSession = { ...on(pglite), transaction };

  return {
    kind: 'pglite',
    ...shared,
    session: <T>(fn: (session: DbSession) => Promise<T>) => fn(shared),
    close: async () => {
      if (closed) return;
      closed = true;
      await pglite.close();
    },
  };
}
