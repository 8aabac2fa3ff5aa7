/**
 * One socket's subscriptions: which topics it follows, through which engine view, and the view
 * references it holds (one per view in use, so a view lives exactly while a socket needs it).
 */
import { authorizeTopic, visibleQueues, type Principal } from '../auth/index.js';
import { viewKey, type LiveEngine } from '../engine/index.js';
import type { Ack, SubscribeAck, SubscriptionEnded, Topic } from '../protocol/index.js';
import { topicRoom } from './rooms.js';

export type LiveViews = Pick<LiveEngine, 'openView' | 'closeView' | 'topicState'>;

/** The part of a socket that subscriptions use. */
export interface RoomMember {
  join(room: string): unknown;
  leave(room: string): unknown;
}

interface Subscription {
  topic: Topic;
  view: string;
  room: string;
}

/**
 * The queues a topic is read through. An agent reads its own record whole: its `queues` claim
 * limits the queues it may read, not itself (an agent view would otherwise hide it).
 */
function queuesFor(p: Principal, topic: Topic): readonly string[] | null {
  if (p.role === 'agent' && topic === `agent:${p.sub}`) return null;
  return visibleQueues(p);
}

export class Subscriptions {
  private readonly topics = new Map<string, Subscription>();
  /** Topics of this socket per view. */
  private readonly viewTopics = new Map<string, number>();

  constructor(
    private readonly live: LiveViews,
    private readonly member: RoomMember,
    /** The token's tenant: fixed for the socket's life (a refresh must keep it). */
    private readonly tenant: string,
  ) {}

  /** Starts following a topic (or, when already followed, gives its latest state again: a resync). */
  subscribe(p: Principal, requested: string): SubscribeAck {
    const decision = authorizeTopic(p, requested);
    if (!decision.ok) return { ok: false, error: { code: decision.code, message: decision.message } };
    const topic = decision.topic;
    const queues = queuesFor(p, topic);
    const view = viewKey(queues);
    if (!this.topics.has(topic)) {
      this.hold(view, queues);
      const room = topicRoom(this.tenant, view, topic);
      this.member.join(room);
      this.topics.set(topic, { topic, view, room });
    }
    const state = this.live.topicState(this.tenant, view, topic);
    if (state === null) throw new Error(`invariant: view ${view} of tenant ${this.tenant} is held but not open`);
    return { ok: true, topic, position: state.position, snapshot: state.value };
  }

  unsubscribe(topic: string): Ack {
    const sub = this.topics.get(topic);
    if (sub === undefined) {
      return { ok: false, error: { code: 'not_subscribed', message: `this socket does not follow ${JSON.stringify(topic)}` } };
    }
    this.drop(sub);
    return { ok: true };
  }

  /**
   * Checks every subscription against a refreshed principal and ends those it no longer allows,
   * or allows only through another view (whose positions the client's do not follow).
   */
  reauthorize(p: Principal): SubscriptionEnded[] {
    const ended: SubscriptionEnded[] = [];
    for (const sub of this.topics.values()) {
      const decision = authorizeTopic(p, sub.topic);
      if (!decision.ok) {
        this.drop(sub);
        ended.push({ topic: sub.topic, error: { code: decision.code, message: decision.message } });
      } else if (viewKey(queuesFor(p, sub.topic)) !== sub.view) {
        this.drop(sub);
        ended.push({
          topic: sub.topic,
          error: { code: 'access_changed', message: 'the new token reads other queues: subscribe again for a fresh snapshot' },
        });
      }
    }
    return ended;
  }

  /** Releases every view this socket holds (on disconnect, rooms are left by Socket.IO itself). */
  releaseAll(): void {
    for (const view of this.viewTopics.keys()) this.live.closeView(this.tenant, view);
    this.viewTopics.clear();
    this.topics.clear();
  }

  private drop(sub: Subscription): void {
    this.topics.delete(sub.topic);
    this.member.leave(sub.room);
    this.release(sub.view);
  }

  private hold(view: string, queues: readonly string[] | null): void {
    const n = this.viewTopics.get(view) ?? 0;
    if (n === 0) this.live.openView(this.tenant, queues);
    this.viewTopics.set(view, n + 1);
  }

  private release(view: string): void {
    const n = this.viewTopics.get(view) ?? 0;
    if (n <= 1) {
      this.viewTopics.delete(view);
      this.live.closeView(this.tenant, view);
    } else {
      this.viewTopics.set(view, n - 1);
    }
  }
}
