/**
 * A TCP relay to a real server (Redis, PostgreSQL) that a test can cut and restore, to play an
 * outage without touching the server other tests share.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export class Relay {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  readonly #upstreamPort: number;
  readonly #upstreamHost: string;
  /** The port it listens on: chosen at the first start, kept across restarts. */
  port = 0;

  constructor(upstreamPort: number, upstreamHost = '127.0.0.1') {
    this.#upstreamPort = upstreamPort;
    this.#upstreamHost = upstreamHost;
  }

  /** Starts listening (again); does nothing while it listens. */
  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    const server = createServer((client) => {
      const upstream = connect(this.#upstreamPort, this.#upstreamHost);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.#sockets.delete(s);
          // One side gone: drop the other, as a dead server would.
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Cuts every open connection and refuses new ones until `start` again. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  }
}
