/**
 * messaging: the topic ACL responder — answers the gateways' `svc.acl.room`
 * requests ({user, topic: "room.<room>"} → {allow}, protocol/services.ts)
 * from the COMMITTED membership of the room (committedRooms.ts). A queue
 * group spreads requests over every worker.
 *
 * Caching: the gateways cache answers (SY_ACL_CACHE_TTL_MS) and drop them
 * on `svc.acl.invalidate`, which aclInvalidationRelay.ts publishes after
 * every committed membership change. This responder deliberately keeps no
 * cache of its own across requests: a gateway re-asks right after an
 * invalidation, possibly reaching another worker, and any copy kept here
 * could answer with the membership from before the change, which the
 * gateway would then cache again. It only merges identical requests in
 * flight (one MongoDB read by _id for many sockets joining at once).
 *
 * Anything that cannot be decided (MongoDB unavailable) is answered without
 * `allow`, which the gateway turns into UNAVAILABLE — never an allow.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Compile } from 'typebox/compile';
import { AclRequest, roomOfTopic, subjects } from '../../protocol/index.js';
import { SharedCalls } from '../../platform/index.js';
import type { Logger, Service } from '../../platform/index.js';
import { messagingAclAnswers } from './metrics.js';
import type { CommittedRooms } from './committedRooms.js';

const checkRequest = Compile(AclRequest);

function parseRequest(msg: Msg): AclRequest | undefined {
  try {
    const body: unknown = msg.json();
    return checkRequest.Check(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

export const ROOM_ACL_QUEUE = 'messaging-room-acl';

export class RoomAclResponder implements Service {
  readonly name = 'messaging-room-acl';
  private sub: Subscription | undefined;
  /** Membership reads under way, shared by concurrent requests for one (room, user). */
  private readonly reads = new SharedCalls<string, boolean>();

  constructor(private readonly nc: NatsConnection, private readonly rooms: CommittedRooms, private readonly logger: Logger) {}

  async start(): Promise<void> {
    for (const answer of ['allow', 'deny', 'unavailable']) messagingAclAnswers.labels(answer).inc(0);
    this.sub = this.nc.subscribe(subjects.aclCheck('room'), {
      queue: ROOM_ACL_QUEUE,
      callback: (err, msg) => { if (!err) void this.answer(msg); },
    });
    await this.nc.flush();
  }

  async stop(): Promise<void> {
    await this.sub?.drain();
  }

  private async answer(msg: Msg): Promise<void> {
    const request = parseRequest(msg);
    const room = request && roomOfTopic(request.topic);
    if (!request || !room) {
      messagingAclAnswers.inc({ answer: 'deny' });
      msg.respond(JSON.stringify({ allow: false }));
      return;
    }
    try {
      const allow = await this.isMember(room, request.user);
      messagingAclAnswers.inc({ answer: allow ? 'allow' : 'deny' });
      msg.respond(JSON.stringify({ allow }));
    } catch (err) {
      messagingAclAnswers.inc({ answer: 'unavailable' });
      this.logger.warn({ err, room }, 'room membership could not be read for a topic ACL request');
      msg.respond(JSON.stringify({ error: 'membership could not be read' }));
    }
  }

  private isMember(room: string, user: string): Promise<boolean> {
    return this.reads.run(`${room}\u0000${user}`, async () => (await this.rooms.roleOf(room, user)) !== undefined);
  }
}
