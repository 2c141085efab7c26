/**
 * A real pino logger (platform/logger.ts, redaction included) whose lines are
 * kept in memory, so tests can assert what was — and what never was — logged.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../platform/index.js';

export interface CapturedLogger {
  logger: Logger;
  /** Everything written so far, one JSON line per entry. */
  text(): string;
  lines(): Array<Record<string, unknown>>;
}

export function captureLogger(level = 'trace'): CapturedLogger {
  let text = '';
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString('utf8'); done(); } });
  const logger = createLogger({ name: 'test', level, destination });
  return {
    logger,
    text: () => text,
    lines: () => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
