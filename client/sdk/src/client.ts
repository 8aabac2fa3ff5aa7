/**
 * `connectPulse`: one socket to the hub, any number of topic streams over it, and the REST calls.
 *
 * The client keeps every followed topic's object whole: a snapshot from the subscribe answer, then
 * each update's merge patch applied to a copy, and a new object emitted only once fully built.
 * When an update's `prev` is not the position the client holds, something was missed: the topic
 * is subscribed again for a fresh snapshot (state `resyncing`) and goes on from there. The same
 * happens to every topic after a reconnect, on whichever node the socket lands.
 */
import { asyncScheduler, BehaviorSubject, distinctUntilChanged, Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { backoffDelay, checkBackoff, type BackoffOptions } from './backoff.js';
import { errorBodyOf, PulseError } from './errors.js';
import { parseAck, parseSubscribeAck, parseUpdate } from './frames.js';
import { createHttp, type FetchLike, type PulseHttp } from './http.js';
import { applyMergePatch, type MergePatch, type Snapshot, type SubscribeAck, type Topic, type UpdateFrame } from './protocol.js';
import { tokenExpiry } from './token.js';
import { topicProblem, type TopicValue } from './topics.js';
import { socketIo, type ConnectError, type PulseSocket, type SocketFactory } from './transport.js';

/**
 * - `connecting`: not yet live since the client was created.
 * - `live`: connected, and every followed topic is up to date.
 * - `resyncing`: connected, and some topic is waiting for a fresh snapshot (after a reconnect or a gap).
 * - `offline`: the connection was lost; the client is reconnecting.
 * - `unauthorized`: the hub refused the token and no new one could be had; the client has stopped.
 */
export type ConnectionState = 'connecting' | 'live' | 'resyncing' | 'offline' | 'unauthorized';

interface CommonOptions {
  /** The hub's base URL, e.g. `https://pulse.example.com` (in a page served by the hub: `location.origin`). */
  url: string;
  /** Socket.IO's path on the hub (default `/socket.io`). */
  path?: string;
  backoff?: BackoffOptions;
  /** How long before a token's `exp` to ask `getToken` for a new one (default 90 s; at most half the time left). */
  refreshLeadMs?: number;
  /** Timers and time for reconnects and token refresh (default: RxJS's asyncScheduler). */
  scheduler?: SchedulerLike;
  /** Source of the reconnect jitter (default Math.random). */
  random?: () => number;
  /** Makes the socket (default socket.io-client). */
  socket?: SocketFactory;
  /** For REST calls (default the global fetch). */
  fetch?: FetchLike;
}

/** A fixed token (a wallboard's), or `getToken` to fetch one now and again before each expires. */
export type PulseOptions = CommonOptions & ({ token: string; getToken?: undefined } | { getToken: () => string | Promise<string>; token?: undefined });

export interface PulseClient {
  /** The connection state, starting with the current one. */
  readonly state$: Observable<ConnectionState>;
  readonly state: ConnectionState;
  /** Problems that do not end a topic stream: a refused token refresh, a frame that is not the protocol. */
  readonly errors$: Observable<PulseError>;
  /**
   * The topic's current object: the snapshot, then a new whole object after each update. Errors
   * with a `PulseError` when the hub refuses the topic, or when the client becomes unauthorized.
   * Subscribers of one topic share one server subscription.
   */
  subscribe<T extends Topic>(topic: T): Observable<TopicValue<T>>;
  /** `GET /v1/snapshot`, optionally for some queues only. */
  snapshot(options?: { queues?: readonly string[] }): Promise<Snapshot>;
  /** Other REST routes (history, reports) with the client's token. */
  readonly http: PulseHttp;
  /** Disconnects and completes every stream. */
  close(): void;
}

const DEFAULT_REFRESH_LEAD_MS = 90_000;
/** A token closer than this to its expiry is not used for a new handshake. */
const HANDSHAKE_MARGIN_MS = 5_000;

interface Feed {
  readonly topic: Topic;
  readonly observers: Set<Subscriber<unknown>>;
  value: unknown;
  hasValue: boolean;
  position: string | undefined;
  /** Waiting for a snapshot: never had one, or resyncing. */
  pending: boolean;
  /** Number of the latest subscribe request: answers to older ones are dropped. */
  request: number;
}

export function connectPulse(options: PulseOptions): PulseClient {
  return new Client(options);
}

class Client implements PulseClient {
  readonly http: PulseHttp;
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('connecting');
  private readonly errorSubject = new Subject<PulseError>();
  readonly state$ = this.stateSubject.pipe(distinctUntilChanged());
  readonly errors$ = this.errorSubject.asObservable();

  private readonly socket: PulseSocket;
  private readonly scheduler: SchedulerLike;
  private readonly random: () => number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly refreshLeadMs: number;
  private readonly getToken: (() => string | Promise<string>) | undefined;
  private readonly feeds = new Map<string, Feed>();

  private token: string | undefined;
  private connected = false;
  private everLive = false;
  private closed = false;
  private fatal: PulseError | undefined;
  /** Why the hub said it was about to disconnect us (`pulse:disconnect`), until the next connect. */
  private notice: string | undefined;
  private attempt = 0;
  private retryTimer: Subscription | undefined;
  private refreshTimer: Subscription | undefined;
  private refreshing = false;

  constructor(options: PulseOptions) {
    if (typeof options.url !== 'string') throw new TypeError('connectPulse: url must be a string');
    if (options.token === undefined && typeof options.getToken !== 'function') {
      throw new TypeError('connectPulse: give a token or a getToken function');
    }
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.random = options.random ?? Math.random;
    this.backoff = checkBackoff(options.backoff);
    this.refreshLeadMs = options.refreshLeadMs ?? DEFAULT_REFRESH_LEAD_MS;
    this.getToken = options.getToken;
    this.token = options.token;
    this.http = createHttp({
      baseUrl: options.url,
      token: () => this.usableToken(),
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    });
    this.socket = (options.socket ?? socketIo)({ url: options.url, path: options.path ?? '/socket.io', token: () => this.token ?? '' });
    this.listen();
    this.open();
  }

  get state(): ConnectionState {
    return this.stateSubject.value;
  }

  subscribe<T extends Topic>(topic: T): Observable<TopicValue<T>> {
    return new Observable<TopicValue<T>>((subscriber) => {
      const problem = topicProblem(topic);
      if (problem !== undefined) return subscriber.error(new PulseError('bad_request', problem));
      if (this.fatal !== undefined) return subscriber.error(this.fatal);
      if (this.closed) return subscriber.error(new PulseError('closed', 'the client is closed'));
      let feed = this.feeds.get(topic);
      const observer = subscriber as Subscriber<unknown>;
      if (feed === undefined) {
        feed = { topic, observers: new Set([observer]), value: undefined, hasValue: false, position: undefined, pending: true, request: 0 };
        this.feeds.set(topic, feed);
        this.requestSnapshot(feed);
      } else {
        feed.observers.add(observer);
        if (feed.hasValue) subscriber.next(feed.value as TopicValue<T>);
      }
      const joined = feed;
      return () => {
        joined.observers.delete(observer);
        if (joined.observers.size > 0 || this.feeds.get(topic) !== joined) return;
        this.feeds.delete(topic);
        joined.request++;
        if (this.connected) this.socket.unsubscribe(topic);
        this.updateState();
      };
    });
  }

  snapshot(options: { queues?: readonly string[] } = {}): Promise<Snapshot> {
    return this.http.getJson<Snapshot>('/v1/snapshot', { queues: options.queues });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimers();
    this.socket.disconnect();
    for (const feed of this.feeds.values()) for (const o of feed.observers) o.complete();
    this.feeds.clear();
    this.stateSubject.complete();
    this.errorSubject.complete();
  }

  private listen(): void {
    const s = this.socket;
    s.on('connect', () => this.onConnect());
    s.on('disconnect', (reason) => this.onDisconnect(reason));
    s.on('connect_error', (err) => this.onConnectError(err));
    s.on('update', (frame) => this.onUpdate(frame));
    s.on('auth:expiring', () => this.refreshToken());
    s.on('pulse:disconnect', (notice) => {
      this.notice = typeof notice === 'object' && notice !== null ? String(notice.reason) : undefined;
    });
    s.on('subscription:ended', (ended) => {
      const feed = this.feeds.get(ended.topic);
      if (feed === undefined) return;
      const body = errorBodyOf(ended.error) ?? { code: 'subscription_ended', message: `the hub ended ${ended.topic}` };
      // The same topic read through other queues: a fresh snapshot puts it right.
      if (body.code === 'access_changed') this.requestSnapshot(feed);
      else this.failFeed(feed, PulseError.fromBody(body));
    });
  }

  /** Gets a usable token (asking `getToken` when there is none or it is about to expire), then connects. */
  private open(): void {
    if (this.closed || this.fatal !== undefined) return;
    const expiry = this.token === undefined ? undefined : tokenExpiry(this.token);
    const stale = this.token === undefined || (expiry !== undefined && expiry - this.scheduler.now() < HANDSHAKE_MARGIN_MS);
    if (!stale || this.getToken === undefined) {
      this.socket.connect();
      return;
    }
    this.fetchToken().then(
      (token) => {
        if (this.closed || this.fatal !== undefined) return;
        this.token = token;
        this.socket.connect();
      },
      (err: unknown) => {
        this.errorSubject.next(new PulseError('token_refresh_failed', `getToken failed: ${messageOf(err)}`, { cause: err }));
        this.retryLater();
      },
    );
  }

  private async fetchToken(): Promise<string> {
    if (this.getToken === undefined) throw new PulseError('token_refresh_failed', 'no getToken was given');
    const token = await this.getToken();
    if (typeof token !== 'string' || token === '') throw new TypeError('getToken must resolve to a non-empty string');
    return token;
  }

  /** For REST calls: the current token, or a new one when it is about to expire. */
  private async usableToken(): Promise<string> {
    const expiry = this.token === undefined ? undefined : tokenExpiry(this.token);
    const fresh = this.token !== undefined && (expiry === undefined || expiry - this.scheduler.now() >= HANDSHAKE_MARGIN_MS);
    if (fresh || this.getToken === undefined) {
      if (this.token === undefined) throw new PulseError('unauthorized', 'no token');
      return this.token;
    }
    this.token = await this.fetchToken();
    return this.token;
  }

  private onConnect(): void {
    this.connected = true;
    this.notice = undefined;
    this.retryTimer?.unsubscribe();
    this.scheduleRefresh();
    for (const feed of this.feeds.values()) this.requestSnapshot(feed);
    this.updateState();
  }

  private onDisconnect(reason: string): void {
    this.connected = false;
    this.refreshTimer?.unsubscribe();
    for (const feed of this.feeds.values()) {
      feed.pending = true;
      feed.request++;
    }
    const notice = this.notice;
    this.notice = undefined;
    if (this.closed || this.fatal !== undefined || reason === 'io client disconnect') return;
    this.updateState();
    if (notice === 'token_expired') {
      if (this.getToken === undefined) {
        this.stop(new PulseError('token_expired', 'the token expired and no getToken was given to renew it'));
        return;
      }
      // The next handshake asks getToken for a new one.
      this.token = undefined;
    }
    this.retryLater();
  }

  private onConnectError(err: ConnectError): void {
    const body = errorBodyOf(err.data);
    if (body === undefined || (body.code !== 'unauthorized' && body.code !== 'forbidden')) {
      // The hub is away, starting or stopping: try again later.
      this.updateState();
      this.retryLater();
      return;
    }
    const refused = this.token;
    const error = PulseError.fromBody(body);
    if (this.getToken === undefined) {
      this.stop(error);
      return;
    }
    this.fetchToken().then(
      (token) => {
        if (this.closed || this.fatal !== undefined) return;
        if (token === refused) {
          this.stop(error);
          return;
        }
        this.token = token;
        this.retryLater();
      },
      (cause: unknown) => this.stop(new PulseError(body.code, `${body.message}; getToken failed: ${messageOf(cause)}`, { cause })),
    );
  }

  private onUpdate(raw: unknown): void {
    const frame = parseUpdate(raw);
    if (frame === undefined) {
      this.errorSubject.next(new PulseError('bad_response', 'the hub sent an update frame that is not the protocol', { details: raw }));
      return;
    }
    const feed = this.feeds.get(frame.topic);
    if (feed === undefined || feed.pending) return;
    if (frame.prev !== feed.position) {
      this.requestSnapshot(feed);
      return;
    }
    this.apply(feed, frame);
  }

  private apply(feed: Feed, frame: UpdateFrame): void {
    feed.position = frame.position;
    feed.value = frame.changes === null ? null : applyMergePatch<unknown>(feed.value, frame.changes as MergePatch);
    for (const o of feed.observers) o.next(feed.value);
  }

  private requestSnapshot(feed: Feed): void {
    feed.pending = true;
    const request = ++feed.request;
    this.updateState();
    if (!this.connected) return;
    this.socket.subscribe(feed.topic, (raw: SubscribeAck) => {
      if (this.feeds.get(feed.topic) !== feed || feed.request !== request) return;
      const ack = parseSubscribeAck(raw);
      if (ack === undefined) {
        this.failFeed(feed, new PulseError('bad_response', `the hub answered subscribe ${feed.topic} with something that is not the protocol`));
        return;
      }
      if (!ack.ok) {
        this.failFeed(feed, PulseError.fromBody(ack.error));
        return;
      }
      feed.pending = false;
      feed.hasValue = true;
      feed.position = ack.position;
      feed.value = ack.snapshot;
      for (const o of feed.observers) o.next(feed.value);
      this.updateState();
    });
  }

  private failFeed(feed: Feed, error: PulseError): void {
    this.feeds.delete(feed.topic);
    feed.request++;
    for (const o of feed.observers) o.error(error);
    this.updateState();
  }

  private retryLater(): void {
    if (this.closed || this.fatal !== undefined) return;
    this.retryTimer?.unsubscribe();
    const delay = backoffDelay(this.attempt++, this.backoff, this.random);
    this.retryTimer = this.scheduler.schedule(() => this.open(), delay);
  }

  /** Plans the next token refresh: `refreshLeadMs` before `exp`, or at half the time left if sooner. */
  private scheduleRefresh(): void {
    this.refreshTimer?.unsubscribe();
    if (this.getToken === undefined || this.token === undefined) return;
    const expiry = tokenExpiry(this.token);
    if (expiry === undefined) return;
    const left = expiry - this.scheduler.now();
    const delay = Math.max(0, Math.max(left - this.refreshLeadMs, left / 2));
    this.refreshTimer = this.scheduler.schedule(() => this.refreshToken(), delay);
  }

  /** Asks `getToken` for a new token and hands it to the hub on the open socket. */
  private refreshToken(): void {
    if (this.getToken === undefined || this.refreshing || this.closed || this.fatal !== undefined) return;
    this.refreshing = true;
    const current = this.token;
    this.fetchToken().then(
      (token) => {
        this.refreshing = false;
        if (this.closed || this.fatal !== undefined) return;
        if (token === current) {
          this.errorSubject.next(new PulseError('token_refresh_failed', 'getToken gave the token that is about to expire'));
          return;
        }
        this.token = token;
        if (!this.connected) return;
        this.socket.auth(token, (raw) => {
          const ack = parseAck(raw);
          if (ack === undefined) this.errorSubject.next(new PulseError('bad_response', 'the hub answered auth with something that is not the protocol'));
          else if (!ack.ok) this.errorSubject.next(PulseError.fromBody(ack.error));
          else this.scheduleRefresh();
        });
      },
      (err: unknown) => {
        this.refreshing = false;
        this.errorSubject.next(new PulseError('token_refresh_failed', `getToken failed: ${messageOf(err)}`, { cause: err }));
      },
    );
  }

  /** The hub will not have us: stop for good and tell every stream why. */
  private stop(error: PulseError): void {
    this.fatal = error;
    this.cancelTimers();
    this.socket.disconnect();
    this.errorSubject.next(error);
    for (const feed of [...this.feeds.values()]) this.failFeed(feed, error);
    this.updateState();
  }

  private cancelTimers(): void {
    this.retryTimer?.unsubscribe();
    this.refreshTimer?.unsubscribe();
  }

  private updateState(): void {
    if (this.closed) return;
    const next = this.computeState();
    if (next === 'live') {
      this.everLive = true;
      this.attempt = 0;
    }
    if (next !== this.stateSubject.value) this.stateSubject.next(next);
  }

  private computeState(): ConnectionState {
    if (this.fatal !== undefined) return 'unauthorized';
    if (!this.connected) return this.everLive ? 'offline' : 'connecting';
    for (const feed of this.feeds.values()) if (feed.pending) return this.everLive ? 'resyncing' : 'connecting';
    return 'live';
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
