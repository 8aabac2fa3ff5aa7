/** `Db` on a PostgreSQL server through a node-postgres Pool. */
import pg from 'pg';
import { DbUnavailableError, type Db, type DbSession, type DbTx, type QueryResult } from './db.js';

/** Fail fast when the server is down instead of waiting on the OS connect timeout. */
const CONNECT_TIMEOUT_MS = 5000;

/** Socket-level failures reported by Node. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** Server states that refuse work for a while: shutdown, crash recovery, starting up, too many clients. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres reports a dead or ended pool with plain errors and no code. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'Cannot use a pool after calling end on the pool',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined) {
    // SQLSTATE class 08: connection exception.
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  return UNAVAILABLE_MESSAGES.some((m) => err.message.startsWith(m));
}

function translate(err: unknown): unknown {
  if (err instanceof DbUnavailableError || !isUnavailable(err)) return err;
  return new DbUnavailableError(`database unavailable: ${(err as Error).message}`, { cause: err });
}

type Queryable = pg.Pool | pg.PoolClient;

function queryOn(target: Queryable): DbTx {
  return {
    async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      try {
        const result = await target.query(sql, params === undefined ? undefined : [...params]);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
      } catch (err) {
        throw translate(err);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // Without parameters pg uses the simple protocol, which accepts several statements.
        await target.query(sql);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

async function inTransaction<T>(client: pg.PoolClient, fn: (tx: DbTx) => Promise<T>): Promise<T> {
  const tx = queryOn(client);
  await tx.exec('BEGIN');
  let result: T;
  try {
    result = await fn(tx);
  } catch (err) {
    await tx.exec('ROLLBACK');
    throw err;
  }
  await tx.exec('COMMIT');
  return result;
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw translate(err);
  }
}

/** Runs `fn` on a client of its own, and drops the client from the pool when it broke. */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  try {
    const result = await fn(client);
    client.release();
    return result;
  } catch (err) {
    client.release(err instanceof DbUnavailableError ? err : undefined);
    throw err;
  }
}

export function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle client that loses its connection is discarded by the pool; without a listener the
  // event would crash the process. The next query reports the outage to its caller.
  pool.on('error', () => undefined);
  let closed = false;
  const direct = queryOn(pool);
  const transaction = <T>(fn: (tx: DbTx) => Promise<T>): Promise<T> => withClient(pool, (client) => inTransaction(client, fn));
  return {
    kind: 'postgres',
    query: direct.query,
    exec: direct.exec,
    transaction,
    session: <T>(fn: (session: DbSession) => Promise<T>) =>
      withClient(pool, (client) => fn({ ...queryOn(client), transaction: (inner) => inTransaction(client, inner) })),
    close: async () => {
      if (!closed) {
        closed = true;
        await pool.end();
      }
    },
  };
}
