/**
 * A socket's token lifetime (SPEC §1): a warning `leadMs` before `exp`, then the end at `exp`.
 * Rescheduled by each accepted refresh.
 */
import type { HubClock } from './clock.js';

export interface TokenLifetimeHandlers {
  /** The token expires soon: ask the client for a new one. */
  expiring(exp: number): void;
  /** The token has expired without a refresh. */
  expired(): void;
}

export class TokenLifetime {
  private cancels: (() => void)[] = [];

  constructor(
    private readonly clock: HubClock,
    private readonly leadMs: number,
    private readonly handlers: TokenLifetimeHandlers,
  ) {}

  /** Plans the warning and the end for a token expiring at `exp` (epoch seconds), replacing any plan. */
  schedule(exp: number): void {
    this.cancel();
    const untilExp = exp * 1000 - this.clock.now();
    this.cancels = [
      this.clock.setTimer(untilExp - this.leadMs, () => this.handlers.expiring(exp)),
      this.clock.setTimer(untilExp, () => this.handlers.expired()),
    ];
  }

  cancel(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels = [];
  }
}
