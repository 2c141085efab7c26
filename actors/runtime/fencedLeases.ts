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
 * A worker declared dead (workerLiveness.ts) does not make the others wait
 * for its TTL: `acquire(name, deadOwners)` replaces a lease held by exactly
 * one of those owners, with a new token like any new holder.
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

// ARGV[3..]: owners declared dead (workerLiveness.ts) whose lease may be replaced before it expires.
// Returns {token, replaced owner or ''}; token 0 when another (live) owner holds the lease.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
local replaced = ''
if cur then
  local sep = string.find(cur, '|', 1, true)
  local holder = sep and string.sub(cur, 1, sep - 1) or cur
  if sep and holder == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {tonumber(string.sub(cur, sep + 1)), ''}
  end
  for i = 3, #ARGV do
    if ARGV[i] == holder then replaced = holder end
  end
  if replaced == '' then return {0, ''} end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[2], string.format('%d', tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)))
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return {token, replaced}`;

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
  /** Local epoch ms at which the last acquire/renew that Redis confirmed was sent (absent: unknown, i.e. long ago). */
  confirmedAt?: number;
  /** The owner declared dead whose lease this acquisition replaced before it expired. */
  readonly takenOverFrom?: string;
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

  /**
   * Takes the lease if nobody holds it (or this owner already does), or if
   * one of `deadOwners` holds it: that lease is replaced at once, with a new
   * fencing token, instead of after its TTL. Undefined when another owner
   * holds it.
   */
  async acquire(name: string, deadOwners: readonly string[] = []): Promise<HeldLease | undefined> {
    const sentAt = Date.now();
    const key = leaseKey(name);
    const [token, replaced] = (await this.redis.eval(ACQUIRE, 2, key, `${key}:fence`, this.owner, this.ttlMs, ...deadOwners)) as [number, string];
    if (!Number(token)) return undefined;
    const lease: HeldLease = { name, token: Number(token), validUntil: sentAt + this.ttlMs - this.marginMs, confirmedAt: sentAt };
    return replaced ? { ...lease, takenOverFrom: replaced } : lease;
  }

  /** Extends the lease; false when it expired or another owner holds it now (the lease is lost). */
  async renew(lease: HeldLease): Promise<boolean> {
    const sentAt = Date.now();
    const ok = Number(await this.redis.eval(RENEW, 1, leaseKey(lease.name), `${this.owner}|${lease.token}`, this.ttlMs)) === 1;
    if (ok) {
      lease.validUntil = sentAt + this.ttlMs - this.marginMs;
      lease.confirmedAt = sentAt;
    }
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
 *
 * With failure detection (workerLiveness.ts) the others may take the lease
 * over long before its TTL, once this worker was silent for the detection
 * time: `reconfirmAfter()` is the local time after which the lease must have
 * been confirmed by Redis (renewed now if it was not), so a worker that was
 * paused or cut off finds out it was taken over before it commits.
 * Throws PartitionLostError when the lease is not good for a commit.
 */
export async function ensureLeaseForCommit(
  lease: HeldLease, ttlMs: number, renew: () => Promise<boolean>, lost?: AbortSignal, reconfirmAfter?: () => number,
): Promise<void> {
  const unconfirmed = reconfirmAfter !== undefined && (lease.confirmedAt ?? -Infinity) < reconfirmAfter();
  if ((unconfirmed || lease.validUntil - Date.now() < ttlMs / 2) && !(await renew())) {
    throw new PartitionLostError(`lease ${lease.name} lost before a commit`);
  }
  if (lost?.aborted || !FencedLeases.isValid(lease)) throw new PartitionLostError(`lease ${lease.name} expired before a commit`);
}
