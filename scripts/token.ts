/**
 * Prints a signed token for the configured hub, and nothing else on stdout, so
 * `TOKEN=$(npm run -s token -- --tenant acme --role supervisor)` works.
 * Errors go to stderr with exit code 2.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ROLES, parseDuration, signToken, type Role, type SignOptions } from '../src/auth/index.js';
import { loadConfig, resolveDevSecret, type Config } from '../src/config.js';

const USAGE = `usage: npm run -s token -- --tenant <id> --role <role> [options]

  --tenant <id>              tenant id (required)
  --role <role>              one of ${ROLES.join(', ')} (required)
  --sub <id>                 subject: user, agent or system id (default: cli-<role>)
  --queues <a,b>             limit the token to these queues
  --ttl <duration>           lifetime such as 90s, 30m, 8h, 2d (default: 8h)
  --private-key-file <path>  PEM private key; required when the hub has JWT_PUBLIC_KEY
  --help                     print this help

The key comes from the hub's configuration (JWT_SECRET, or in development the secret
persisted in DATA_DIR); JWT_ISSUER and JWT_AUDIENCE are set as iss and aud.`;

class UsageError extends Error {}

function parseRole(value: string | undefined): Role {
  if (value === undefined) throw new UsageError('--role is required');
  const role = ROLES.find((r) => r === value);
  if (role === undefined) throw new UsageError(`unknown role ${JSON.stringify(value)}: expected one of ${ROLES.join(', ')}`);
  return role;
}

function parseQueues(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const queues = value.split(',').map((q) => q.trim());
  if (queues.some((q) => q.length === 0)) throw new UsageError(`--queues ${JSON.stringify(value)} has an empty queue id`);
  return queues;
}

function readPrivateKey(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --private-key-file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The signing key matching what the hub verifies with. */
function signingKey(config: Config, privateKeyFile: string | undefined): { secret: string } | { privateKey: string } {
  const jwt = config.jwt;
  if (jwt.mode === 'publicKey') {
    if (privateKeyFile === undefined) {
      throw new UsageError('the hub verifies with JWT_PUBLIC_KEY: pass --private-key-file with the matching private key');
    }
    const privateKey = readPrivateKey(privateKeyFile);
    let derived: string;
    try {
      derived = createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }).toString();
    } catch {
      throw new UsageError(`--private-key-file ${privateKeyFile} does not hold a PEM private key`);
    }
    const configured = createPublicKey(jwt.publicKey).export({ type: 'spki', format: 'pem' }).toString();
    if (derived !== configured) throw new UsageError(`--private-key-file ${privateKeyFile} does not match JWT_PUBLIC_KEY`);
    return { privateKey };
  }
  if (privateKeyFile !== undefined) {
    throw new UsageError('--private-key-file applies only when the hub is configured with JWT_PUBLIC_KEY');
  }
  return { secret: jwt.mode === 'secret' ? jwt.secret : resolveDevSecret(config.dataDir) };
}

function main(argv: string[]): string | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        tenant: { type: 'string' },
        role: { type: 'string' },
        sub: { type: 'string' },
        queues: { type: 'string' },
        ttl: { type: 'string', default: '8h' },
        'private-key-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const args = parsed.values;
  if (args.help) return undefined;
  if (args.tenant === undefined || args.tenant.length === 0) throw new UsageError('--tenant is required');
  const role = parseRole(args.role);
  if (args.sub !== undefined && args.sub.length === 0) throw new UsageError('--sub must not be empty');
  const queues = parseQueues(args.queues);
  let ttl: number;
  try {
    ttl = parseDuration(args.ttl);
  } catch (err) {
    throw new UsageError(`--ttl: ${err instanceof Error ? err.message : String(err)}`);
  }
  const config = loadConfig(process.env);
  const options: SignOptions = {
    ...signingKey(config, args['private-key-file']),
    tenant: args.tenant,
    role,
    sub: args.sub ?? `cli-${role}`,
    ttl,
    ...(queues === undefined ? {} : { queues }),
    ...(config.jwt.issuer === undefined ? {} : { issuer: config.jwt.issuer }),
    ...(config.jwt.audience === undefined ? {} : { audience: config.jwt.audience }),
  };
  return signToken(options);
}

try {
  const token = main(process.argv.slice(2));
  process.stdout.write(token === undefined ? `${USAGE}\n` : `${token}\n`);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`token: ${message}\n${err instanceof UsageError ? 'run with --help for usage\n' : ''}`);
  process.exitCode = 2;
}
