/**
 * Room names. Each is a JSON array whose tenant comes from the socket's token, so no topic
 * string a client sends can name a room of another tenant, and no two kinds of room collide
 * (nor with Socket.IO's own per-socket rooms, which are bare ids).
 */
import type { Topic } from '../protocol/index.js';

/** The sockets following one topic of one view of one tenant. */
export function topicRoom(tenant: string, view: string, topic: Topic): string {
  return JSON.stringify(['topic', tenant, view, topic]);
}

/** Every socket of a tenant, on every node: for disconnecting a tenant. */
export function tenantRoom(tenant: string): string {
  return JSON.stringify(['tenant', tenant]);
}
