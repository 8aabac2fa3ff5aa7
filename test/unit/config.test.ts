import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveDevSecret } from '../../src/config.js';

const SECRET = 'x'.repeat(32);
const pem = (type: 'rsa' | 'ec' | 'ed25519') => {
  const { publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      nodeEnv: 'development',
      mode: 'embedded',
      jwt: { mode: 'generated', issuer: undefined, audience: undefined },
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: './.data',
      updateIntervalMs: 250,
      latenessMs: 600_000,
      clockSkewMs: 60_000,
      logLevel: 'info',
      ingestRatePerSec: 20_000,
      ingestBurst: 40_000,
      maxBodyBytes: 5 * 1024 * 1024,
      maxBatchEvents: 5000,
      logPartitions: 4,
      redisPrefix: 'ph:',
      slowClientBufferBytes: 4 * 1024 * 1024,
      nodeId: `${hostname()}-${process.pid}`,
      eventsRetentionDays: undefined,
      checkpointIntervalMs: 300_000,
      rollupIntervalMs: 30_000,
      rollupMaxBacklogRows: 1_000_000,
    });
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', JWT_SECRET: '', LOG_LEVEL: '', NODE_ID: '' });
    expect(config.port).toBe(3000);
    expect(config.jwt.mode).toBe('generated');
    expect(config.logLevel).toBe('info');
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'issuer',
      JWT_AUDIENCE: 'hub',
      DATABASE_URL: 'postgres://u:p@db/hub',
      DATA_DIR: '/var/lib/ph',
      UPDATE_INTERVAL_MS: '100',
      LATENESS_MS: '1000',
      CLOCK_SKEW_MS: '0',
      LOG_LEVEL: 'debug',
      INGEST_RATE_PER_SEC: '10',
      INGEST_BURST: '15',
      MAX_BODY_BYTES: '2048',
      MAX_BATCH_EVENTS: '10',
      LOG_PARTITIONS: '8',
      REDIS_PREFIX: 'x:',
      SLOW_CLIENT_BUFFER_BYTES: '65536',
      NODE_ID: 'n1',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      nodeEnv: 'production',
      mode: 'postgres',
      jwt: { mode: 'secret', secret: SECRET, issuer: 'issuer', audience: 'hub' },
      databaseUrl: 'postgres://u:p@db/hub',
      dataDir: '/var/lib/ph',
      updateIntervalMs: 100,
      latenessMs: 1000,
      clockSkewMs: 0,
      logLevel: 'debug',
      ingestRatePerSec: 10,
      ingestBurst: 15,
      maxBodyBytes: 2048,
      maxBatchEvents: 10,
      logPartitions: 8,
      redisPrefix: 'x:',
      slowClientBufferBytes: 65536,
      nodeId: 'n1',
    });
  });

  it('derives the burst from the rate when unset', () => {
    expect(loadConfig({ INGEST_RATE_PER_SEC: '300' }).ingestBurst).toBe(600);
  });

  it('picks the mode from the URLs: redis over postgres over embedded', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/hub' }).mode).toBe('postgres');
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379' }).mode).toBe('redis');
    expect(loadConfig({ REDIS_URL: 'rediss://cache:6379', DATABASE_URL: 'postgres://db/hub' }).mode).toBe('redis');
  });

  it('names the variable, the expectation and the value of a bad number', () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: expected an integer 1-65535, got "abc"']);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: expected an integer 1-65535, got "70000"']);
    expect(problemsOf({ PORT: '80.5' })).toEqual(['PORT: expected an integer 1-65535, got "80.5"']);
    expect(problemsOf({ UPDATE_INTERVAL_MS: '5' })).toEqual(['UPDATE_INTERVAL_MS: expected an integer 10-10000, got "5"']);
    expect(problemsOf({ INGEST_BURST: '0' })[0]).toMatch(/^INGEST_BURST: expected an integer/);
  });

  it('reports every bad variable at once, in the error message too', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud', NODE_ENV: 'staging', MAX_BATCH_EVENTS: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT: expected an integer 1-65535, got "x"');
    expect(message).toContain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(message).toContain('NODE_ENV: expected one of development, production, test, got "staging"');
    expect(message).toContain('MAX_BATCH_EVENTS: expected an integer');
  });

  it('refuses URLs of the wrong kind without echoing them', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://u:secretpw@db', REDIS_URL: 'not a url' });
    expect(problems).toEqual([
      'DATABASE_URL: expected a URL starting with postgres:// or postgresql://',
      'REDIS_URL: expected a URL starting with redis:// or rediss://',
    ]);
    expect(problems.join()).not.toContain('secretpw');
  });

  it('requires a JWT_SECRET of at least 32 characters without echoing it', () => {
    expect(problemsOf({ JWT_SECRET: 'short-secret' })).toEqual(['JWT_SECRET: must be at least 32 characters, got 12']);
  });

  it('refuses JWT_SECRET together with JWT_PUBLIC_KEY, naming both', () => {
    const problems = problemsOf({ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: pem('rsa') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('JWT_SECRET');
    expect(problems[0]).toContain('JWT_PUBLIC_KEY');
  });

  it('requires a key in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['JWT_SECRET or JWT_PUBLIC_KEY is required in production']);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).jwt.mode).toBe('secret');
  });

  it('accepts RSA and P-256 public keys, also with escaped newlines', () => {
    const rsa = pem('rsa');
    expect(loadConfig({ JWT_PUBLIC_KEY: rsa }).jwt).toEqual({ mode: 'publicKey', publicKey: rsa, issuer: undefined, audience: undefined });
    const ec = pem('ec');
    expect(loadConfig({ JWT_PUBLIC_KEY: ec.replace(/\n/g, '\\n') }).jwt).toMatchObject({ mode: 'publicKey', publicKey: ec });
  });

  it('refuses a public key that is not PEM or not RSA / P-256', () => {
    expect(problemsOf({ JWT_PUBLIC_KEY: 'abc' })).toEqual([
      'JWT_PUBLIC_KEY: expected a PEM-encoded public key (-----BEGIN PUBLIC KEY-----)',
    ]);
    expect(problemsOf({ JWT_PUBLIC_KEY: pem('ed25519') })).toEqual([
      'JWT_PUBLIC_KEY: expected an RSA key (RS256) or an EC P-256 key (ES256), got ed25519',
    ]);
  });
});

describe('resolveDevSecret', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ph-config-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a 48-byte secret readable only by its owner, then reads the same one back', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const first = resolveDevSecret(dataDir);
    expect(Buffer.from(first, 'base64url')).toHaveLength(48);
    const file = join(dataDir, 'dev-jwt-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(resolveDevSecret(dataDir)).toBe(first);
  });

  it('gives different secrets to different data directories', () => {
    expect(resolveDevSecret(tempDir())).not.toBe(resolveDevSecret(tempDir()));
  });

  it('refuses a file that holds no usable secret', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'dev-jwt-secret'), 'short\n');
    expect(() => resolveDevSecret(dataDir)).toThrow(ConfigError);
    expect(() => resolveDevSecret(dataDir)).toThrow(/delete it to generate a new one/);
  });
});
