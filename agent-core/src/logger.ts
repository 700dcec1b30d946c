import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Paths whose values never reach a log line. */
const REDACT = ['secret', '*.secret', 'auth.secret', 'spec.env', '*.spec.env', 'spec.values', '*.spec.values', 'spec.credentials', '*.spec.credentials', 'password', '*.password'];

/** The agent's structured logger: one JSON line per event, secrets redacted. */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...base }, redact: { paths: REDACT, censor: '[redacted]' } });
}
