/** The hub's structured log (pino, JSON lines on stdout), one per node. */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

export interface LoggerOptions {
  level: Config['logLevel'];
  nodeId: string;
  /** Where the lines go; stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    base: { node: options.nodeId },
    // A token must never reach a log line, whatever object is logged.
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
