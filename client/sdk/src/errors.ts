/** Errors the SDK hands to its user: always with a code, the server's when the server gave one. */
import type { ErrorBody } from './protocol.js';

/**
 * Codes the SDK adds to the server's (`unauthorized`, `forbidden`, `invalid_query`, …):
 * `network` (the hub could not be reached), `token_expired` (the socket's token ran out and no
 * `getToken` could replace it), `token_refresh_failed` (`getToken` threw), `bad_response` (the hub
 * answered something that is not the protocol), `closed` (the client was closed).
 */
export class PulseError extends Error {
  readonly code: string;
  /** The HTTP status for REST errors. */
  readonly status: number | undefined;
  readonly details: unknown;

  constructor(code: string, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PulseError';
    this.code = code;
    this.status = options.status;
    this.details = options.details;
  }

  static fromBody(body: ErrorBody, status?: number): PulseError {
    return new PulseError(body.code, body.message, { ...(status === undefined ? {} : { status }), details: body.details });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The `{ code, message }` of an error body, or undefined when `value` is not one. */
export function errorBodyOf(value: unknown): ErrorBody | undefined {
  if (!isRecord(value) || typeof value.code !== 'string' || typeof value.message !== 'string') return undefined;
  return { code: value.code, message: value.message, ...(value.details === undefined ? {} : { details: value.details }) };
}
