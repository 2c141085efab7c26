/**
 * Messages between the gateway and other services over core NATS
 * (request/reply and control), as TypeBox schemas so that services written
 * in any language can validate them (exported to protocol/schema/).
 *
 * Topic ACL: for a topic kind with a service policy (today `room`), the
 * gateway sends an AclRequest to `svc.acl.<kind>` and expects an AclReply.
 * No responder or no reply within the gateway's timeout means "unknown",
 * and the gateway refuses with UNAVAILABLE (never guesses "allow"). A
 * service that changes membership publishes an AclInvalidation to
 * `svc.acl.invalidate`; gateways drop cached decisions and check again
 * the sockets already joined.
 *
 * Gateway control: `ctl.gw.<node>` carries GatewayControl messages from one
 * gateway to another (session takeover).
 */
import Type, { type Static } from 'typebox';
import { TopicName } from './frames.js';

const closed = { additionalProperties: false } as const;

/** Request on `svc.acl.<kind>`: may `user` (the JWT `sub`) join `topic`? */
export const AclRequest = Type.Object({ user: Type.String({ minLength: 1 }), topic: TopicName }, closed);

/** Reply to an AclRequest. Extra fields are ignored, so services may add diagnostics. */
export const AclReply = Type.Object({ allow: Type.Boolean() });

/** Published on `svc.acl.invalidate` when membership changed. Without `user`: every user of the topic. */
export const AclInvalidation = Type.Object({ topic: TopicName, user: Type.Optional(Type.String({ minLength: 1 })) }, closed);

/** Sent to `ctl.gw.<node>`: the session was resumed elsewhere with a newer epoch; close the stale socket. */
export const SessionTakeover = Type.Object({
  type: Type.Literal('takeover'),
  session: Type.String({ minLength: 1 }),
  epoch: Type.Integer({ minimum: 1 }),
  /** The node that now holds the session. */
  node: Type.String(),
}, closed);

export const GatewayControl = Type.Union([SessionTakeover]);

export const SERVICE_MESSAGES = { AclRequest, AclReply, AclInvalidation, GatewayControl } as const;

export type AclRequest = Static<typeof AclRequest>;
export type AclReply = Static<typeof AclReply>;
export type AclInvalidation = Static<typeof AclInvalidation>;
export type SessionTakeover = Static<typeof SessionTakeover>;
export type GatewayControl = Static<typeof GatewayControl>;
