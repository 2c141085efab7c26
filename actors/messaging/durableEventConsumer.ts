/**
 * messaging: a worker service reading one durable JetStream consumer on the
 * EVT stream, shared by all workers (each message goes to one of them),
 * handing each message to `handle` in order, one at a time. The relays (ACL
 * invalidations, AI answers) extend it; `handle` acks, naks or terms each
 * message.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '../../protocol/index.js';
import type { Logger, Service } from '../../platform/index.js';

export interface DurableEventConsumerOptions {
  durable: string;
  /** EVT subject (or wildcard) the consumer reads. */
  filter: string;
  /** How long a delivered message may stay unacked before it is delivered again. */
  ackWaitMs: number;
  /** Messages buffered per worker. */
  maxMessages: number;
}

export abstract class DurableEventConsumer implements Service {
  abstract readonly name: string;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    protected readonly nc: NatsConnection,
    private readonly options: DurableEventConsumerOptions,
    protected readonly logger: Logger,
  ) {}

  protected abstract handle(msg: JsMsg): void | Promise<void>;

  async start(): Promise<void> {
    const { durable, filter, ackWaitMs, maxMessages } = this.options;
    await (await jetstreamManager(this.nc)).consumers.add(STREAMS.events, {
      durable_name: durable,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: ackWaitMs * 1_000_000,
    });
    const consumer = await jetstream(this.nc).consumers.get(STREAMS.events, durable);
    const messages = await consumer.consume({ max_messages: maxMessages });
    this.messages = messages;
    this.loop = (async () => {
      for await (const msg of messages) await this.handle(msg);
    })().catch((err: unknown) => this.logger.error({ err, consumer: durable }, 'event consumer stopped'));
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
  }
}
