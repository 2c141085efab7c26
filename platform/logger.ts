/**
 * Structured logging (pino, JSON lines on stdout).
 *
 * Secrets never reach a log line: the redaction paths below cover tokens,
 * keys and authorization headers wherever they appear in a logged object.
 * Per-message logging on hot paths belongs at `debug` or below.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values are replaced by "[redacted]" in every log line. */
export const REDACT_PATHS = [
  'token', '*.token', 'jwt', '*.jwt', 'secret', '*.secret', 'password', '*.password',
  'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'jwtSecret', '*.jwtSecret', 'config.jwtSecret', 'stripeSecretKey', '*.stripeSecretKey', 'webhookSecret', '*.webhookSecret',
  'aiApiKey', '*.aiApiKey', 'mongoUri', '*.mongoUri', 'redisUrl', '*.redisUrl',
  'stripeWebhookSecret', '*.stripeWebhookSecret', 'discordWebhookUrl', '*.discordWebhookUrl',
  'clientSecret', '*.clientSecret', '*.*.clientSecret',
];

export interface LoggerOptions {
  /** @default 'info' */
  level?: string;
  /** Component name, e.g. 'gateway' or 'worker'. */
  name: string;
  /** Node id, put on every line. */
  node?: string;
  /** Where to write; @default stdout */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: options.node ? { node: options.node } : {},
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
}
