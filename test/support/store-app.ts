/**
 * An express app with the store's routes (history, reports, config) behind the real bearer
 * authentication and error handler, listening on a free port, for integration tests.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { createVerifier, signToken, type Role } from '../../src/auth/index.js';
import { authenticate } from '../../src/http/auth-middleware.js';
import { errorHandler, notFound } from '../../src/http/errors.js';

export const APP_SECRET = 'store-test-secret-of-at-least-32-characters';

export interface StoreApp {
  url: string;
  token(claims: { tenant: string; role: Role; sub?: string; queues?: string[] }): string;
  /** fetch with a bearer token. */
  get(path: string, token: string, headers?: Record<string, string>): Promise<Response>;
  send(method: 'POST' | 'PUT', path: string, token: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startStoreApp(mounts: Record<string, Router>): Promise<StoreApp> {
  const verify = createVerifier({ secret: APP_SECRET, clock: { now: () => Date.now() } });
  const app = express();
  app.use('/v1', authenticate({ verify, logger: quiet }));
  for (const [path, router] of Object.entries(mounts)) app.use(path, router);
  app.use(notFound);
  app.use(errorHandler(quiet, 1_000_000));
  const server: Server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token: (c) => signToken({ secret: APP_SECRET, ttl: '1h', sub: c.sub ?? `${c.role}-user`, tenant: c.tenant, role: c.role, ...(c.queues ? { queues: c.queues } : {}) }),
    get: (path, token, headers = {}) => fetch(url + path, { headers: { authorization: `Bearer ${token}`, ...headers } }),
    send: (method, path, token, body) =>
      fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
