/**
 * Session records in Redis: one hash per session, key `sy:{s:<session>}`
 * (the hash tag keeps any future per-session key on the same Cluster slot).
 *
 * Fields: user, node (the gateway holding the live socket, empty when
 * none), epoch (raised by every resume: the newest connection wins), topics
 * (JSON array), lastSeq (highest seq the node pushed, written at
 * heartbeats, informational). The record expires `ttl` after the last
 * heartbeat or release, which is the window in which a session can be
 * resumed. Every write by a node is conditional on its epoch, in Lua, so a
 * node that lost a takeover can never overwrite the new owner.
 */
import type { Redis } from '../platform/index.js';

export interface SessionRecord {
  user: string;
  node: string;
  epoch: number;
  topics: string[];
  lastSeq: number;
}

export type ClaimOutcome =
  | { kind: 'claimed'; record: SessionRecord; previousNode: string }
  /** No record (expired or never existed) or it belongs to another user. */
  | { kind: 'unknown' };

/** What a node knows about a session it holds, written back at heartbeats and on release. */
export interface HeldSession {
  session: string;
  user: string;
  epoch: number;
  topics: Iterable<string>;
  lastSeq: number;
}

const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if redis.call('HGET', KEYS[1], 'user') ~= ARGV[1] then return {-1} end
local previous = redis.call('HGET', KEYS[1], 'node') or ''
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'node', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, previous, epoch, redis.call('HGET', KEYS[1], 'topics') or '[]', redis.call('HGET', KEYS[1], 'lastSeq') or '0'}
`;

/** 1 = written, 0 = a newer epoch owns the session, -1 = gone (release only). */
const WRITE_IF_OWNER = `
local current = redis.call('HGET', KEYS[1], 'epoch')
if not current then
  if ARGV[2] == 'release' then return -1 end
  redis.call('HSET', KEYS[1], 'user', ARGV[6], 'node', ARGV[7], 'epoch', ARGV[1], 'topics', ARGV[5], 'lastSeq', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
if tonumber(current) ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == 'release' then redis.call('HSET', KEYS[1], 'node', '') end
redis.call('HSET', KEYS[1], 'lastSeq', ARGV[4], 'topics', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

interface SessionScripts {
  syClaimSession(key: string, user: string, node: string, ttlMs: number): Promise<[number, string?, number?, string?, string?]>;
  syWriteSession(key: string, epoch: number, mode: 'beat' | 'release', ttlMs: number, lastSeq: number, topics: string, user: string, node: string): Promise<number>;
}

export function sessionKey(session: string): string {
  return `sy:{s:${session}}`;
}

export class SessionStore {
  private readonly scripts: SessionScripts;

  constructor(private readonly redis: Redis, private readonly node: string, private readonly ttlMs: number) {
    redis.defineCommand('syClaimSession', { numberOfKeys: 1, lua: CLAIM });
    redis.defineCommand('syWriteSession', { numberOfKeys: 1, lua: WRITE_IF_OWNER });
    this.scripts = redis as unknown as SessionScripts;
  }

  /**
   * Calls `fn` each time the Redis connection is ready again after a loss.
   * A restarted Redis may have lost every record: the holder writes its
   * records back at once (heartbeat recreates a missing record), so
   * connected clients stay resumable without waiting for the next beat.
   */
  onReconnect(fn: () => void): void {
    this.redis.on('ready', fn);
  }

  /** Writes the record of a new session held by this node (epoch 1). */
  async create(session: string, user: string): Promise<SessionRecord> {
    const record: SessionRecord = { user, node: this.node, epoch: 1, topics: [], lastSeq: 0 };
    await this.redis.multi()
      .hset(sessionKey(session), { user, node: this.node, epoch: 1, topics: '[]', lastSeq: 0 })
      .pexpire(sessionKey(session), this.ttlMs)
      .exec();
    return record;
  }

  /** Takes the session over for this node (epoch + 1) when it exists and belongs to `user`. */
  async claim(session: string, user: string): Promise<ClaimOutcome> {
    const reply = await this.scripts.syClaimSession(sessionKey(session), user, this.node, this.ttlMs);
    if (reply[0] !== 1) return { kind: 'unknown' };
    let topics: string[] = [];
    try {
      const parsed = JSON.parse(reply[3] ?? '[]') as unknown;
      if (Array.isArray(parsed)) topics = parsed.filter((t): t is string => typeof t === 'string');
    } catch {
      topics = [];
    }
    return {
      kind: 'claimed',
      previousNode: reply[1] ?? '',
      record: { user, node: this.node, epoch: Number(reply[2]), topics, lastSeq: Number(reply[4] ?? 0) },
    };
  }

  /** Refreshes the TTL and state; false when a newer epoch took the session over. */
  async heartbeat(held: HeldSession): Promise<boolean> {
    return (await this.write(held, 'beat')) === 1;
  }

  /** The socket closed: the session stays resumable for the TTL, held by no node. */
  async release(held: HeldSession): Promise<void> {
    await this.write(held, 'release');
  }

  async load(session: string): Promise<SessionRecord | undefined> {
    const h = await this.redis.hgetall(sessionKey(session));
    if (!h.user) return undefined;
    return { user: h.user, node: h.node ?? '', epoch: Number(h.epoch ?? 0), topics: JSON.parse(h.topics ?? '[]') as string[], lastSeq: Number(h.lastSeq ?? 0) };
  }

  private write(held: HeldSession, mode: 'beat' | 'release'): Promise<number> {
    return this.scripts.syWriteSession(sessionKey(held.session), held.epoch, mode, this.ttlMs, held.lastSeq, JSON.stringify([...held.topics]), held.user, this.node);
  }
}
