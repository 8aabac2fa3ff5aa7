/**
 * Append times for update frames: each view's first update after live records were applied
 * carries the append time of the oldest of them, so the live hub can observe
 * `ph_update_latency_seconds` (append → frame) when it delivers the frame.
 */
import type { ViewUpdate } from '../engine/index.js';
import type { HubUpdate } from '../hub/index.js';
import type { LogRecord } from '../log/index.js';

/**
 * A tenant nobody watches emits no updates; when someone subscribes later, the records applied
 * meanwhile are not what that update's latency is about. Older than this, they are not reported.
 */
const STALE_MS = 10_000;

interface Carried {
  at: number;
  /** Views that have had an update carrying `at`. */
  views: Set<string>;
}

export class AppendTimes {
  readonly #clock: { now(): number };
  /** Per tenant, the oldest append time applied since its last update. */
  readonly #waiting = new Map<string, number>();
  readonly #carried = new Map<string, Carried>();

  constructor(clock: { now(): number }) {
    this.#clock = clock;
  }

  /** A live (not replayed) record reached the engine. */
  applied(record: LogRecord): void {
    if (!this.#waiting.has(record.tenant)) this.#waiting.set(record.tenant, record.appendedAt);
  }

  stamp(update: ViewUpdate): HubUpdate {
    const waiting = this.#waiting.get(update.tenant);
    if (waiting !== undefined) {
      this.#waiting.delete(update.tenant);
      this.#carried.set(update.tenant, { at: waiting, views: new Set() });
    }
    const carried = this.#carried.get(update.tenant);
    if (carried === undefined || carried.views.has(update.view) || this.#clock.now() - carried.at > STALE_MS) return update;
    carried.views.add(update.view);
    return { ...update, appendedAt: carried.at };
  }
}
