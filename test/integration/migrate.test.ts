import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbUnavailableError, MIGRATIONS_DIR, migrate, openDb, type Db } from '../../src/store/index.js';
import { createTempPglite, createTestDatabase, type TempPglite, type TestDatabase } from '../support/db.js';

async function tableNames(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
  );
  return rows.map((r) => r.name);
}

async function resetSchema(db: Db): Promise<void> {
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
}

/** A migrations folder of its own for each test. */
async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ph-migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  dirs.push(dir);
  return dir;
}
const dirs: string[] = [];

const FIRST = 'CREATE TABLE first (x int);';
const SECOND = 'CREATE TABLE second (y int); INSERT INTO second VALUES (1), (2);';

interface Backend {
  open(): Promise<Db>;
  cleanup(): Promise<void>;
}

let server: TestDatabase;
let pglite: TempPglite;
const opened: Db[] = [];

const backends: Record<'postgres' | 'pglite', Backend> = {
  postgres: {
    open: async () => openDb({ databaseUrl: server.url, dataDir: '' }),
    cleanup: () => server.drop(),
  },
  pglite: {
    open: () => pglite.open(),
    cleanup: () => pglite.cleanup(),
  },
};

beforeAll(async () => {
  server = await createTestDatabase();
  pglite = await createTempPglite();
});

afterAll(async () => {
  for (const db of opened) await db.close();
  await Promise.all([backends.postgres.cleanup(), backends.pglite.cleanup()]);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.each(['postgres', 'pglite'] as const)('migrate on %s', (kind) => {
  let db: Db;

  beforeAll(async () => {
    db = await backends[kind].open();
    opened.push(db);
    expect(db.kind).toBe(kind);
  });

  it('applies the repository migrations to an empty database, then nothing more', async () => {
    await resetSchema(db);
    const files = (await readdir(MIGRATIONS_DIR)).filter((n) => n.endsWith('.sql')).sort();
    expect(files[0]).toBe('0001_events.sql');
    expect(await migrate(db)).toEqual(files);
    expect(await tableNames(db)).toEqual(expect.arrayContaining(['events', 'schema_migrations', 'queue_rollups', 'agent_rollups', 'checkpoints']));
    const { rows } = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    expect(rows).toEqual(files.map((name) => ({ name, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) })));
    expect(await migrate(db)).toEqual([]);
  });

  it('applies new files in order, each once', async () => {
    await resetSchema(db);
    const dir = await migrationsDir({ '0002_second.sql': SECOND, '0001_first.sql': FIRST });
    expect(await migrate(db, dir)).toEqual(['0001_first.sql', '0002_second.sql']);
    await writeFile(join(dir, '0003_third.sql'), 'ALTER TABLE second ADD COLUMN z text;');
    expect(await migrate(db, dir)).toEqual(['0003_third.sql']);
    expect(await migrate(db, dir)).toEqual([]);
    expect((await db.query('SELECT * FROM second')).rowCount).toBe(2);
  });

  it('refuses to start when an applied file changed, naming the file', async () => {
    await resetSchema(db);
    const dir = await migrationsDir({ '0001_first.sql': FIRST, '0002_second.sql': SECOND });
    await migrate(db, dir);
    await writeFile(join(dir, '0001_first.sql'), `${FIRST}\n-- edited`);
    await writeFile(join(dir, '0003_third.sql'), 'CREATE TABLE third (z int);');
    await expect(migrate(db, dir)).rejects.toThrow(/migration 0001_first\.sql changed after it was applied/);
    // Refused before applying anything.
    expect(await tableNames(db)).not.toContain('third');
  });

  it('refuses misnamed files, shared numbers and applied files that disappeared', async () => {
    await resetSchema(db);
    await expect(migrate(db, await migrationsDir({ '1_first.sql': FIRST }))).rejects.toThrow(/1_first\.sql is misnamed/);
    await expect(migrate(db, await migrationsDir({ '0001_a.sql': FIRST, '0001_b.sql': SECOND }))).rejects.toThrow(
      /0001_a\.sql and 0001_b\.sql share the number 0001/,
    );
    await migrate(db, await migrationsDir({ '0001_first.sql': FIRST }));
    await expect(migrate(db, await migrationsDir({}))).rejects.toThrow(/0001_first\.sql was applied but is missing/);
  });

  it('rolls back a failing file whole and does not record it', async () => {
    await resetSchema(db);
    const dir = await migrationsDir({ '0001_first.sql': FIRST, '0002_broken.sql': 'CREATE TABLE broken (x int); SELECT 1/0;' });
    await expect(migrate(db, dir)).rejects.toThrow(/division by zero/);
    expect(await tableNames(db)).toEqual(['first', 'schema_migrations']);
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations');
    expect(rows.map((r) => r.name)).toEqual(['0001_first.sql']);
  });

  it('applies once when called twice at the same time', async () => {
    await resetSchema(db);
    const dir = await migrationsDir({ '0001_first.sql': FIRST, '0002_second.sql': SECOND });
    // On the server: two pools, as two nodes would have.
    const other = kind === 'postgres' ? await backends.postgres.open() : db;
    if (other !== db) opened.push(other);
    const results = await Promise.all([migrate(db, dir), migrate(other, dir)]);
    expect(results.flat().sort()).toEqual(['0001_first.sql', '0002_second.sql']);
    expect(results.some((r) => r.length === 0)).toBe(true);
  });

  it('keeps concurrent transactions apart', async () => {
    await resetSchema(db);
    await db.exec('CREATE TABLE t (v text)');
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const failing = db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES ('rolled back')");
      entered();
      // Give the other caller every chance to run its statement inside this transaction.
      await new Promise((resolve) => setImmediate(resolve));
      await tx.query("INSERT INTO t VALUES ('rolled back too')");
      throw new Error('abort');
    });
    await inside;
    const committed = db.transaction((tx) => tx.query("INSERT INTO t VALUES ('kept')"));
    await expect(failing).rejects.toThrow('abort');
    await committed;
    expect((await db.query<{ v: string }>('SELECT v FROM t')).rows).toEqual([{ v: 'kept' }]);
  });

  it('reports the database as unavailable once closed', async () => {
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DbUnavailableError);
    await expect(db.transaction(async () => undefined)).rejects.toBeInstanceOf(DbUnavailableError);
  });
});

describe('Db', () => {
  it('reports a server that does not answer as unavailable', async () => {
    const db = await openDb({ databaseUrl: 'postgres://postgres@127.0.0.1:5499/none', dataDir: '' });
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DbUnavailableError);
    await db.close();
  });
});
