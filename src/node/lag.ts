/**
 * `ph_log_lag_events` for one node: events this node appended that its engine has not applied
 * yet. (Appends of other nodes are not seen here: each node reports its own share.) Also lets a
 * caller wait until what was accepted so far is applied, for read-your-writes in tests and tools.
 */
import { advanceCursor, cursorReached, type AppendResult } from '../log/index.js';

/** The gauge it keeps (prom-client's Gauge fits). */
export interface LagGauge {
  inc(value: number): void;
  dec(value: number): void;
}

interface Pending {
  position: string;
  events: number;
}

interface Waiter {
  pending: Set<Pending>;
  resolve(): void;
}

export class AppendLag {
  readonly #gauge: LagGauge;
  readonly #pending = new Set<Pending>();
  readonly #waiters = new Set<Waiter>();
  #cursor: string | undefined;

  constructor(gauge: LagGauge) {
    this.#gauge = gauge;
  }

  appended(result: AppendResult): void {
    // The reader may have delivered the record before the append resolved.
    if (result.accepted === 0 || cursorReached(this.#cursor, result.position)) return;
    this.#pending.add({ position: result.position, events: result.accepted });
    this.#gauge.inc(result.accepted);
  }

  applied(position: string): void {
    this.#cursor = advanceCursor(this.#cursor, position);
    let done = 0;
    for (const entry of this.#pending) {
      if (!cursorReached(this.#cursor, entry.position)) continue;
      done += entry.events;
      this.#pending.delete(entry);
      for (const waiter of this.#waiters) waiter.pending.delete(entry);
    }
    if (done === 0) return;
    this.#gauge.dec(done);
    for (const waiter of this.#waiters) {
      if (waiter.pending.size > 0) continue;
      this.#waiters.delete(waiter);
      // Records are passed on as they are read; the engine applies a read's records together on
      // the next microtask. A macrotask later, they are applied.
      setImmediate(waiter.resolve);
    }
  }

  /** Resolves once every event appended before the call has been applied. */
  settled(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ pending: new Set(this.#pending), resolve }));
  }
}
