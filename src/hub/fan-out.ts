/**
 * Update frames: each engine update becomes one `update` emit per changed topic, to that topic's
 * room on this node only (every node is a replica and serves its own sockets), except sockets
 * marked lagging (see slow-client.ts). Socket.IO encodes a room emit once for all its sockets;
 * rooms nobody here follows are skipped before encoding.
 */
import type { Observable, Subscription } from 'rxjs';
import type { ViewUpdate } from '../engine/index.js';
import type { UpdateFrame } from '../protocol/index.js';
import { topicRoom } from './rooms.js';
import { LAGGING_ROOM } from './slow-client.js';
import type { HubServer } from './types.js';

/**
 * An engine update as the node hands it over. `appendedAt` (epoch ms): when the oldest event
 * this update carries was appended to the log; when given, the append-to-frame latency is
 * observed.
 */
export type HubUpdate = ViewUpdate & { appendedAt?: number };

export interface FanOutOptions {
  io: HubServer;
  updates$: Observable<HubUpdate>;
  /** Called with `appendedAt` after an update that carries it reached a room of this node. */
  onDelivered: (appendedAt: number) => void;
  onError: (err: unknown) => void;
}

export function fanOut({ io, updates$, onDelivered, onError }: FanOutOptions): Subscription {
  const rooms = io.of('/').adapter.rooms;
  return updates$.subscribe({
    next: (update) => {
      let delivered = false;
      for (const change of update.changes) {
        const room = topicRoom(update.tenant, update.view, change.topic);
        if (!rooms.has(room)) continue;
        const frame: UpdateFrame = { topic: change.topic, position: update.position, prev: change.prev, changes: change.changes };
        io.local.to(room).except(LAGGING_ROOM).emit('update', frame);
        delivered = true;
      }
      if (delivered && update.appendedAt !== undefined) onDelivered(update.appendedAt);
    },
    error: onError,
  });
}
