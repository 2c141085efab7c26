/**
 * The one pipeline every command goes through, whatever its transport
 * (WebSocket frame, HTTP POST, Socket.IO event): drain check, cluster-wide
 * rate limit, bounded publishes in flight, trace context, JetStream publish.
 * It resolves only after the JetStream ack — the moment the transport may
 * say "accepted" — and rejects with a SwitchyardError the transport turns
 * into `rejected` / an HTTP status / a Socket.IO ack.
 */
import { ERROR_CODES, SwitchyardError, epochMillis, traceIdOf, type CmdFrame } from '../protocol/index.js';
import { gatewayAcceptLatency, reportPublishesInFlight } from '../platform/index.js';
import type { Logger } from '../platform/index.js';
import type { CommandPublisher, PublishedCommand, SystemCommand } from './commandPublisher.js';
import type { RateLimiter } from './rateLimiter.js';
import { newTraceparent } from './traceContext.js';

export type CommandFields = Pick<CmdFrame, 'id' | 'actor' | 'entity' | 'name' | 'data' | 'traceparent'>;

export interface CommandSender {
  user: string;
  /** Where the result goes: `out.s.<session>`. */
  session: string;
  /** Epoch ms (µs decimals) when the command arrived, for the accept latency. */
  receivedAt: number;
}

export class CommandIntake {
  private inFlight = 0;
  private draining = false;
  /** Wakes drain() when the last publish in flight settles. */
  private drained: (() => void) | undefined;

  constructor(
    private readonly publisher: CommandPublisher,
    private readonly rateLimiter: RateLimiter,
    private readonly maxPendingPublishes: number,
    private readonly logger: Logger,
  ) {
    reportPublishesInFlight(() => this.inFlight);
  }

  /** Resolves after the JetStream ack; rejects with DRAINING, RATE_LIMITED or UNAVAILABLE. */
  submit(cmd: CommandFields, sender: CommandSender): Promise<PublishedCommand> {
    if (this.draining) return Promise.reject(new SwitchyardError('DRAINING', ERROR_CODES.DRAINING.message));
    try {
      this.rateLimiter.take(sender.user);
    } catch (err) {
      return Promise.reject(err);
    }
    const refusal = this.capacityRefusal();
    if (refusal) return Promise.reject(refusal);
    const traceparent = cmd.traceparent ?? newTraceparent();
    if (this.logger.isLevelEnabled('debug')) this.logger.debug({ trace: traceIdOf(traceparent), command: cmd.id, actor: cmd.actor, entity: cmd.entity, name: cmd.name }, 'command received');
    const publish = this.publisher.publish(cmd, { user: sender.user, session: sender.session, receivedAt: sender.receivedAt, traceparent });
    return this.track(publish, cmd.id, sender.receivedAt, traceparent);
  }

  /**
   * A system command (a verified webhook event): the same drain and
   * in-flight bounds, its sender's own Nats-Msg-Id, no rate limit (a
   * system sender is not a user). Resolves after the JetStream ack.
   */
  submitSystem(cmd: Omit<SystemCommand, 'traceparent'>): Promise<PublishedCommand> {
    if (this.draining) return Promise.reject(new SwitchyardError('DRAINING', ERROR_CODES.DRAINING.message));
    const refusal = this.capacityRefusal();
    if (refusal) return Promise.reject(refusal);
    const traceparent = newTraceparent();
    return this.track(this.publisher.publishSystem({ ...cmd, traceparent }), cmd.id, cmd.receivedAt, traceparent);
  }

  private capacityRefusal(): SwitchyardError | undefined {
    if (this.inFlight < this.maxPendingPublishes) return undefined;
    return new SwitchyardError('UNAVAILABLE', 'This gateway has too many commands waiting for durability; send the same command again.');
  }

  /**
   * Counts `publish` in flight until it settles (drain waits for it), and
   * measures and logs it: one reaction per publish, no per-command timer or
   * gauge write (the in-flight gauge is read when metrics are scraped).
   */
  private track(publish: Promise<PublishedCommand>, id: string, receivedAt: number, traceparent: string): Promise<PublishedCommand> {
    this.inFlight++;
    publish.then(
      (published) => {
        gatewayAcceptLatency.observe((epochMillis() - receivedAt) / 1000);
        if (this.logger.isLevelEnabled('debug')) this.logger.debug({ trace: traceIdOf(traceparent), command: id, duplicate: published.duplicate }, 'command accepted');
        this.settled();
      },
      (err: unknown) => {
        this.logger.warn({ err, trace: traceIdOf(traceparent), command: id }, 'command publish failed');
        this.settled();
      },
    );
    return publish;
  }

  private settled(): void {
    if (--this.inFlight === 0 && this.drained) {
      this.drained();
      this.drained = undefined;
    }
  }

  /** Refuses new commands (DRAINING) and resolves when every publish in flight has its ack or failed. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => { this.drained = resolve; });
  }

  /** Command publishes waiting for their JetStream ack. */
  get publishesInFlight(): number {
    return this.inFlight;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
