/**
 * Leases with fencing tokens in Redis (partitions, the scheduler).
 *
 * A lease is a key holding `<owner>|<token>` with a TTL; the token comes
 * from a counter that only grows (INCR), one per lease name, so every new
 * holder has a larger token than every earlier one. Whoever writes on the
 * strength of a lease passes its token along, and the store refuses writes
 * with a token smaller than one it has already seen (entityStore.ts): a
 * holder that was paused past its TTL (a "zombie") cannot commit once the
 * next holder has.
 *
 * The counter survives a Redis restart that lost the data (no persistence,
 * a failover to an empty replica): a missing counter starts at the Redis
 * server's clock in milliseconds, not at 0, so tokens handed out after the
 * loss are still larger than every token handed out before it — entity
 * documents keep the last writer's token, and a counter restarted at 1
 * would be refused by every one of them (the partition stuck) until it
 * caught up. This holds while a lease name takes fewer than one token per
 * millisecond on average and the Redis host's clock does not go back.
 *
 * Keys: `sy:{lease:<name>}` and `sy:{lease:<name>}:fence` share a hash tag,
 * so both live on one Redis Cluster slot and each script touches one slot.
 *
 * `validUntil` is a local deadline: the time the acquire/renew request was
 * SENT plus the TTL minus a margin for clock drift, so the holder stops
 * acting on a lease before Redis can have expired it.
 */
import type { Redis } from '../../platform/index.js';
import { PartitionLostError } from './commandErrors.js';

const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  if sep and string.sub(cur, 1, sep - 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(cur, sep + 1))
  end
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/** A lease this process holds. */
export interface HeldLease {
  readonly name: string;
  readonly token: number;
  /** Local epoch ms after which the lease must be treated as lost unless renewed. */
  validUntil: number;
}

export interface FencedLeasesOptions {
  /** @default 5000 */
  ttlMs?: number;
}

export function leaseKey(name: string): string {
  return `sy:{lease:${name}}`;
}

export class FencedLeases {
  readonly ttlMs: number;
  /** Safety margin against clock drift between this process and Redis. */
  private readonly marginMs: number;

  constructor(private readonly redis: Redis, private readonly owner: string, options: FencedLeasesOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.marginMs = Math.max(50, Math.floor(this.ttlMs / 10));
  }

  /** Takes the lease if nobody holds it (or this owner already does); undefined when another owner holds it. */
  async acquire(name: string): Promise<HeldLease | undefined> {
    const sentAt = Date.now();
    const key = leaseKey(name);
    const token = Number(await this.redis.eval(ACQUIRE, 2, key, `${key}:fence`, this.owner, this.ttlMs));
    if (!token) return undefined;
    return { name, token, validUntil: sentAt + this.ttlMs - this.marginMs };
  }

  /** Extends the lease; false when it expired or another owner holds it now (the lease is lost). */
  async renew(lease: HeldLease): Promise<boolean> {
    const sentAt = Date.now();
    const ok = Number(await this.redis.eval(RENEW, 1, leaseKey(lease.name), `${this.owner}|${lease.token}`, this.ttlMs)) === 1;
    if (ok) lease.validUntil = sentAt + this.ttlMs - this.marginMs;
    return ok;
  }

  /** Gives the lease up so the next owner need not wait for the TTL. */
  async release(lease: HeldLease): Promise<void> {
    lease.validUntil = 0;
    await this.redis.eval(RELEASE, 1, leaseKey(lease.name), `${this.owner}|${lease.token}`);
  }

  /** Still safe to act on (locally)? */
  static isValid(lease: HeldLease, now = Date.now()): boolean {
    return now < lease.validUntil;
  }
}

/**
 * Before a commit under `lease`: it must stay valid for at least half its
 * TTL (renewed now if it would not), so the write is done long before
 * another worker could take the partition over — even when this process was
 * starved of CPU and its renewals ran late. A zombie (its lease expired
 * during a pause and was taken over) fails here, so none of its commits is
 * even sent; the fencing token refuses any that were already on their way.
 * Throws PartitionLostError when the lease is not good for a commit.
 */
export async function ensureLeaseForCommit(lease: HeldLease, ttlMs: number, renew: () => Promise<boolean>, lost?: AbortSignal): Promise<void> {
  if (lease.validUntil - Date.now() < ttlMs / 2 && !(await renew())) {
    throw new PartitionLostError(`lease ${lease.name} lost before a commit`);
  }
  if (lost?.aborted || !FencedLeases.isValid(lease)) throw new PartitionLostError(`lease ${lease.name} expired before a commit`);
}

