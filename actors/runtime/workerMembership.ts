/**
 * Which workers are alive, per actor type: a Redis sorted set of worker ids
 * scored by when their registration expires (Redis server time, so hosts'
 * clocks do not matter). A worker heartbeats every rebalance interval; one
 * that stops (crash, pause) drops out after the TTL, or is removed by the
 * others as soon as they declare it dead (workerLiveness.ts); one that
 * leaves gracefully removes itself at once.
 */
import type { Redis } from '../../platform/index.js';

const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] ~= '' then redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

export class WorkerMembership {
  private readonly key: string;

  constructor(private readonly redis: Redis, actor: string, private readonly member: string, private readonly ttlMs: number) {
    this.key = `sy:{workers:${actor}}`;
  }

  /** Registers (or refreshes) this worker and returns every live worker id, sorted. */
  async heartbeat(): Promise<string[]> {
    const members = (await this.redis.eval(HEARTBEAT, 1, this.key, this.member, this.ttlMs)) as string[];
    return [...members].sort();
  }

  /** Live workers without registering this one. */
  async live(): Promise<string[]> {
    const members = (await this.redis.eval(HEARTBEAT, 1, this.key, '', this.ttlMs)) as string[];
    return [...members].sort();
  }

  async leave(): Promise<void> {
    await this.redis.zrem(this.key, this.member);
  }

  /** Removes another worker declared dead, before its registration expires. */
  async remove(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }
}

/**
 * This worker's fair share of `partitions` among `members` (sorted): every
 * worker gets floor(P/N), the first P mod N get one more.
 */
export function fairShare(partitions: number, members: readonly string[], me: string): number {
  const rank = members.indexOf(me);
  if (rank < 0 || members.length === 0) return 0;
  const base = Math.floor(partitions / members.length);
  return base + (rank < partitions % members.length ? 1 : 0);
}
