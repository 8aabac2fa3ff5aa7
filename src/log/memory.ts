/**
 * The event log in memory, for unit tests: the same contract as the durable logs, with sequence
 * positions "1", "2", … (one per record). Dedupe remembers every (tenant, id) for the life of
 * the log, trimmed records included.
 */
import { Observable, Subject } from 'rxjs';
import type { HubEvent } from '../events/index.js';
import { checkSequencePosition } from './position.js';
import { LogUnavailableError, checkTenant, systemClock, type AppendResult, type EventLog, type LogClock, type LogRecord } from './types.js';

export interface MemoryLogOptions {
  /** The clock of `appendedAt`. Default: the system clock. */
  clock?: LogClock;
}

export class MemoryEventLog implements EventLog {
  readonly kind = 'memory' as const;
  readonly #records: LogRecord[] = [];
  readonly #ids = new Map<string, Set<string>>();
  readonly #appended = new Subject<LogRecord>();
  readonly #clock: LogClock;
  #last = 0;
  #closed = false;

  constructor(options: MemoryLogOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async append(tenant: string, events: readonly HubEvent[]): Promise<AppendResult> {
    checkTenant(tenant);
    this.#checkOpen();
    let ids = this.#ids.get(tenant);
    if (ids === undefined) {
      ids = new Set();
      this.#ids.set(tenant, ids);
    }
    const kept: HubEvent[] = [];
    for (const event of events) {
      if (ids.has(event.id)) continue;
      ids.add(event.id);
      kept.push(event);
    }
    const duplicates = events.length - kept.length;
    if (kept.length === 0) return { position: String(this.#last), accepted: 0, duplicates, acceptedIds: [] };
    this.#last += 1;
    const record: LogRecord = { position: String(this.#last), tenant, events: kept, appendedAt: this.#clock.now() };
    this.#records.push(record);
    this.#appended.next(record);
    return { position: record.position, accepted: kept.length, duplicates, acceptedIds: kept.map((e) => e.id) };
  }

  read(from?: string): Observable<LogRecord> {
    const after = from === undefined ? 0 : Number(checkSequencePosition(from));
    return new Observable<LogRecord>((subscriber) => {
      let last = after;
      const deliver = (record: LogRecord): void => {
        const position = Number(record.position);
        if (position <= last) return;
        last = position;
        subscriber.next(record);
      };
      // Indexed loop: a subscriber that appends while catching up sees its own record here.
      for (let i = 0; i < this.#records.length && !subscriber.closed; i++) deliver(this.#records[i] as LogRecord);
      if (this.#closed) {
        subscriber.complete();
        return undefined;
      }
      return this.#appended.subscribe({ next: deliver, complete: () => subscriber.complete() });
    });
  }

  async head(): Promise<string> {
    this.#checkOpen();
    return String(this.#last);
  }

  async trim(before: string): Promise<void> {
    const bound = Number(checkSequencePosition(before));
    const keepFrom = this.#records.findIndex((r) => Number(r.position) >= bound);
    this.#records.splice(0, keepFrom === -1 ? this.#records.length : keepFrom);
  }

  async ping(): Promise<void> {
    this.#checkOpen();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#appended.complete();
  }

  #checkOpen(): void {
    if (this.#closed) throw new LogUnavailableError('event log is closed');
  }
}
