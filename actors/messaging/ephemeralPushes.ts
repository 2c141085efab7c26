/**
 * messaging: ephemeral pushes (presence, typing) — published straight to
 * the room topic `out.t.room.<room>` with a core NATS publish, not through
 * the commit: nothing of them is stored in MongoDB, and a retried command
 * may publish one twice (receivers treat them as idempotent hints). They
 * still pass the OUT stream, which is how every push gets its `seq`.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  roomTopic, subjects, type MessagingEphemeralEventName, type MessagingEventData, type PushBody,
} from '../../protocol/index.js';

export class EphemeralPushes {
  constructor(private readonly nc: NatsConnection) {}

  publish<N extends MessagingEphemeralEventName>(room: string, name: N, data: MessagingEventData<N>): void {
    const topic = roomTopic(room);
    const body: PushBody = { type: 'event', topic, name, data };
    this.nc.publish(subjects.topicPush(topic), JSON.stringify(body));
  }
}
