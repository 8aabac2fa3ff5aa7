/**
 * The hub's whole configuration, read once from environment variables through one zod schema.
 * An empty variable counts as unset, so `PORT=` in a compose file means "the default".
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { asymmetricAlgorithm } from './auth/index.js';

export class ConfigError extends Error {
  /** One line per problem, each starting with the variable it concerns. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const MIN_SECRET_LENGTH = 32;
const MiB = 1024 * 1024;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

/** A variable as read: empty means unset. */
const raw = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** An integer in [min, max], or undefined when unset. */
function intOrUnset(min: number, max: number) {
  return raw.transform((value, ctx): number | undefined => {
    if (value === undefined) return undefined;
    const n = /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected an integer ${min}-${max}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return n;
  });
}

function int(min: number, max: number, fallback: number) {
  return intOrUnset(min, max).transform((n) => n ?? fallback);
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return raw.transform((value, ctx): T[number] => {
    if (value === undefined) return fallback;
    const found = values.find((v) => v === value);
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return found;
  });
}

function url(protocols: readonly string[]) {
  return raw.transform((value, ctx): string | undefined => {
    if (value === undefined) return undefined;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol === undefined || !protocols.includes(protocol)) {
      // The value may hold a password: name only the expected form.
      ctx.addIssue({ code: 'custom', message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` });
      return z.NEVER;
    }
    return value;
  });
}

/** A PEM public key usable for RS256 or ES256; `\n` escapes are accepted for one-line env files. */
const publicKeyPem = raw.transform((value, ctx): string | undefined => {
  if (value === undefined) return undefined;
  const pem = value.replace(/\\n/g, '\n');
  let key;
  try {
    key = createPublicKey(pem);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a PEM-encoded public key (-----BEGIN PUBLIC KEY-----)' });
    return z.NEVER;
  }
  if (asymmetricAlgorithm(key) === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected an RSA key (RS256) or an EC P-256 key (ES256), got ${key.asymmetricKeyType ?? 'unknown'}` });
    return z.NEVER;
  }
  return pem;
});

const secret = raw.transform((value, ctx): string | undefined => {
  if (value !== undefined && value.length < MIN_SECRET_LENGTH) {
    ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_SECRET_LENGTH} characters, got ${value.length}` });
    return z.NEVER;
  }
  return value;
});

const envSchema = z
  .object({
    PORT: int(1, 65535, 3000),
    HOST: raw.transform((v) => v ?? '0.0.0.0'),
    NODE_ENV: oneOf(NODE_ENVS, 'development'),
    JWT_SECRET: secret,
    JWT_PUBLIC_KEY: publicKeyPem,
    JWT_ISSUER: raw,
    JWT_AUDIENCE: raw,
    DATABASE_URL: url(['postgres:', 'postgresql:']),
    REDIS_URL: url(['redis:', 'rediss:']),
    DATA_DIR: raw.transform((v) => v ?? './.data'),
    UPDATE_INTERVAL_MS: int(10, 10_000, 250),
    LATENESS_MS: int(0, 7 * 24 * 3600_000, 600_000),
    CLOCK_SKEW_MS: int(0, 24 * 3600_000, 60_000),
    LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
    INGEST_RATE_PER_SEC: int(1, 100_000_000, 20_000),
    INGEST_BURST: intOrUnset(1, 1_000_000_000),
    MAX_BODY_BYTES: int(1024, 1024 * MiB, 5 * MiB),
    MAX_BATCH_EVENTS: int(1, 1_000_000, 5000),
    LOG_PARTITIONS: int(1, 1024, 4),
    REDIS_PREFIX: raw.transform((v) => v ?? 'ph:'),
    SLOW_CLIENT_BUFFER_BYTES: int(1024, 1024 * MiB, 4 * MiB),
    NODE_ID: raw,
    EVENTS_RETENTION_DAYS: intOrUnset(1, 3650),
    CHECKPOINT_INTERVAL_MS: int(1000, 24 * 3600_000, 300_000),
    ROLLUP_INTERVAL_MS: int(1000, 300_000, 30_000),
    ROLLUP_MAX_BACKLOG_ROWS: int(1000, 100_000_000, 1_000_000),
  })
  .superRefine((env, ctx) => {
    if (env.JWT_SECRET !== undefined && env.JWT_PUBLIC_KEY !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'JWT_SECRET and JWT_PUBLIC_KEY are mutually exclusive: set only one' });
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET === undefined && env.JWT_PUBLIC_KEY === undefined) {
      ctx.addIssue({ code: 'custom', message: 'JWT_SECRET or JWT_PUBLIC_KEY is required in production' });
    }
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    nodeEnv: env.NODE_ENV,
    mode: modeOf(env.REDIS_URL, env.DATABASE_URL),
    jwt: { ...jwtKey(env.JWT_SECRET, env.JWT_PUBLIC_KEY), issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir: env.DATA_DIR,
    updateIntervalMs: env.UPDATE_INTERVAL_MS,
    latenessMs: env.LATENESS_MS,
    clockSkewMs: env.CLOCK_SKEW_MS,
    logLevel: env.LOG_LEVEL,
    ingestRatePerSec: env.INGEST_RATE_PER_SEC,
    ingestBurst: env.INGEST_BURST ?? 2 * env.INGEST_RATE_PER_SEC,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxBatchEvents: env.MAX_BATCH_EVENTS,
    logPartitions: env.LOG_PARTITIONS,
    redisPrefix: env.REDIS_PREFIX,
    slowClientBufferBytes: env.SLOW_CLIENT_BUFFER_BYTES,
    nodeId: env.NODE_ID ?? `${hostname()}-${process.pid}`,
    eventsRetentionDays: env.EVENTS_RETENTION_DAYS,
    checkpointIntervalMs: env.CHECKPOINT_INTERVAL_MS,
    rollupIntervalMs: env.ROLLUP_INTERVAL_MS,
    rollupMaxBacklogRows: env.ROLLUP_MAX_BACKLOG_ROWS,
  }));

export type JwtKey =
  | { mode: 'secret'; secret: string }
  | { mode: 'publicKey'; publicKey: string }
  /** Development without a key: the secret of `resolveDevSecret(dataDir)`. */
  | { mode: 'generated' };

function jwtKey(secretValue: string | undefined, publicKey: string | undefined): JwtKey {
  if (secretValue !== undefined) return { mode: 'secret', secret: secretValue };
  if (publicKey !== undefined) return { mode: 'publicKey', publicKey };
  return { mode: 'generated' };
}

function modeOf(redisUrl: string | undefined, databaseUrl: string | undefined): 'embedded' | 'postgres' | 'redis' {
  if (redisUrl !== undefined) return 'redis';
  if (databaseUrl !== undefined) return 'postgres';
  return 'embedded';
}

export type Config = z.output<typeof envSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)),
    );
  }
  return parsed.data;
}

const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The development signing secret, created on first use and kept in `${dataDir}/dev-jwt-secret`
 * (mode 0600) so tokens printed at one start still verify after a restart.
 */
export function resolveDevSecret(dataDir: string): string {
  const file = join(dataDir, DEV_SECRET_FILE);
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists: two processes starting at once keep the first secret.
    writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
  const stored = readFileSync(file, 'utf8').trim();
  if (stored.length < MIN_SECRET_LENGTH) {
    throw new ConfigError([`${file}: holds no valid secret (expected at least ${MIN_SECRET_LENGTH} characters); delete it to generate a new one`]);
  }
  return stored;
}
