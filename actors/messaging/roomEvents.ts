/**
 * messaging: committed events — each change a room commits is told twice,
 * from the commit's outbox: to the room topic (`event` frames for the
 * subscribed members) and as the domain event `evt.messaging.<name>` for
 * other NATS subscribers. Same name, same data (protocol/messaging/events.ts).
 */
import { roomTopic, type MessagingDomainEventName, type MessagingEventData } from '../../protocol/index.js';
import type { DomainEvent, TopicEvent } from '../runtime/index.js';

export interface CommittedEvents {
  events: TopicEvent[];
  domainEvents: DomainEvent[];
}

export interface RoomEvent<N extends MessagingDomainEventName = MessagingDomainEventName> {
  name: N;
  data: MessagingEventData<N>;
}

export function roomEvent<N extends MessagingDomainEventName>(name: N, data: MessagingEventData<N>): RoomEvent<N> {
  return { name, data };
}

/** The Decision fields that publish `changes` of `room` after the commit. */
export function committedEvents(room: string, ...changes: RoomEvent[]): CommittedEvents {
  const topic = roomTopic(room);
  return {
    events: changes.map(({ name, data }) => ({ topic, name, data })),
    domainEvents: changes.map(({ name, data }) => ({ name, data })),
  };
}
