/**
 * messaging: turns committed membership changes into gateway ACL
 * invalidations. A durable JetStream consumer (shared by all workers) reads
 * `evt.messaging.member.joined` / `member.left` from the EVT stream —
 * published only after the room's commit — and publishes
 * `svc.acl.invalidate {topic: "room.<room>", user}` (protocol/services.ts):
 * gateways drop their cached answer and check the sockets already joined
 * again, so a removed member stops receiving the room's pushes.
 *
 * Being durable, an invalidation is not lost while workers come and go; it
 * is at least once (an invalidation twice is harmless).
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { STREAMS, roomTopic, subjects, type AclInvalidation, type DomainEventBody } from '../../protocol/index.js';
import type { Logger, Service } from '../../platform/index.js';
import { messagingAclInvalidations } from '../../platform/metrics.js';

export const ACL_INVALIDATION_CONSUMER = 'messaging_acl_invalidation';
const MEMBERSHIP_EVENTS = 'evt.messaging.member.>';
const CHANGES_ACCESS = new Set(['member.joined', 'member.left']);

export class AclInvalidationRelay implements Service {
  readonly name = 'messaging-acl-invalidation';
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly nc: NatsConnection, private readonly logger: Logger) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.consumers.add(STREAMS.events, {
      durable_name: ACL_INVALIDATION_CONSUMER,
      filter_subject: MEMBERSHIP_EVENTS,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: 10_000_000_000,
    });
    const consumer = await jetstream(this.nc).consumers.get(STREAMS.events, ACL_INVALIDATION_CONSUMER);
    this.messages = await consumer.consume({ max_messages: 256 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const msg of messages) this.relay(msg);
    })().catch((err: unknown) => this.logger.error({ err }, 'ACL invalidation relay stopped'));
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
  }

  private relay(msg: JsMsg): void {
    let event: DomainEventBody;
    try {
      event = msg.json<DomainEventBody>();
    } catch {
      msg.term();
      return;
    }
    const user = (event.data as { user?: unknown } | undefined)?.user;
    if (CHANGES_ACCESS.has(event.name) && typeof user === 'string') {
      const invalidation: AclInvalidation = { topic: roomTopic(event.entity), user };
      this.nc.publish(subjects.aclInvalidate, JSON.stringify(invalidation));
      messagingAclInvalidations.inc();
    }
    msg.ack();
  }
}
