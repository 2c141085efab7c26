/**
 * The common start of every switchyard process (gateway, worker): read and
 * validate the configuration of the sections it is given — every section,
 * composition/index.ts — (exit 2 naming the bad variable), build the
 * logger, warn about unknown SY_* variables, then let the caller add its
 * services to a Supervisor and run them.
 */
import { ConfigError, loadConfig, type Config, type ConfigSection } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { EXIT_CODES, Supervisor } from './lifecycle.js';
import { startTracing, stopTracing } from './tracing.js';

export interface ProcessContext {
  config: Config;
  logger: Logger;
  supervisor: Supervisor;
}

export async function startProcess(name: string, sections: readonly ConfigSection[], build: (ctx: ProcessContext) => Promise<void> | void): Promise<void> {
  let config: Config;
  let warnings: string[];
  try {
    ({ config, warnings } = loadConfig(process.env, sections));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(EXIT_CODES.configInvalid);
    }
    throw err;
  }
  const logger = createLogger({ name, level: config.logLevel, node: config.nodeId });
  for (const warning of warnings) logger.warn(warning);
  const supervisor = new Supervisor(logger, { graceMs: config.drainGraceMs });
  // Off unless OTEL_* asks for it; added first, so stopped last: spans of the drain are exported too.
  const otlp = await startTracing(`switchyard-${name}`);
  if (otlp) {
    logger.info({ otlp }, 'tracing on: spans exported over OTLP/HTTP');
    supervisor.add({ name: 'tracing', start: async () => {}, stop: stopTracing });
  }
  try {
    await build({ config, logger, supervisor });
  } catch (err) {
    logger.fatal({ err }, `${name} cannot start: ${(err as Error).message}`);
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    process.exit(EXIT_CODES.startFailed);
  }
  await supervisor.run();
}

/**
 * Logs the one line process managers and tests wait for ("<name> ready"),
 * whatever SY_LOG_LEVEL says (unless it is "silent").
 */
export function announceReady(logger: Logger, message: string, fields: Record<string, unknown>): void {
  if (logger.level === 'silent') return;
  logger.child({}, { level: 'info' }).info(fields, message);
}
