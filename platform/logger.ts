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

/**
 * A child of `parent` made on first use. Making a pino child runs the
 * redaction over its bindings, which costs more than most commands' whole
 * handler; a log per command (actors/runtime/commandProcessor.ts) is made
 * this way, so a command that writes no line pays nothing. `level` and
 * `isLevelEnabled` answer from the parent without making the child.
 */
export function lazyChild(parent: Logger, bindings: () => Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = (): Logger => (child ??= parent.child(bindings()));
  return new Proxy(parent, {
    get(_target, property) {
      if (child === undefined && (property === 'level' || property === 'isLevelEnabled')) {
        const value = Reflect.get(parent, property, parent) as unknown;
        return typeof value === 'function' ? value.bind(parent) : value;
      }
      const target = made();
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
