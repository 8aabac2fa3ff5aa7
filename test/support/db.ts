/**
 * Databases for integration tests: a throw-away database on the real PostgreSQL server, and
 * PGlite in a temporary directory. Each test file makes its own and removes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDb, type Db } from '../../src/store/index.js';

/** A database the tests may connect to for CREATE/DROP DATABASE (trust auth, user postgres). */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  /** URL of the new, empty database. */
  url: string;
  /** Drops the database, disconnecting whoever is still on it. */
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `ph_test_<random>` on the real server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ph_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface TempPglite {
  dataDir: string;
  /** Opens (again) the PGlite database of `dataDir`: call it twice to simulate a restart. */
  open(): Promise<Db>;
  /** Deletes the directory; close the databases first. */
  cleanup(): Promise<void>;
}

/** A temporary data directory for PGlite. The first `open` takes seconds (initdb): share it. */
export async function createTempPglite(): Promise<TempPglite> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ph-pglite-'));
  return {
    dataDir,
    open: () => openDb({ dataDir }),
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}
