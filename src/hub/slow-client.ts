/**
 * Slow clients get the latest state, never a backlog. A sweep measures every socket's queued
 * bytes each `intervalMs` (cheap: not per frame): above `lagBytes` the socket is marked lagging
 * and update frames skip it (one room excluded from every broadcast) until its queue drains;
 * its next frame's `prev` then differs from its position and it resubscribes for the latest
 * snapshot. Above `limitBytes` it is disconnected with reason `slow`.
 *
 * Socket.IO's `volatile` flag is not used for this: it drops a frame whenever the transport is
 * still busy with the previous write, so a socket following several topics would lose all but
 * the first frame of each update.
 */
import type { HubClock } from './clock.js';

/** Sockets whose queue is over `lagBytes`, excluded from update frames. */
export const LAGGING_ROOM = JSON.stringify(['lagging']);

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? Reflect.get(obj, key) : undefined;
}

function packetBytes(packet: unknown): number {
  const data = field(packet, 'data');
  // JSON is mostly ASCII: a string's length stands for its bytes without scanning it.
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/**
 * Bytes queued for one engine.io connection: packets waiting in its write buffer (polling
 * between requests, or a WebSocket still busy with an earlier write) plus what the WebSocket
 * has accepted but not yet handed to the kernel. Reads engine.io and ws internals, checked at
 * run time so a changed internal reads as 0 rather than failing.
 */
export function bufferedBytes(conn: unknown): number {
  let bytes = 0;
  const writeBuffer = field(conn, 'writeBuffer');
  if (Array.isArray(writeBuffer)) for (const packet of writeBuffer) bytes += packetBytes(packet);
  const amount = field(field(field(conn, 'transport'), 'socket'), 'bufferedAmount');
  if (typeof amount === 'number') bytes += amount;
  return bytes;
}

/** The part of a socket the sweep uses. */
export interface SweptSocket {
  conn: unknown;
  rooms: ReadonlySet<string>;
  join(room: string): unknown;
  leave(room: string): unknown;
}

export interface SlowClientSweepOptions<S extends SweptSocket> {
  clock: HubClock;
  intervalMs: number;
  lagBytes: number;
  limitBytes: number;
  sockets: () => Iterable<S>;
  onSlow: (socket: S, bytes: number) => void;
}

/** Starts the sweep; the returned function stops it. */
export function startSlowClientSweep<S extends SweptSocket>(opts: SlowClientSweepOptions<S>): () => void {
  const { clock, intervalMs, lagBytes, limitBytes } = opts;
  let cancel = (): void => undefined;
  const sweep = (): void => {
    const slow: [S, number][] = [];
    for (const socket of opts.sockets()) {
      const bytes = bufferedBytes(socket.conn);
      const lagging = socket.rooms.has(LAGGING_ROOM);
      if (bytes > limitBytes) slow.push([socket, bytes]);
      else if (bytes > lagBytes) {
        if (!lagging) socket.join(LAGGING_ROOM);
      } else if (lagging) socket.leave(LAGGING_ROOM);
    }
    // Disconnected after the walk: a disconnect removes the socket from the collection walked.
    for (const [socket, bytes] of slow) opts.onSlow(socket, bytes);
    cancel = clock.setTimer(intervalMs, sweep);
  };
  cancel = clock.setTimer(intervalMs, sweep);
  return () => cancel();
}
