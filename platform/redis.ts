/**
 * Redis connection. Keys are built by the modules that own them, with hash
 * tags (`{…}`) where several keys must live on one Redis Cluster slot.
 *
 * REDIS_URL is either a plain `redis://` / `rediss://` URL or, for Redis
 * with Sentinel, `redis+sentinel://[:password@]host:port[,host:port…]/<master>[/<db>]`:
 * the client asks the sentinels for the current master and follows failovers.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

export type { Redis };

/** The sentinel part of a `redis+sentinel://` URL, or undefined for any other URL. */
export function sentinelOptions(url: string): Pick<RedisOptions, 'sentinels' | 'name' | 'password' | 'db'> | undefined {
  const m = /^redis\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/.exec(url);
  if (!m) return undefined;
  const [, , password, hosts, name, db] = m;
  const sentinels = hosts!.split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':');
    return at > 0 ? { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) } : { host: hostPort, port: 26379 };
  });
  return {
    sentinels,
    name: decodeURIComponent(name!),
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(db ? { db: Number(db) } : {}),
  };
}

/** Connects and waits until Redis answers; commands queue while it reconnects. */
export async function connectRedis(config: Pick<Config, 'redisUrl'>, name: string): Promise<Redis> {
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  };
  const sentinel = sentinelOptions(config.redisUrl);
  const redis = sentinel ? new Redis({ ...options, ...sentinel }) : new Redis(config.redisUrl, options);
  await redis.connect();
  return redis;
}
