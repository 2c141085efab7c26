/**
 * messaging: presence in Redis — one sorted set per room,
 * `sy:{presence:<room>}`, member = user id, score = when their entry
 * expires (epoch ms, from Redis' own clock so that workers' clocks do not
 * matter). Each operation is one Lua script: atomic per room, one round
 * trip. Nothing here is in MongoDB: presence is ephemeral.
 */
import type { Redis } from '../../platform/index.js';

/** Lua: `now` = Redis' clock in epoch ms. */
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] = set; ARGV = user, ttl ms. Extends the user, drops expired others. Returns {fresh, expired[], online[]}. */
const HEARTBEAT = `${NOW_MS}
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
local fresh = 0
if (not old) or tonumber(old) <= now then fresh = 1 end
return {fresh, expired, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')}`;

/** KEYS[1] = set; ARGV = user. Returns 1 when the user was online (not expired) and is now removed. */
const LEAVE = `${NOW_MS}
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
if score and tonumber(score) > now then return 1 end
return 0`;

export interface HeartbeatOutcome {
  /** The user was not online before this heartbeat. */
  fresh: boolean;
  /** Users whose entries had expired and were removed now. */
  expired: string[];
  /** Everyone online now, the user included. */
  online: string[];
}

export function presenceKey(room: string): string {
  return `sy:{presence:${room}}`;
}

export class PresenceStore {
  constructor(private readonly redis: Redis, readonly ttlMs: number) {}

  async heartbeat(room: string, user: string): Promise<HeartbeatOutcome> {
    const [fresh, expired, online] = await this.redis.eval(HEARTBEAT, 1, presenceKey(room), user, this.ttlMs) as [number, string[], string[]];
    return { fresh: fresh === 1, expired, online };
  }

  /** Removes the user; true when they were online until now. */
  async leave(room: string, user: string): Promise<boolean> {
    return (await this.redis.eval(LEAVE, 1, presenceKey(room), user)) === 1;
  }
}
