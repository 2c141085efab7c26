/**
 * The process supervisor: one place that owns start order, signal handling,
 * drain and stop order, and the exit code.
 *
 * Services start in the order added and stop in reverse. SIGTERM or SIGINT
 * starts a graceful stop: each service's `stop()` drains its own work; the
 * whole stop must finish within the grace period or the process exits with
 * EXIT_CODES.drainTimeout. A second signal exits at once.
 */
import type { Logger } from './logger.js';

export interface Service {
  readonly name: string;
  /** Resolves when the service is ready to do its work. */
  start(): Promise<void>;
  /** Drains in-flight work and releases resources. Called once, only after start() resolved. */
  stop(): Promise<void>;
}

export const EXIT_CODES = {
  ok: 0,
  startFailed: 1,
  configInvalid: 2,
  drainTimeout: 3,
  /** A second signal arrived during the graceful stop. */
  interrupted: 130,
} as const;

export interface SupervisorOptions {
  /** How long a graceful stop may take before the process exits anyway. @default 10000 */
  graceMs?: number;
  /** @default process.exit */
  exit?: (code: number) => void;
  /** Signals that start a graceful stop. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
}

export class Supervisor {
  private readonly services: Service[] = [];
  private readonly started: Service[] = [];
  private stopping: Promise<void> | undefined;
  private readonly graceMs: number;
  private readonly exit: (code: number) => void;
  private readonly signals: NodeJS.Signals[];

  constructor(private readonly logger: Logger, options: SupervisorOptions = {}) {
    this.graceMs = options.graceMs ?? 10_000;
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  }

  add(service: Service): this {
    this.services.push(service);
    return this;
  }

  /** Starts every service in order and installs the signal handlers. On a start failure, stops what started and exits 1. */
  async run(): Promise<void> {
    for (const signal of this.signals) {
      process.on(signal, () => {
        if (this.stopping) {
          this.logger.warn({ signal }, 'second signal during shutdown: exiting now');
          this.exit(EXIT_CODES.interrupted);
          return;
        }
        this.logger.info({ signal }, 'shutting down');
        void this.shutdown(EXIT_CODES.ok);
      });
    }
    for (const service of this.services) {
      if (this.stopping) return;
      try {
        await service.start();
        this.started.push(service);
        this.logger.debug({ service: service.name }, 'started');
      } catch (err) {
        this.logger.error({ err, service: service.name }, 'start failed');
        await this.shutdown(EXIT_CODES.startFailed);
        return;
      }
    }
  }

  /** Stops started services in reverse order within the grace period, then exits with `code`. */
  shutdown(code: number): Promise<void> {
    this.stopping ??= this.stopAll().then(
      (timedOut) => this.exit(timedOut ? EXIT_CODES.drainTimeout : code),
      () => this.exit(EXIT_CODES.startFailed),
    );
    return this.stopping;
  }

  private async stopAll(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.graceMs); });
    const stopInOrder = (async () => {
      for (const service of [...this.started].reverse()) {
        try {
          await service.stop();
          this.logger.debug({ service: service.name }, 'stopped');
        } catch (err) {
          this.logger.error({ err, service: service.name }, 'stop failed');
        }
      }
    })();
    const outcome = await Promise.race([stopInOrder.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error({ graceMs: this.graceMs }, 'graceful stop exceeded the grace period');
    return outcome === 'timeout';
  }
}
