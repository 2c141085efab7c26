/**
 * NATS connection and the JetStream streams switchyard relies on.
 *
 * `ensureStreams` is idempotent and run by every process at start-up: it
 * creates missing streams and updates the mutable settings of existing ones,
 * so gateways and workers may start in any order.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType, DiscardPolicy, type StreamConfig } from '@nats-io/jetstream';
import { STREAMS } from '../protocol/index.js';
import type { Config } from './config.js';

export type { NatsConnection };

export interface NatsConnectOptions {
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
}

/** Connects with reconnects forever: a NATS restart must not end the process. */
export async function connectNats(config: Pick<Config, 'natsUrl'>, options: NatsConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: config.natsUrl.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    // No Error (with a captured stack) made up front for every request: a JetStream publish is a
    // request, and those Errors were ~7 % of a worker's CPU under load (a profile of
    // bench/actorThroughput.ts). A failed request still rejects with its error, without the caller's frames.
    noAsyncTraces: true,
  });
}

/** The stream definitions, from configuration. */
export function streamConfigs(config: Pick<Config, 'outMaxAgeS' | 'duplicateWindowS' | 'streamReplicas'>): Array<Partial<StreamConfig> & { name: string }> {
  const duplicate_window = nanos(config.duplicateWindowS * 1000);
  const num_replicas = config.streamReplicas;
  return [
    {
      // Commands: each is removed once an actor acks it; per-partition consumers never overlap.
      name: STREAMS.commands,
      subjects: ['cmd.>'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window,
      num_replicas,
    },
    {
      // Pushes for clients, kept for recovery; republished to live.> with the stream sequence.
      name: STREAMS.pushes,
      subjects: ['out.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(config.outMaxAgeS * 1000),
      discard: DiscardPolicy.Old,
      // JetStream refuses a duplicate window longer than the max age.
      duplicate_window: nanos(Math.min(config.duplicateWindowS, config.outMaxAgeS) * 1000),
      num_replicas,
      allow_direct: true,
      republish: { src: 'out.>', dest: 'live.>' },
    },
    {
      name: STREAMS.events,
      subjects: ['evt.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(7 * 24 * 3600 * 1000),
      duplicate_window,
      num_replicas,
    },
    {
      // Dead letters stay until inspected and replayed or purged (npm run dlq).
      name: STREAMS.deadLetters,
      subjects: ['dlq.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window,
      num_replicas,
    },
  ];
}

export async function ensureStreams(nc: NatsConnection, config: Pick<Config, 'outMaxAgeS' | 'duplicateWindowS' | 'streamReplicas'>): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const stream of streamConfigs(config)) {
    try {
      await jsm.streams.info(stream.name);
      const { retention: _retention, storage: _storage, ...mutable } = stream;
      await jsm.streams.update(stream.name, mutable);
    } catch (err) {
      if ((err as { name?: string }).name !== 'StreamNotFoundError' && !/stream not found/i.test(String(err))) throw err;
      await jsm.streams.add(stream);
    }
  }
}
