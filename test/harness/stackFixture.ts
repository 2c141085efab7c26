/**
 * A whole stack for one test file: real nats-server, redis-server and
 * mongowire on free ports, plus gateways and workers as child processes.
 * `stop()` tears everything down (call it from `after`).
 */
import { rm } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { startMongo, startNatsCluster, startRedis, startServers, type Servers } from '../../deploy/local/servers.js';
import { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { devToken } from '../../deploy/local/devTokens.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';

export interface Stack {
  servers: Servers;
  /** Environment every switchyard process of this stack gets. */
  env: Record<string, string>;
  gateways: SwitchyardProcess[];
  workers: SwitchyardProcess[];
  startGateway(extraEnv?: Record<string, string>): Promise<SwitchyardProcess>;
  startWorker(extraEnv?: Record<string, string>): Promise<SwitchyardProcess>;
  wsUrl(gateway?: SwitchyardProcess): string;
  httpUrl(gateway?: SwitchyardProcess): string;
  token(user: string, options?: { expiresInS?: number; claims?: Record<string, unknown> }): Promise<string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  gateways?: number;
  workers?: number;
  env?: Record<string, string>;
  /** Servers started by the caller (e.g. startClusterServers()); stop() stops them too. @default startServers() */
  servers?: Servers;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const servers = options.servers ?? await startServers();
  const env: Record<string, string> = {
    ...servers.env,
    SY_JWT_SECRET: TEST_JWT_SECRET,
    SY_PORT: '0',
    SY_WORKER_METRICS_PORT: '0',
    SY_PARTITIONS: '8',
    SY_LOG_LEVEL: process.env.SY_LOG_LEVEL ?? 'info',
    ...options.env,
  };
  const stack: Stack = {
    servers,
    env,
    gateways: [],
    workers: [],
    async startGateway(extraEnv = {}) {
      const p = await new SwitchyardProcess('gateway', { ...env, ...extraEnv }).start();
      stack.gateways.push(p);
      return p;
    },
    async startWorker(extraEnv = {}) {
      const p = await new SwitchyardProcess('worker', { ...env, ...extraEnv }).start();
      stack.workers.push(p);
      return p;
    },
    wsUrl: (g = stack.gateways[0]!) => `ws://127.0.0.1:${g.port}/ws`,
    httpUrl: (g = stack.gateways[0]!) => `http://127.0.0.1:${g.port}`,
    token: (user, o = {}) => devToken(user, { secret: TEST_JWT_SECRET, ...o }),
    async stop() {
      await Promise.all([...stack.gateways, ...stack.workers].map((p) => p.kill()));
      await servers.stop();
    },
  };
  try {
    for (let i = 0; i < (options.workers ?? 1); i++) await stack.startWorker();
    for (let i = 0; i < (options.gateways ?? 1); i++) await stack.startGateway();
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}

/** A 3-node JetStream cluster (NATS_URL lists every member), redis-server and mongowire; `nats` is the first member. */
export async function startClusterServers(): Promise<Servers & { cluster: Awaited<ReturnType<typeof startNatsCluster>> }> {
  const [cluster, redis, mongo] = await Promise.all([startNatsCluster(3), startRedis(), startMongo()]);
  return {
    cluster,
    nats: cluster.members[0]!,
    redis,
    mongo,
    env: { NATS_URL: cluster.urls, REDIS_URL: redis.url, MONGODB_URI: mongo.url },
    async stop() {
      await Promise.all([cluster.stop(), redis.stop(), mongo.stop()]);
      await Promise.all([redis.dir, mongo.dir].map((d) => rm(d, { recursive: true, force: true })));
    },
  };
}

/**
 * Asks the leader of `stream` to step down (JetStream API), in favour of the
 * server named `preferred` when given: a real leader election, with its
 * advisory. The answer is not checked: callers wait for the new leader.
 */
export async function stepDownStreamLeader(nc: NatsConnection, stream: string, preferred?: string): Promise<void> {
  const body = preferred === undefined ? '' : JSON.stringify({ placement: { preferred } });
  await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, body, { timeout: 5000 });
}
