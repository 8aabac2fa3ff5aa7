/**
 * The node's reading of the event log: from the start up to the head it found at start-up as a
 * REPLAY (each batch applied at its record's append time, so a restart places every event as the
 * live run did), then on as the live tail (applied at the engine's now).
 */
import { map, tap, type Observable } from 'rxjs';
import type { EventBatch } from '../engine/index.js';
import { advanceCursor, cursorReached, type EventLog, type LogRecord } from '../log/index.js';

export interface ReplayStats {
  records: number;
  events: number;
}

export interface FollowedLog {
  /** Every record of the log after `from` as an engine batch; subscribe once (through `LiveEngine.run`). */
  batches$: Observable<EventBatch>;
  /** The cursor after the last record passed on (what a checkpoint of the engine includes). */
  cursor(): string | undefined;
  /** Resolves once every record up to the head has been applied (see `EventBatch.applied`); rejects if the read fails first. */
  replayed: Promise<ReplayStats>;
}

export interface FollowOptions {
  log: Pick<EventLog, 'read'>;
  /** `log.head()` at start-up: where replay ends. */
  head: string;
  /** Where to start (exclusive): a checkpoint's cursor; default the start of the log. */
  from?: string;
  /** Told of each record once the engine has applied it, whether it was replayed, and its number of events. */
  onRecord?: (record: LogRecord, replayed: boolean, events: number) => void;
}

export function followLog({ log, head, from, onRecord }: FollowOptions): FollowedLog {
  let cursor: string | undefined = from;
  let replaying = !cursorReached(from, head);
  const stats: ReplayStats = { records: 0, events: 0 };
  let settle!: { resolve: (stats: ReplayStats) => void; reject: (err: unknown) => void };
  const replayed = new Promise<ReplayStats>((resolve, reject) => (settle = { resolve, reject }));
  if (!replaying) settle.resolve(stats);

  const batches$ = log.read(from).pipe(
    map((record): EventBatch => {
      // Per partition: a record at or before the head was appended before this node started.
      const old = replaying && cursorReached(head, record.position);
      cursor = advanceCursor(cursor, record.position);
      // The replay is over once the last record up to the head has been applied.
      const last = replaying && cursorReached(cursor, head);
      if (last) replaying = false;
      // The events are read (and, from Redis, parsed) once, when the engine applies the batch.
      const batch: EventBatch = {
        tenant: record.tenant,
        position: record.position,
        get events() {
          return record.events;
        },
        applied: (events) => {
          if (old) {
            stats.records += 1;
            stats.events += events;
          }
          onRecord?.(record, old, events);
          if (last) settle.resolve(stats);
        },
      };
      if (old) batch.at = record.appendedAt;
      return batch;
    }),
    tap({
      error: (err: unknown) => settle.reject(err),
      complete: () => {
        if (replaying) settle.reject(new Error('the event log closed before the replay reached its head'));
      },
    }),
  );
  return { batches$, replayed, cursor: () => cursor };
}
