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
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { roomTopic, subjects, type AclInvalidation, type DomainEventBody } from '../../protocol/index.js';
import type { Logger } from '../../platform/index.js';
import { messagingAclInvalidations } from './metrics.js';
import { DurableEventConsumer } from './durableEventConsumer.js';

export const ACL_INVALIDATION_CONSUMER = 'messaging_acl_invalidation';
const MEMBERSHIP_EVENTS = 'evt.messaging.member.>';
const CHANGES_ACCESS = new Set(['member.joined', 'member.left']);

export class AclInvalidationRelay extends DurableEventConsumer {
  readonly name = 'messaging-acl-invalidation';

  constructor(nc: NatsConnection, logger: Logger) {
    super(nc, { durable: ACL_INVALIDATION_CONSUMER, filter: MEMBERSHIP_EVENTS, ackWaitMs: 10_000, maxMessages: 256 }, logger);
  }

  protected handle(msg: JsMsg): void {
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
