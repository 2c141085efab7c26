/**
 * The shared fixture of the actor test files: one stack per file (real
 * servers, N workers, no gateway), a command driver on a fresh session, and
 * clients for the stack's MongoDB database and Redis. `useActorStack`
 * registers the before/after hooks; the returned object is filled in
 * before the first test runs.
 */
import t from 'tap';
import { MongoClient, type Db } from 'mongodb';
import { Redis } from 'ioredis';
import { startStack, type Stack } from '../harness/stackFixture.js';
import { CommandDriver } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';

export interface ActorStack {
  stack: Stack;
  driver: CommandDriver;
  /** The database the workers use. */
  db: Db;
  redis: Redis;
  partitions: number;
}

export interface ActorStackOptions {
  workers: number;
  /** @default 8 */
  partitions?: number;
  /** Extra environment for every worker (SY_* settings). */
  env?: Record<string, string>;
}

export function useActorStack(options: ActorStackOptions): ActorStack {
  const fixture = {} as ActorStack;
  let mongo: MongoClient | undefined;
  t.before(async () => {
    const partitions = options.partitions ?? 8;
    const stack = await startStack({ gateways: 0, workers: options.workers, env: { SY_PARTITIONS: String(partitions), ...options.env } });
    mongo = await MongoClient.connect(stack.env.MONGODB_URI!);
    Object.assign(fixture, {
      stack,
      partitions,
      driver: await CommandDriver.connect(stack.env.NATS_URL!, { partitions }),
      db: mongo.db('switchyard'),
      redis: new Redis(stack.env.REDIS_URL!),
    });
  });
  t.teardown(async () => {
    fixture.redis?.disconnect();
    await fixture.driver?.close();
    await mongo?.close();
    await fixture.stack?.stop();
  });
  return fixture;
}

/** The worker that owns `partition` of `actor` now, from its log lines. */
export function ownerOf(workers: SwitchyardProcess[], actor: string, partition: number): SwitchyardProcess | undefined {
  const owners = workers.filter((w) => {
    const events = w.logLines().filter((l) => l.actor === actor && l.partition === partition && /^partition (acquired|released|lost)$/.test(String(l.msg)));
    return events.at(-1)?.msg === 'partition acquired';
  });
  return owners.length === 1 ? owners[0] : undefined;
}
