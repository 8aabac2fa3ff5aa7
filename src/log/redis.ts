/**
 * The event log on Redis Streams: the multi-node mode. The log has N partitions, each a stream
 * `${prefix}log:${p}`; a tenant lives in partition `partitionOf(tenant, N)`, so its records keep
 * one order. A record is one stream entry (fields `t`: tenant, `e`: JSON array of events) at the
 * position `<p>:<entry id>`, and field `a` its `appendedAt` by the appending node's clock (Redis's
 * own clock, the id's ms part, stands in for entries written without it).
 *
 * Append is one Lua script (atomic in Redis): it looks up `${prefix}dedup:${tenant}:${id}` for
 * each event, drops the ones present and the repeats within the batch, XADDs the rest as one
 * entry and only then sets their dedupe keys (PX `dedupTtlMs`). If the XADD fails the script
 * stops before any SET: a batch is appended with its dedupe keys, or nothing is written. The
 * script touches keys it does not declare, so the log needs a standalone Redis (not Cluster).
 *
 * Unavailability: the append connection never waits for Redis. While it is reconnecting an append
 * fails at once, a command sent on a connection that breaks fails at the next failed reconnect,
 * and any command fails after `commandTimeoutMs`; all as `LogUnavailableError`. A timed-out append
 * may still have been applied: retrying it is safe, the dedupe keys make it a no-op.
 *
 * Readers use a connection each (XREAD BLOCK ties up its connection), which reconnects by itself
 * and resends the read from the same cursor, so a reader outlives a Redis outage and neither
 * loses nor repeats a record.
 */
import { Redis, type ClientContext, type Result } from 'ioredis';
import { Observable, asyncScheduler, firstValueFrom, timer, type SchedulerLike, type Subscriber } from 'rxjs';
import type { HubEvent } from '../events/index.js';
import { InvalidPositionError, formatStreamCursor, formatStreamPosition, parseStreamCursor } from './position.js';
import { DEFAULT_MAX_READ_BATCH, nextReadBatch, readBatchLimit } from './read-batch.js';
import { LogUnavailableError, checkTenant, systemClock, type AppendResult, type EventLog, type LogClock, type LogRecord } from './types.js';

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    /** See APPEND_SCRIPT: `numberOfKeys`, the keys, then the arguments. */
    phLogAppend(...args: (string | number)[]): Result<[entryId: string, ...acceptedIndexes: number[]], Context>;
  }
}

export interface RedisLogOptions {
  url: string;
  /** Prefix of every key the log writes. Default "ph:". */
  prefix?: string;
  /** Number of partitions (streams); fixed for the life of the data. Default 4. */
  partitions?: number;
  /** How long an accepted id is remembered (ms); must exceed the lateness bound. Default 24 h. */
  dedupTtlMs?: number;
  /** An append, trim or ping not answered within this fails (ms). Default 2000. */
  commandTimeoutMs?: number;
  /** Entries per partition per read while the reader keeps up. Default 100. */
  readBatch?: number;
  /**
   * Most entries per partition per read while the reader is behind: a read that fills a
   * partition's batch doubles the next one, up to this (or fewer, when entries are so large that
   * a read would bring more than 32 MB); one that does not goes back to `readBatch`. Default
   * 12,500 (see ./read-batch.ts).
   */
  maxReadBatch?: number;
  /** How long one XREAD waits for new entries (ms). Default 5000. */
  blockMs?: number;
  /** Runs the readers' retry timers; a virtual scheduler in tests. Default: asyncScheduler. */
  scheduler?: SchedulerLike;
  /** The clock of `appendedAt`. Default: the system clock. */
  clock?: LogClock | undefined;
}

export const DEFAULT_PARTITIONS = 4;
const DAY_MS = 24 * 3600_000;
const MAX_PARTITIONS = 1024;
const MAX_RETRY_MS = 2000;

/**
 * KEYS[1] stream; KEYS[2 .. n+1] the dedupe key of each event; ARGV[1] dedupe TTL (ms);
 * ARGV[2] tenant; ARGV[3] append time (epoch ms); ARGV[4 .. n+3] event JSON. Returns the entry id (or, when every event was a
 * duplicate, the stream's last id) followed by the 1-based indexes of the accepted events.
 * When the XADD fails the dedupe keys set by this call are deleted before the error is returned:
 * Redis runs the script atomically, so no one ever sees them.
 */
const APPEND_SCRIPT = `
local ttl = ARGV[1]
local n = #KEYS - 1
local kept, keptKeys, accepted = {}, {}, {}
for i = 1, n do
  local key = KEYS[i + 1]
  if redis.call('SET', key, '1', 'NX', 'PX', ttl) then
    keptKeys[#keptKeys + 1] = key
    kept[#kept + 1] = ARGV[i + 3]
    accepted[#accepted + 1] = i
  end
end
if #kept == 0 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if last[1] then return { last[1][1] } end
  return { '0-0' }
end
local added = redis.pcall('XADD', KEYS[1], '*', 't', ARGV[2], 'a', ARGV[3], 'e', '[' .. table.concat(kept, ',') .. ']')
if type(added) == 'table' and added.err then
  for i = 1, #keptKeys do redis.call('DEL', keptKeys[i]) end
  return added
end
local result = { added }
for i = 1, #accepted do result[i + 1] = accepted[i] end
return result
`;

/** Server replies that mean "not now" rather than "wrong": loading, failover, busy script, full. */
const TRANSIENT_REPLIES = ['LOADING', 'READONLY', 'MASTERDOWN', 'BUSY', 'TRYAGAIN', 'CLUSTERDOWN', 'OOM'];

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

function isTransient(err: unknown): boolean {
  return !isReplyError(err) || TRANSIENT_REPLIES.some((code) => err.message.startsWith(code));
}

function translate(err: unknown): unknown {
  if (!isTransient(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new LogUnavailableError(`event log unavailable: ${message}`, { cause: err });
}

/** The partition of a tenant: FNV-1a (32 bit) of its UTF-8 bytes, modulo the partition count. */
export function partitionOf(tenant: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(tenant, 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][];

export class RedisEventLog implements EventLog {
  readonly kind = 'redis' as const;
  readonly partitions: number;
  readonly #url: string;
  readonly #prefix: string;
  readonly #dedupTtlMs: number;
  readonly #readBatch: number;
  readonly #maxReadBatch: number;
  readonly #blockMs: number;
  readonly #scheduler: SchedulerLike;
  readonly #clock: LogClock;
  readonly #keys: string[];
  readonly #partitionByKey: Map<string, number>;
  readonly #writer: Redis;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #readers = new Set<Subscriber<LogRecord>>();
  #closed = false;

  constructor(options: RedisLogOptions) {
    this.#url = options.url;
    this.#prefix = options.prefix ?? 'ph:';
    this.partitions = checkInteger('partitions', options.partitions ?? DEFAULT_PARTITIONS, 1, MAX_PARTITIONS);
    this.#dedupTtlMs = checkInteger('dedupTtlMs', options.dedupTtlMs ?? DAY_MS, 1, Number.MAX_SAFE_INTEGER);
    this.#readBatch = checkInteger('readBatch', options.readBatch ?? 100, 1, 100_000);
    this.#maxReadBatch = checkInteger('maxReadBatch', options.maxReadBatch ?? Math.max(DEFAULT_MAX_READ_BATCH, this.#readBatch), this.#readBatch, 100_000);
    this.#blockMs = checkInteger('blockMs', options.blockMs ?? 5000, 1, 3600_000);
    const commandTimeoutMs = checkInteger('commandTimeoutMs', options.commandTimeoutMs ?? 2000, 1, 3600_000);
    this.#scheduler = options.scheduler ?? asyncScheduler;
    this.#clock = options.clock ?? systemClock;
    this.#keys = Array.from({ length: this.partitions }, (_, p) => `${this.#prefix}log:${p}`);
    this.#partitionByKey = new Map(this.#keys.map((key, p) => [key, p]));
    this.#writer = new Redis(this.#url, {
      // A command waits for the connection being made, but fails at the first failed attempt.
      maxRetriesPerRequest: 0,
      commandTimeout: commandTimeoutMs,
      connectTimeout: commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      // Appends issued in the same tick go to Redis in one write.
      enableAutoPipelining: true,
    });
    // Outages are reported to callers as LogUnavailableError; the event only needs a listener.
    this.#writer.on('error', () => undefined);
    // No fixed numberOfKeys: each call passes one dedupe key per event.
    this.#writer.defineCommand('phLogAppend', { lua: APPEND_SCRIPT });
  }

  async append(tenant: string, events: readonly HubEvent[]): Promise<AppendResult> {
    checkTenant(tenant);
    const partition = partitionOf(tenant, this.partitions);
    const dedupPrefix = this.#dedupPrefix(tenant);
    const args: (string | number)[] = [events.length + 1, this.#keys[partition] as string];
    for (const event of events) args.push(dedupPrefix + event.id);
    args.push(this.#dedupTtlMs, tenant, this.#clock.now());
    for (const event of events) args.push(JSON.stringify(event));
    const [entryId, ...accepted] = await this.#send(() => this.#writer.phLogAppend(...args));
    const acceptedIds = accepted.map((index) => (events[index - 1] as HubEvent).id);
    return {
      position: formatStreamPosition(partition, entryId),
      accepted: acceptedIds.length,
      duplicates: events.length - acceptedIds.length,
      acceptedIds,
    };
  }

  read(from?: string): Observable<LogRecord> {
    const start = this.#startIds(from);
    return new Observable<LogRecord>((subscriber) => {
      if (this.#closed) {
        subscriber.complete();
        return undefined;
      }
      const connection = new Redis(this.#url, {
        // Wait through outages: commands queue until the connection is back, then run.
        maxRetriesPerRequest: null,
        // Bounds a read on a connection that died silently (no RST): BLOCK time plus a grace.
        blockingTimeout: this.#blockMs,
        retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RETRY_MS),
      });
      connection.on('error', () => undefined);
      let stopped = false;
      this.#readers.add(subscriber);
      void this.#follow(connection, [...start], subscriber, () => stopped);
      return () => {
        stopped = true;
        this.#readers.delete(subscriber);
        connection.disconnect();
      };
    });
  }

  async head(): Promise<string> {
    const pipeline = this.#writer.pipeline();
    for (const key of this.#keys) pipeline.xrevrange(key, '+', '-', 'COUNT', 1);
    const results = await this.#send(() => pipeline.exec());
    const ids = new Map<number, string>();
    for (const [partition, [err, entries]] of (results ?? []).entries()) {
      if (err) throw translate(err);
      const [last] = entries as [id: string, fields: string[]][];
      ids.set(partition, last?.[0] ?? '0-0');
    }
    return formatStreamCursor(ids);
  }

  async trim(before: string): Promise<void> {
    const ids = this.#cursorIds(before);
    const pipeline = this.#writer.pipeline();
    ids.forEach((id, partition) => pipeline.xtrim(this.#keys[partition] as string, 'MINID', id));
    const results = await this.#send(() => pipeline.exec());
    for (const [err] of results ?? []) if (err) throw translate(err);
  }

  async ping(): Promise<void> {
    try {
      await this.#send(() => this.#writer.ping());
    } catch (err) {
      if (err instanceof LogUnavailableError) throw err;
      throw new LogUnavailableError(`event log unavailable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#inFlight);
    for (const reader of [...this.#readers]) reader.complete();
    if (this.#writer.status === 'ready') await this.#writer.quit();
    else this.#writer.disconnect();
  }

  /** Sends a command on the append connection, failing fast when Redis is known to be away. */
  async #send<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new LogUnavailableError('event log is closed');
    const status = this.#writer.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      throw new LogUnavailableError(`event log unavailable: Redis connection is ${status}`);
    }
    const pending = command();
    this.#inFlight.add(pending);
    try {
      return await pending;
    } catch (err) {
      throw translate(err);
    } finally {
      this.#inFlight.delete(pending);
    }
  }

  /** Keeps reading from `ids` until stopped; the ids move forward as records are delivered. */
  async #follow(connection: Redis, ids: string[], subscriber: Subscriber<LogRecord>, stopped: () => boolean): Promise<void> {
    let failures = 0;
    let count = this.#readBatch;
    while (!stopped()) {
      let reply: StreamReply | null;
      try {
        reply = (await connection.xread('COUNT', count, 'BLOCK', this.#blockMs, 'STREAMS', ...this.#keys, ...ids)) as StreamReply | null;
        failures = 0;
      } catch (err) {
        if (stopped()) return;
        if (!isTransient(err)) {
          subscriber.error(err);
          return;
        }
        failures += 1;
        await firstValueFrom(timer(Math.min(100 * 2 ** (failures - 1), MAX_RETRY_MS), this.#scheduler));
        continue;
      }
      const delivered = this.#deliver(reply, count, ids, subscriber, stopped);
      // The engine applies what was delivered while this function waits for the next read: a
      // reply still held here kept every record of it alive (and copied by the collector) until
      // that read came back.
      reply = null;
      if (delivered === null) return;
      // The next read's size: bigger while behind (a partition filled its batch), by the entries' size.
      const most = readBatchLimit(this.#readBatch, this.#maxReadBatch, delivered.read > 0 ? delivered.bytes / delivered.read : 0, this.partitions);
      count = nextReadBatch(count, delivered.behind, this.#readBatch, most);
    }
  }

  /**
   * Hands a reply's records to the subscriber, moving `ids` forward; `behind` when a partition
   * filled the read's `count`. Null when it stopped (or erred on a corrupt entry). A function of
   * its own, so that no suspended frame of `#follow` holds the reply's entries while they are
   * applied.
   */
  #deliver(
    reply: StreamReply | null,
    count: number,
    ids: string[],
    subscriber: Subscriber<LogRecord>,
    stopped: () => boolean,
  ): { read: number; bytes: number; behind: boolean } | null {
    let read = 0;
    let bytes = 0;
    let behind = false;
    for (const [key, entries] of reply ?? []) {
      const partition = this.#partitionByKey.get(key) as number;
      if (entries.length >= count) behind = true;
      for (const [id, fields] of entries) {
        if (stopped()) return null;
        let record: LogRecord;
        try {
          record = toRecord(partition, id, fields);
        } catch (err) {
          subscriber.error(err);
          return null;
        }
        read += 1;
        for (const field of fields) bytes += field.length;
        ids[partition] = id;
        subscriber.next(record);
      }
    }
    return { read, bytes, behind };
  }

  #dedupPrefix(tenant: string): string {
    // Encoded so that a ':' in a tenant id cannot make two (tenant, id) pairs share a key.
    return `${this.#prefix}dedup:${encodeURIComponent(tenant)}:`;
  }

  /** Stream ids per partition to read after; "0-0" reads a partition from its start. */
  #startIds(from: string | undefined): string[] {
    const ids = Array.from({ length: this.partitions }, () => '0-0');
    if (from !== undefined) this.#cursorIds(from).forEach((id, partition) => (ids[partition] = id));
    return ids;
  }

  #cursorIds(cursor: string): Map<number, string> {
    const ids = parseStreamCursor(cursor);
    for (const partition of ids.keys()) {
      if (partition >= this.partitions) {
        throw new InvalidPositionError(`cursor ${JSON.stringify(cursor)} names partition ${partition}, but the log has ${this.partitions}`);
      }
    }
    return ids;
  }
}

function toRecord(partition: number, id: string, fields: readonly string[]): LogRecord {
  const position = formatStreamPosition(partition, id);
  let tenant: string | undefined;
  let json: string | undefined;
  let appendedAt = Number(id.slice(0, id.indexOf('-')));
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 't') tenant = fields[i + 1];
    else if (fields[i] === 'e') json = fields[i + 1];
    else if (fields[i] === 'a') appendedAt = Number(fields[i + 1]);
  }
  if (tenant === undefined || json === undefined || !Number.isFinite(appendedAt)) throw corruptEntry(position);
  return new StreamRecord(position, tenant, json, appendedAt);
}

function corruptEntry(position: string): Error {
  return new Error(`corrupt log entry at ${position}: expected fields t (tenant), a (append time, epoch ms) and e (JSON array of events)`);
}

/**
 * A record whose events are parsed when read, each time (read them once). A read while behind
 * brings thousands of records; the engine applies them tenant by tenant, reading a run of a
 * tenant's records (a few hundred) just before applying them, so they are parsed then: garbage
 * soon after, instead of a whole read's events outliving young-generation collections. An entry
 * whose events are not a JSON array throws when they are read.
 */
class StreamRecord implements LogRecord {
  readonly #json: string;

  constructor(
    readonly position: string,
    readonly tenant: string,
    json: string,
    readonly appendedAt: number,
  ) {
    this.#json = json;
  }

  get events(): HubEvent[] {
    let events: unknown;
    try {
      events = JSON.parse(this.#json);
    } catch {
      events = undefined;
    }
    if (!Array.isArray(events)) throw corruptEntry(this.position);
    return events as HubEvent[];
  }
}
