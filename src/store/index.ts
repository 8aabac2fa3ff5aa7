/** Database access (pg or PGlite) and the migration runner. */
export { DbUnavailableError, openDb, type Db, type DbSession, type DbTx, type OpenDbOptions, type QueryResult } from './db.js';
export { MIGRATIONS_DIR, migrate } from './migrate.js';
