/**
 * `npm start` as a program: configuration errors exit 1 with the message, a development start
 * prints the warning and working tokens, and SIGTERM stops it cleanly with exit 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const MAIN = join(import.meta.dirname, '../../src/main.ts');

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { stdout: '', stderr: '', code: null };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => {
    run.code = code as number | null;
    return run;
  });
  return { child, run, exited };
}

let dataDir: string;
let database: TestDatabase;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ph-main-'));
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('exits 1 with the message when production has no key, or a variable is wrong', async () => {
    const production = await start({ NODE_ENV: 'production', DATA_DIR: dataDir }).exited;
    expect(production.code).toBe(1);
    expect(production.stderr).toContain('JWT_SECRET or JWT_PUBLIC_KEY is required in production');
    const badPort = await start({ PORT: 'abc', DATA_DIR: dataDir }).exited;
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('PORT: expected an integer 1-65535, got "abc"');
  });

  it('prints a development warning and working tokens, then stops on SIGTERM with exit 0', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { child, run, exited } = start({ DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1' });
    const deadline = Date.now() + 25_000;
    while (!run.stderr.includes('Read the figures') && run.code === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(run.stderr).toContain('DEVELOPMENT SECRET IN USE');
    const supervisor = /export SUPERVISOR=(\S+)/.exec(run.stderr)?.[1] ?? '';
    const ingest = /export INGEST=(\S+)/.exec(run.stderr)?.[1] ?? '';
    const url = `http://127.0.0.1:${port}`;
    const posted = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ingest}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events: [{ id: 'm1', type: 'contact.queued', ts: Date.now(), contactId: 'c1', queueId: 'sales' }] }),
    });
    expect(posted.status).toBe(202);
    const snapshot = await fetch(`${url}/v1/snapshot`, { headers: { Authorization: `Bearer ${supervisor}` } });
    expect(snapshot.status).toBe(200);
    expect(await snapshot.json()).toMatchObject({ tenant: 'demo' });

    child.kill('SIGTERM');
    const done = await exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('"msg":"node stopped"');
    expect(done.stdout).not.toContain(supervisor);
  });
});
