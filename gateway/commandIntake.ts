/**
 * The one pipeline every command goes through, whatever its transport
 * (WebSocket frame, HTTP POST, Socket.IO event): drain check, cluster-wide
 * rate limit, bounded publishes in flight, trace context, JetStream publish.
 * It resolves only after the JetStream ack — the moment the transport may
 * say "accepted" — and rejects with a SwitchyardError the transport turns
 * into `rejected` / an HTTP status / a Socket.IO ack.
 */
import { ERROR_CODES, SwitchyardError, epochMillis, type CmdFrame } from '../protocol/index.js';
import { gatewayAcceptLatency, gatewayPublishesInFlight } from '../platform/metrics.js';
import type { Logger } from '../platform/index.js';
import type { CommandPublisher, PublishedCommand, SystemCommand } from './commandPublisher.js';
import type { RateLimiter } from './rateLimiter.js';
import { newTraceparent, traceIdOf } from './traceContext.js';

export type CommandFields = Pick<CmdFrame, 'id' | 'actor' | 'entity' | 'name' | 'data' | 'traceparent'>;

export interface CommandSender {
  user: string;
  /** Where the result goes: `out.s.<session>`. */
  session: string;
  /** Epoch ms (µs decimals) when the command arrived, for the accept latency. */
  receivedAt: number;
}

export class CommandIntake {
  private readonly pending = new Set<Promise<unknown>>();
  private draining = false;

  constructor(
    private readonly publisher: CommandPublisher,
    private readonly rateLimiter: RateLimiter,
    private readonly maxPendingPublishes: number,
    private readonly logger: Logger,
  ) {}

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
    const debug = this.logger.isLevelEnabled('debug');
    if (debug) this.logger.debug({ trace: traceIdOf(traceparent), command: cmd.id, actor: cmd.actor, entity: cmd.entity, name: cmd.name }, 'command received');
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
    if (this.pending.size < this.maxPendingPublishes) return undefined;
    return new SwitchyardError('UNAVAILABLE', 'This gateway has too many commands waiting for durability; send the same command again.');
  }

  /** Counts `publish` in flight until it settles (drain waits for it), and measures and logs it. */
  private track(publish: Promise<PublishedCommand>, id: string, receivedAt: number, traceparent: string): Promise<PublishedCommand> {
    const debug = this.logger.isLevelEnabled('debug');
    this.pending.add(publish);
    gatewayPublishesInFlight.set(this.pending.size);
    publish.then(
      (published) => {
        gatewayAcceptLatency.observe((epochMillis() - receivedAt) / 1000);
        if (debug) this.logger.debug({ trace: traceIdOf(traceparent), command: id, duplicate: published.duplicate }, 'command accepted');
      },
      (err: unknown) => this.logger.warn({ err, trace: traceIdOf(traceparent), command: id }, 'command publish failed'),
    ).finally(() => {
      this.pending.delete(publish);
      gatewayPublishesInFlight.set(this.pending.size);
    });
    return publish;
  }

  /** Refuses new commands (DRAINING) and resolves when every publish in flight has its ack or failed. */
  async drain(): Promise<void> {
    this.draining = true;
    await Promise.allSettled([...this.pending]);
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
