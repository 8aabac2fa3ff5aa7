import type { Observable } from 'rxjs';
import type { HubEvent } from '../events/index.js';

/** One appended batch of one tenant, or part of one, at one position of the log. */
export interface LogRecord {
  /** The record's position: see src/log/index.ts for the formats. */
  position: string;
  tenant: string;
  /**
   * The events. The Redis log parses them on each read (read them once, just before use) and
   * throws then if they are corrupt.
   */
  readonly events: HubEvent[];
  /**
   * When the record was appended, epoch ms, by the appending node's clock: what a replay passes
   * to the engine as the batch's time, so a restart places every event as the live run did.
   */
  appendedAt: number;
}

/** The time source of appends (`appendedAt`); the system clock unless a test injects one. */
export interface LogClock {
  now(): number;
}

export const systemClock: LogClock = { now: () => Date.now() };

export interface AppendResult {
  /**
   * The position of the record that holds the accepted events; when every event was a
   * duplicate, the log's current head (a position at or after the originals).
   */
  position: string;
  accepted: number;
  duplicates: number;
  /** Ids of the accepted events, in batch order. */
  acceptedIds: string[];
}

export interface EventLog {
  readonly kind: 'memory' | 'postgres' | 'redis';
  /**
   * Appends the events of one tenant as one atomic record and resolves once it is durable.
   * Events whose (tenant, id) the log has seen before, or that repeat an id earlier in the same
   * batch, are dropped and counted as duplicates. Rejects with `LogUnavailableError` when the
   * store cannot be reached: nothing of the batch was appended then, or, when the outcome is
   * unknown (a timeout), retrying the batch is safe because of the dedupe.
   */
  append(tenant: string, events: readonly HubEvent[]): Promise<AppendResult>;
  /**
   * Every record after the cursor `from` (exclusive; undefined = from the start), in log order,
   * then new records as they are appended, until unsubscribed or the log is closed.
   */
  read(from?: string): Observable<LogRecord>;
  /**
   * The cursor of the newest record (per partition, for Redis), or the cursor before every record
   * when the log is empty: read from the start until this cursor is reached to replay, then keep
   * following to go live.
   */
  head(): Promise<string>;
  /** Drops the records at positions before the cursor `before`, never one at or after it. */
  trim(before: string): Promise<void>;
  /** Resolves when the store answers; rejects with `LogUnavailableError` otherwise (/readyz). */
  ping(): Promise<void>;
  /** Waits for appends in flight, completes the readers and releases connections it owns. */
  close(): Promise<void>;
}

/** The log's store cannot be reached, or the log is closed: retry later (HTTP 503). */
export class LogUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LogUnavailableError';
  }
}

/** A tenant id as `append` accepts it. */
export function checkTenant(tenant: string): void {
  if (typeof tenant !== 'string' || tenant.length === 0) {
    throw new TypeError(`tenant must be a non-empty string, got ${JSON.stringify(tenant)}`);
  }
}
