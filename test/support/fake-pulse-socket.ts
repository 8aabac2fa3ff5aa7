/**
 * A stand-in for socket.io-client under the SDK: records what the client sends and lets a test
 * play the hub's side (accept, refuse, drop, answer, push updates), all in virtual time.
 */
import type { SchedulerLike } from 'rxjs';
import type { ConnectError, PulseSocket, PulseSocketEvents, SocketOptions } from '../../client/sdk/src/index.js';
import type { Ack, SubscribeAck } from '../../src/protocol/index.js';

type Listener = (...args: never[]) => void;

export interface SentSubscribe {
  topic: string;
  at: number;
  ack: (res: SubscribeAck) => void;
}

export class FakePulseSocket implements PulseSocket {
  readonly listeners = new Map<string, Listener[]>();
  /** Virtual times of each connect() and the token its handshake carried. */
  readonly connects: { at: number; token: string }[] = [];
  readonly subscribes: SentSubscribe[] = [];
  readonly unsubscribes: string[] = [];
  readonly auths: { token: string; ack: (res: Ack) => void }[] = [];
  disconnects = 0;
  connected = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    readonly options: SocketOptions,
  ) {}

  connect(): void {
    this.connects.push({ at: this.scheduler.now(), token: this.options.token() });
  }

  disconnect(): void {
    this.disconnects++;
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', 'io client disconnect');
  }

  on<E extends keyof PulseSocketEvents>(event: E, listener: PulseSocketEvents[E]): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as Listener]);
  }

  subscribe(topic: string, ack: (res: SubscribeAck) => void): void {
    this.subscribes.push({ topic, at: this.scheduler.now(), ack });
  }

  unsubscribe(topic: string): void {
    this.unsubscribes.push(topic);
  }

  auth(token: string, ack: (res: Ack) => void): void {
    this.auths.push({ token, ack });
  }

  // The hub's side.

  fire<E extends keyof PulseSocketEvents>(event: E, ...args: Parameters<PulseSocketEvents[E]>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  refuse(code: string): void {
    const err: ConnectError = { message: code, data: { code, message: `refused: ${code}` } };
    this.fire('connect_error', err);
  }

  /** The hub goes away; `notice` is the `pulse:disconnect` reason it sent first, if any. */
  drop(reason = 'transport close', notice?: string): void {
    if (notice !== undefined) this.fire('pulse:disconnect', { reason: notice });
    this.connected = false;
    this.fire('disconnect', reason);
  }

  /** Answers the latest subscribe of `topic`. */
  answer(topic: string, res: SubscribeAck): void {
    const sent = this.subscribes.filter((s) => s.topic === topic).at(-1);
    if (sent === undefined) throw new Error(`no subscribe of ${topic} was sent`);
    sent.ack(res);
  }
}
