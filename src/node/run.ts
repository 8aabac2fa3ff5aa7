/**
 * Running a node as a program (`npm start`, `npm run demo`): configuration from the environment,
 * a loud banner with ready-to-use tokens when a development secret is in use, and a graceful stop
 * on SIGTERM / SIGINT. Exits 1 on a configuration or start-up error.
 */
import { signToken } from '../auth/index.js';
import { ConfigError, loadConfig, resolveDevSecret, type Config } from '../config.js';
import { tuneV8ForEngine } from '../engine/index.js';
import { startNode, type HubNode } from './start.js';

/** The tenant of the printed tokens and of the demo. */
export const DEMO_TENANT = 'demo';

export interface RunningNode {
  node: HubNode;
  /** A signing secret when the hub verifies with one (JWT_SECRET or the development secret). */
  secret: string | undefined;
  /** Runs before the node stops on a signal (e.g. to stop a simulator). */
  onStop(fn: () => void): void;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function boxed(lines: readonly string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '#'.repeat(width + 4);
  return [bar, ...lines.map((l) => `# ${l.padEnd(width)} #`), bar].join('\n');
}

/** Whether the hub serves a page there (a later build may not have it, or not built it yet). */
async function serves(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { method: 'HEAD' })).ok;
  } catch {
    return false;
  }
}

/** What a developer needs to use a fresh hub: the warning, two tokens and commands to try. */
async function devBanner(node: HubNode, secret: string): Promise<string> {
  const { config, url } = node;
  const sign = (role: 'supervisor' | 'ingest' | 'wallboard') =>
    signToken({
      secret,
      tenant: DEMO_TENANT,
      role,
      sub: `dev-${role}`,
      ttl: '8h',
      ...(config.jwt.issuer === undefined ? {} : { issuer: config.jwt.issuer }),
      ...(config.jwt.audience === undefined ? {} : { audience: config.jwt.audience }),
    });
  const supervisor = sign('supervisor');
  const ingest = sign('ingest');
  const pages = [
    ...((await serves(`${url}/wallboard`)) ? [`Wallboard: ${url}/wallboard?token=${sign('wallboard')}`] : []),
    ...((await serves(`${url}/console`)) ? [`Console:   ${url}/console (sign in with the supervisor token)`] : []),
  ];
  const warning = boxed([
    'DEVELOPMENT SECRET IN USE',
    '',
    'No JWT_SECRET or JWT_PUBLIC_KEY is set: tokens are signed with a secret',
    `generated in ${config.dataDir}/dev-jwt-secret. Anyone who can read that file`,
    'can mint tokens. Set JWT_SECRET or JWT_PUBLIC_KEY for anything but development.',
  ]);
  return [
    '',
    warning,
    '',
    `Pulse Hub is ready at ${url} (mode: ${config.mode}, tenant of the tokens below: ${DEMO_TENANT})`,
    '',
    ...(pages.length > 0 ? [...pages, ''] : []),
    'Supervisor token (8 h):',
    `  export SUPERVISOR=${supervisor}`,
    'Ingest token (8 h):',
    `  export INGEST=${ingest}`,
    '',
    'Post an event:',
    `  curl -sS -X POST ${url}/v1/events -H "Authorization: Bearer $INGEST" -H 'Content-Type: application/json' \\`,
    `    -d '{"events":[{"id":"e-'"$RANDOM"'","type":"contact.queued","ts":'"$(date +%s000)"',"contactId":"c-'"$RANDOM"'","queueId":"sales"}]}'`,
    'Read the figures:',
    `  curl -sS ${url}/v1/snapshot -H "Authorization: Bearer $SUPERVISOR"`,
    'More tokens:',
    `  npm run -s token -- --tenant ${DEMO_TENANT} --role wallboard --ttl 8h`,
    '',
  ].join('\n');
}

function loadOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

/** Starts a node from the environment and keeps it running until SIGTERM or SIGINT. */
export async function runNode(): Promise<RunningNode> {
  tuneV8ForEngine();
  const config = loadOrExit();
  let secret: string | undefined;
  let node: HubNode;
  try {
    secret = config.jwt.mode === 'secret' ? config.jwt.secret : config.jwt.mode === 'generated' ? resolveDevSecret(config.dataDir) : undefined;
    node = await startNode(config);
  } catch (err) {
    fail(`pulse-hub failed to start: ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (config.jwt.mode === 'generated' && secret !== undefined) process.stderr.write(`${await devBanner(node, secret)}\n`);

  const beforeStop: (() => void)[] = [];
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      // A second signal: the operator does not want to wait for the drain.
      process.exit(1);
    }
    signalled = true;
    for (const fn of beforeStop) fn();
    node.stop(`server shutting down (${signal})`).then(
      () => {
        node.logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        node.logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { node, secret, onStop: (fn) => beforeStop.push(fn) };
}
