/**
 * Per-user command rate limit, enforced cluster-wide without a Redis round
 * trip per command.
 *
 * The cluster count of a user lives in one Redis hash per window,
 * `sy:{u:<user>}:rate` (fields: n = commands counted, node:<id> = nodes that
 * counted); the window starts with the first command counted and ends when
 * the key expires. Each gateway decides locally and, every `syncMs`, adds
 * what it admitted since its last sync (HINCRBY, in one Lua call per user)
 * and gets back the cluster total, the time left in the window and how many
 * nodes counted. Between syncs a node admits at most its share of what the
 * cluster had left: (limit − total) / nodes.
 *
 * Accuracy: a user on one node is limited exactly. Nodes that already know
 * of each other never admit more than the limit together. A node that has
 * not yet seen the user's window (no command from them there in it, and the
 * session was not seeded at hello) may admit up to what it believes is left
 * during one sync interval before it learns the total: the worst case over
 * one window is limit + (nodes without knowledge − 1) × limit, which needs
 * the same user to open sockets on several nodes inside one sync interval.
 * When Redis is unreachable, each node keeps limiting on what it last knew.
 */
import { SwitchyardError, subjectToken } from '../protocol/index.js';
import { SharedCalls, gatewayRateLimitSyncs } from '../platform/index.js';
import type { Logger, Redis } from '../platform/index.js';

export interface RateLimitOptions {
  /** Commands per user per window, cluster-wide; 0 disables. @default 1000 */
  limit: number;
  /** Window length, ms. @default 1000 */
  windowMs: number;
  /** How often local counts are added to Redis, ms. @default 200 */
  syncMs: number;
}

interface UserWindow {
  /** Cluster total at the last sync (our synced counts included). */
  total: number;
  /** Admitted here since the last sync. */
  pending: number;
  /** Admitted here and being added to Redis right now. */
  syncing: number;
  /** Nodes that counted in this window (at least 1: us). */
  nodes: number;
  /** Local time the window ends; 0 when unknown (no window seen). */
  endsAt: number;
  /** Last time a command was seen, to forget idle users. */
  lastUsed: number;
}

const ADD = `
local total = redis.call('HINCRBY', KEYS[1], 'n', ARGV[1])
redis.call('HSET', KEYS[1], 'node:' .. ARGV[3], 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {total, ttl, redis.call('HLEN', KEYS[1]) - 1}
`;

const READ = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, -2, 0} end
return {tonumber(redis.call('HGET', KEYS[1], 'n') or '0'), redis.call('PTTL', KEYS[1]), redis.call('HLEN', KEYS[1]) - 1}
`;

interface RateScripts {
  syRateAdd(key: string, n: number, windowMs: number, node: string): Promise<[number, number, number]>;
  syRateRead(key: string): Promise<[number, number, number]>;
}

/** The Redis key holding a user's cluster count for the current window. */
export function rateWindowKey(user: string): string {
  return `sy:{u:${subjectToken(user)}}:rate`;
}

export class RateLimiter {
  private readonly users = new Map<string, UserWindow>();
  /** Cluster-count reads under way (seed), shared by the hellos of one user. */
  private readonly seeding = new SharedCalls<string, void>();
  private readonly scripts: RateScripts;
  private timer: NodeJS.Timeout | undefined;
  private syncRun: Promise<void> | undefined;

  constructor(private readonly redis: Redis, private readonly node: string, private readonly options: RateLimitOptions, private readonly logger: Logger) {
    redis.defineCommand('syRateAdd', { numberOfKeys: 1, lua: ADD });
    redis.defineCommand('syRateRead', { numberOfKeys: 1, lua: READ });
    this.scripts = redis as unknown as RateScripts;
  }

  start(): void {
    if (this.options.limit === 0) return;
    this.timer = setInterval(() => { this.syncRun ??= this.sync().finally(() => { this.syncRun = undefined; }); }, this.options.syncMs);
    this.timer.unref();
  }

  /** Stops the timer and adds what is still pending (drain). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncRun;
    await this.sync();
  }

  /**
   * Learns the user's cluster count when this node has none (at hello, and
   * before the first HTTP command of a user here). Never fails: without
   * Redis, the node limits on local knowledge.
   */
  seed(user: string): Promise<void> {
    if (this.options.limit === 0 || this.users.has(user)) return Promise.resolve();
    // Hellos of one user arriving together share one read (15,000 sockets of a few users at once were 15,000 reads).
    return this.seeding.run(user, () => this.readCount(user));
  }

  private async readCount(user: string): Promise<void> {
    try {
      const [total, ttl, nodes] = await this.scripts.syRateRead(rateWindowKey(user));
      if (this.users.has(user)) return;
      const now = Date.now();
      this.users.set(user, { total, pending: 0, syncing: 0, nodes: nodes + 1, endsAt: ttl > 0 ? now + ttl : 0, lastUsed: now });
    } catch (err) {
      this.logger.warn({ err }, 'rate limit: reading the cluster count failed; limiting locally');
    }
  }

  /** Counts one command of `user`, or throws RATE_LIMITED with details.retryAfterMs. */
  take(user: string): void {
    const { limit } = this.options;
    if (limit === 0) return;
    const now = Date.now();
    let w = this.users.get(user);
    if (!w) {
      w = { total: 0, pending: 0, syncing: 0, nodes: 1, endsAt: 0, lastUsed: now };
      this.users.set(user, w);
    }
    if (w.endsAt !== 0 && now >= w.endsAt) {
      w.total = 0;
      w.nodes = 1;
      w.endsAt = 0;
    }
    w.lastUsed = now;
    const left = limit - w.total - w.syncing - w.pending;
    if (left <= 0) {
      const retryAfterMs = w.endsAt !== 0 ? Math.max(1, w.endsAt - now) : this.options.windowMs;
      throw this.limited(retryAfterMs);
    }
    const share = Math.max(1, Math.floor((limit - w.total) / Math.max(1, w.nodes)));
    if (w.pending >= share) throw this.limited(this.options.syncMs);
    w.pending++;
  }

  private limited(retryAfterMs: number): SwitchyardError {
    return new SwitchyardError('RATE_LIMITED', `Too many commands: at most ${this.options.limit} per ${this.options.windowMs} ms per user; send again in ${retryAfterMs} ms.`, {
      details: { retryAfterMs, limit: this.options.limit, windowMs: this.options.windowMs },
    });
  }

  /** Adds every user's pending count to Redis and takes the cluster totals back. */
  private async sync(): Promise<void> {
    const now = Date.now();
    const batch: Array<Promise<void>> = [];
    for (const [user, w] of this.users) {
      if (w.pending === 0 && w.syncing === 0) {
        // Forget users idle for a whole window whose window is over: memory stays bounded by active users.
        if ((w.endsAt === 0 || now >= w.endsAt) && now - w.lastUsed > this.options.windowMs) this.users.delete(user);
        continue;
      }
      if (w.pending === 0) continue;
      const n = w.pending;
      w.pending = 0;
      w.syncing += n;
      batch.push(this.scripts.syRateAdd(rateWindowKey(user), n, this.options.windowMs, this.node).then(
        ([total, ttl, nodes]) => {
          const at = Date.now();
          w.syncing -= n;
          w.total = total;
          w.nodes = Math.max(1, nodes);
          w.endsAt = at + Math.max(1, ttl);
          gatewayRateLimitSyncs.inc({ outcome: 'ok' });
        },
        (err: unknown) => {
          w.syncing -= n;
          w.pending += n;
          gatewayRateLimitSyncs.inc({ outcome: 'failed' });
          this.logger.debug({ err }, 'rate limit sync failed; counts kept for the next sync');
        },
      ));
    }
    await Promise.all(batch);
  }
}
