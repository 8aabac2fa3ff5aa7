import { startOfLocalDay, startOfNextLocalDay } from './local-day.js';

export interface FrameDay {
  timezone: string;
  pending: string | null;
  todayStartMs: number;
  tomorrowStartMs: number;
}

export const WINDOW_15M_SEC = 900;
export const WINDOW_60M_SEC = 3600;

/**
 * The window boundaries of one tenant at its current time, shared by all of its counter series.
 * Rolling windows have one-second resolution: a contribution at t lies in second floor(t/1000),
 * and the 15m window holds the seconds from floor(now/1000) - 899 on.
 */
export class WindowFrame {
  now: number;
  /** Bumped whenever a boundary moves, so series know to catch up lazily. */
  generation = 0;
  start15 = 0;
  start60 = 0;
  todayStartMs = 0;
  todaySec = 0;
  private tomorrowStartMs = 0;
  /** A timezone that takes over at the next local midnight (tomorrowStartMs). */
  private pendingTimezone: string | null = null;

  constructor(
    public timezone: string,
    now: number,
  ) {
    this.now = now;
    this.setBoundaries(now);
    this.resetDay(now);
  }

  /** The day's state (zone, pending zone, day bounds), for a checkpoint. */
  saveDay(): FrameDay {
    return { timezone: this.timezone, pending: this.pendingTimezone, todayStartMs: this.todayStartMs, tomorrowStartMs: this.tomorrowStartMs };
  }

  restoreDay(d: FrameDay): void {
    this.timezone = d.timezone;
    this.pendingTimezone = d.pending;
    this.todayStartMs = d.todayStartMs;
    this.todaySec = Math.ceil(d.todayStartMs / 1000);
    this.tomorrowStartMs = d.tomorrowStartMs;
    this.generation++;
  }

  /** Moves time forward (never back). */
  advance(now: number): void {
    if (now <= this.now) return;
    const oldSec = Math.floor(this.now / 1000);
    this.now = now;
    if (Math.floor(now / 1000) === oldSec) return;
    this.setBoundaries(now);
    if (now >= this.tomorrowStartMs) this.resetDay(now);
    this.generation++;
  }

  /**
   * Changes the tenant timezone from the next midnight of the new zone: until then `today` keeps
   * counting from the midnight it started at (the engine no longer holds the detail needed to
   * recount a day that began hours ago in another zone), then starts afresh in the new zone.
   */
  setTimezone(timezone: string): void {
    if (timezone === (this.pendingTimezone ?? this.timezone)) return;
    this.pendingTimezone = timezone === this.timezone ? null : timezone;
    this.tomorrowStartMs = startOfNextLocalDay(startOfLocalDay(this.now, timezone), timezone);
  }

  private setBoundaries(now: number): void {
    const sec = Math.floor(now / 1000);
    this.start15 = sec - (WINDOW_15M_SEC - 1);
    this.start60 = sec - (WINDOW_60M_SEC - 1);
  }

  private resetDay(now: number): void {
    if (this.pendingTimezone !== null) {
      this.timezone = this.pendingTimezone;
      this.pendingTimezone = null;
    }
    this.todayStartMs = startOfLocalDay(now, this.timezone);
    this.todaySec = Math.ceil(this.todayStartMs / 1000);
    this.tomorrowStartMs = startOfNextLocalDay(this.todayStartMs, this.timezone);
  }
}
