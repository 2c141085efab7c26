/**
 * messaging: presence timing — who counts as online in a room. A member is
 * online while their heartbeats keep arriving: each `presence.heartbeat`
 * extends their entry to now + ttl. Clients send one every `heartbeatMs`
 * (a third of the ttl, so one lost heartbeat does not drop them).
 *
 * A member whose heartbeats stop (socket died, no close frame) is dropped
 * by the next heartbeat of anyone in the room after their entry expired,
 * which pushes `presence.left`: so everyone watching the room sees it
 * within ttl + heartbeatMs (plus one command's latency). Nobody watching,
 * nobody to tell; the Redis key itself expires after 2 × ttl of silence.
 */

export interface PresenceTiming {
  /** An entry lives this long after its last heartbeat. */
  ttlMs: number;
  /** How often clients send `presence.heartbeat`. */
  heartbeatMs: number;
  /** The documented bound: a dead member is shown leaving within this long after their last heartbeat. */
  leaveWithinMs: number;
}

export function presenceTiming(ttlMs: number): PresenceTiming {
  const heartbeatMs = Math.max(1, Math.floor(ttlMs / 3));
  return { ttlMs, heartbeatMs, leaveWithinMs: ttlMs + heartbeatMs };
}
