import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/auth/index.js';
import { resolveDevSecret } from '../../src/config.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'ph-token-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const SECRET = 'cli-test-secret-of-at-least-32-characters';
const systemClock = { now: () => Date.now() };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workDir, DATA_DIR: join(workDir, 'default') };
  return new Promise((resolve) => {
    execFile(command, args, { cwd: repoRoot, env: { ...baseEnv, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

/** Runs the CLI with only the given hub variables set; tsx loaded into node directly, to spare npx's start-up. */
const token = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], env);

function onlyToken(result: Run): string {
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  return result.stdout.trim();
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ecKeyFile = join(workDir, 'ec.pem');
writeFileSync(ecKeyFile, ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const otherKeyFile = join(workDir, 'other.pem');
writeFileSync(otherKeyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

describe('scripts/token.ts', () => {
  it('signs through `npm run -s token` with the persisted dev secret when no key is configured, with default sub and ttl', async () => {
    const dataDir = join(workDir, 'dev');
    // Exactly as documented, through npm: stdout must still be the token alone.
    const result = await run('npm', ['run', '-s', 'token', '--', '--tenant', 'acme', '--role', 'supervisor'], { DATA_DIR: dataDir });
    const printed = onlyToken(result);
    const principal = createVerifier({ secret: resolveDevSecret(dataDir), clock: systemClock })(printed);
    expect(principal).toMatchObject({ tenant: 'acme', role: 'supervisor', sub: 'cli-supervisor', queues: null });
    const claims = jwt.decode(printed) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(8 * 3600);
  });

  it('signs with JWT_SECRET, issuer, audience, sub, queues and ttl', async () => {
    const env = { JWT_SECRET: SECRET, JWT_ISSUER: 'idp', JWT_AUDIENCE: 'pulse-hub' };
    const result = await token(['--tenant', 'acme', '--role', 'agent', '--sub', 'a-7', '--queues', 'sales, vip', '--ttl', '30m'], env);
    const printed = onlyToken(result);
    const verify = createVerifier({ secret: SECRET, issuer: 'idp', audience: 'pulse-hub', clock: systemClock });
    expect(verify(printed)).toMatchObject({ tenant: 'acme', role: 'agent', sub: 'a-7', queues: ['sales', 'vip'] });
    const claims = jwt.decode(printed) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(1800);
  });

  it('signs with --private-key-file matching JWT_PUBLIC_KEY', async () => {
    const result = await token(['--tenant', 'acme', '--role', 'ingest', '--private-key-file', ecKeyFile], { JWT_PUBLIC_KEY: ecPublicPem });
    const printed = onlyToken(result);
    expect(createVerifier({ publicKey: ecPublicPem, clock: systemClock })(printed)).toMatchObject({ role: 'ingest', sub: 'cli-ingest' });
  });

  it.concurrent.for<{ name: string; args: string[]; env: Record<string, string>; error: string }>([
    { name: 'missing tenant', args: ['--role', 'admin'], env: {}, error: '--tenant is required' },
    { name: 'missing role', args: ['--tenant', 'acme'], env: {}, error: '--role is required' },
    { name: 'unknown role', args: ['--tenant', 'acme', '--role', 'root'], env: {}, error: 'unknown role "root"' },
    { name: 'bad ttl', args: ['--tenant', 'acme', '--role', 'admin', '--ttl', '8 hours'], env: {}, error: '--ttl: invalid duration' },
    { name: 'empty queue', args: ['--tenant', 'acme', '--role', 'admin', '--queues', 'a,,b'], env: {}, error: 'empty queue id' },
    { name: 'unknown option', args: ['--tenant', 'acme', '--role', 'admin', '--tennant', 'x'], env: {}, error: "Unknown option '--tennant'" },
    {
      name: 'public key without private key',
      args: ['--tenant', 'acme', '--role', 'admin'],
      env: { JWT_PUBLIC_KEY: ecPublicPem },
      error: 'pass --private-key-file',
    },
    {
      name: 'private key not matching',
      args: ['--tenant', 'acme', '--role', 'admin', '--private-key-file', otherKeyFile],
      env: { JWT_PUBLIC_KEY: ecPublicPem },
      error: 'does not match JWT_PUBLIC_KEY',
    },
    {
      name: 'private key with a secret',
      args: ['--tenant', 'acme', '--role', 'admin', '--private-key-file', ecKeyFile],
      env: { JWT_SECRET: SECRET },
      error: 'applies only when the hub is configured with JWT_PUBLIC_KEY',
    },
    {
      name: 'bad configuration',
      args: ['--tenant', 'acme', '--role', 'admin'],
      env: { NODE_ENV: 'production' },
      error: 'JWT_SECRET or JWT_PUBLIC_KEY is required in production',
    },
  ])('refuses $name on stderr with exit code 2', async ({ args, env, error }, { expect }) => {
    const result = await token(args, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(error);
  });

  it('prints usage for --help', async () => {
    const result = await token(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run -s token -- --tenant <id> --role <role>');
    expect(result.stdout).toContain('--private-key-file');
  });
});
