/** Small interfaces the store's services share with their callers. */

/** Time, injected: epoch ms. */
export interface Clock {
  now(): number;
}

/** What the store logs through (a pino logger fits). */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
