/**
 * NATS subjects and JetStream stream names: the only place they are spelled.
 *
 * | subject                              | stream | meaning                                   |
 * |--------------------------------------|--------|-------------------------------------------|
 * | cmd.<actor>.<partition>.<entity>     | CMD    | a command for one entity (work queue)     |
 * | out.s.<session> / out.u.<user> / out.t.<topic> | OUT | pushes; stream seq = client `seq`   |
 * | out.s.<route>.<id> (a session minted by gateway <route>) | OUT | see sessionRoute()          |
 * | live.s.… / live.u.… / live.t.…       | —      | OUT republished by the server, with seq   |
 * | evt.<actor>.<event>                  | EVT    | domain events for other subscribers       |
 * | dlq.<actor>                          | DLQ    | commands that exhausted their retries     |
 * | ctl.gw.<node>                        | —      | gateway control (takeover, drain)         |
 * | svc.acl.<kind>                       | —      | topic ACL request/reply (services.ts)     |
 * | svc.acl.invalidate                   | —      | membership changed: drop cached decisions |
 * | ctl.actors.<actor>.rebalance         | —      | actor workers: rebalance partitions now   |
 * | ctl.actors.<actor>.alive             | —      | actor workers' liveness beats (member id) |
 */

export const STREAMS = {
  commands: 'CMD',
  pushes: 'OUT',
  events: 'EVT',
  deadLetters: 'DLQ',
} as const;

export const SUBJECT_ROOTS = {
  commands: 'cmd',
  pushes: 'out',
  live: 'live',
  events: 'evt',
  deadLetters: 'dlq',
  control: 'ctl',
  services: 'svc',
} as const;

/**
 * Stable partition of an entity: FNV-1a (32 bit) of its id, modulo the
 * actor's partition count. Every process must agree, so never change it
 * without a migration.
 */
export function partitionOf(entity: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < entity.length; i++) {
    h ^= entity.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Makes any id (a user id from a JWT `sub`, say) safe as one NATS subject
 * token. Safe ids pass through unchanged; others become `=` + base64url
 * (unpadded) of the UTF-8 bytes, which no safe id can collide with (safe
 * ids never contain `=`). Written without Node's Buffer so browsers (the
 * demo, client apps naming `user.<token>` topics) compute the same token.
 */
export function subjectToken(id: string): string {
  if (SAFE_TOKEN.test(id)) return id;
  let binary = '';
  for (const byte of new TextEncoder().encode(id)) binary += String.fromCharCode(byte);
  return `=${btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/**
 * A session id minted by a gateway reads `<route>.<random>`, the route
 * naming the gateway that minted it, so its pushes (`out.s.<route>.<random>`)
 * reach that gateway through one wildcard subscription for all its sessions
 * (`subjects.routedSessionPushes`), not one subscription each. Returns the
 * route, or undefined for a session id without one (HTTP and older ids).
 */
export function sessionRoute(session: string): string | undefined {
  const dot = session.indexOf('.');
  return dot > 0 ? session.slice(0, dot) : undefined;
}

const SESSION_PUSH = 'out.s.';
const USER_PUSH = 'out.u.';
const TOPIC_PUSH = 'out.t.';

/** Who an `out.` subject's pushes are for: one session, every session of one user, or a topic's members. */
export type PushAudience =
  | { kind: 'session'; session: string }
  | { kind: 'user'; userToken: string }
  | { kind: 'topic'; topic: string };

export function pushAudience(outSubject: string): PushAudience | undefined {
  if (outSubject.startsWith(SESSION_PUSH)) return { kind: 'session', session: outSubject.slice(SESSION_PUSH.length) };
  if (outSubject.startsWith(TOPIC_PUSH)) return { kind: 'topic', topic: outSubject.slice(TOPIC_PUSH.length) };
  if (outSubject.startsWith(USER_PUSH)) return { kind: 'user', userToken: outSubject.slice(USER_PUSH.length) };
  return undefined;
}

export const subjects = {
  command: (actor: string, partition: number, entity: string) => `cmd.${actor}.${partition}.${entity}`,
  /** Filter for every command of one partition of one actor type. */
  commandPartition: (actor: string, partition: number) => `cmd.${actor}.${partition}.>`,
  sessionPush: (session: string) => `${SESSION_PUSH}${session}`,
  /** Every session push of the sessions one gateway minted (see sessionRoute). */
  routedSessionPushes: (route: string) => `${SESSION_PUSH}${route}.*`,
  userPush: (user: string) => `${USER_PUSH}${subjectToken(user)}`,
  /** Every user push (gateways look the user up among their own sockets). */
  allUserPushes: `${USER_PUSH}*`,
  topicPush: (topic: string) => `${TOPIC_PUSH}${topic}`,
  /** The live (republished) twin of an `out.` subject. */
  live: (outSubject: string) => `live.${outSubject.slice('out.'.length)}`,
  /** The `out.` subject of a live (republished) one. */
  outOfLive: (liveSubject: string) => `out.${liveSubject.slice('live.'.length)}`,
  event: (actor: string, event: string) => `evt.${actor}.${event}`,
  deadLetter: (actor: string) => `dlq.${actor}`,
  gatewayControl: (node: string) => `ctl.gw.${node}`,
  /** Request/reply: may a user join a topic of this kind (AclRequest → AclReply). */
  aclCheck: (topicKind: string) => `svc.acl.${topicKind}`,
  /** Membership changes (AclInvalidation). */
  aclInvalidate: 'svc.acl.invalidate',
  /** Actor workers nudge each other to rebalance partitions now (a worker joined or left). Core NATS, no stream. */
  actorRebalance: (actor: string) => `ctl.actors.${actor}.rebalance`,
  /** Actor workers' liveness beats (payload: member id), for failure detection faster than the lease. Core NATS, no stream. */
  actorAlive: (actor: string) => `ctl.actors.${actor}.alive`,
} as const;

/** Parses `cmd.<actor>.<partition>.<entity>`; undefined for anything else. */
export function parseCommandSubject(subject: string): { actor: string; partition: number; entity: string } | undefined {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== SUBJECT_ROOTS.commands) return undefined;
  const partition = Number(parts[2]);
  if (!Number.isInteger(partition) || partition < 0) return undefined;
  return { actor: parts[1]!, partition, entity: parts[3]! };
}
